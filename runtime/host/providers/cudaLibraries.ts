// Where the CUDA libraries the CUDA provider links against can be found: on the dynamic loader's
// path (LD_LIBRARY_PATH, the ldconfig cache), in the usual system folders, or in the lib folders
// of NVIDIA's Python wheels (site-packages/nvidia/*/lib), which the loader does not search.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface CudaLibrary {
  readonly soname: string;
  readonly what: string;
  /** The pip package that carries it (CUDA 13 wheels); null for the driver. */
  readonly wheel: string | null;
}

// The NEEDED entries of libonnxruntime_providers_cuda.so (onnxruntime 1.29, CUDA 13), plus cuDNN 9,
// which the provider opens at run time.
export const CUDA_LIBRARIES: readonly CudaLibrary[] = [
  { soname: 'libcuda.so.1', what: 'the NVIDIA driver', wheel: null },
  { soname: 'libcudart.so.13', what: 'the CUDA 13 runtime', wheel: 'nvidia-cuda-runtime==13.*' },
  { soname: 'libcublas.so.13', what: 'cuBLAS 13', wheel: 'nvidia-cublas==13.*' },
  { soname: 'libcublasLt.so.13', what: 'cuBLASLt 13', wheel: 'nvidia-cublas==13.*' },
  { soname: 'libcurand.so.10', what: 'cuRAND 10 (CUDA 13)', wheel: 'nvidia-curand>=10.4' },
  { soname: 'libcudnn.so.9', what: 'cuDNN 9', wheel: 'nvidia-cudnn-cu13==9.*' },
];

export type Where = 'loader-path' | 'system' | 'python-wheel';

export interface Found {
  readonly soname: string;
  /** Every place it was found, loader's path first. */
  readonly places: readonly { readonly path: string; readonly where: Where }[];
}

export interface SearchRoots {
  readonly ldLibraryPath: readonly string[];
  /** soname → path, from `ldconfig -p`. */
  readonly ldconfig: ReadonlyMap<string, string>;
  readonly systemDirs: readonly string[];
  readonly wheelDirs: readonly string[];
}

export const SYSTEM_DIRS = ['/usr/local/cuda/lib64', '/usr/local/cuda/targets/x86_64-linux/lib', '/usr/local/nvidia/lib64', '/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/lib/x86_64-linux-gnu'];

/** Parses `ldconfig -p`: lines such as "\tlibcudart.so.13 (libc6,x86-64) => /usr/lib/libcudart.so.13". */
export const parseLdconfig = (text: string): Map<string, string> => {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const hit = /^\s*(\S+)\s+\(([^)]*)\)\s+=>\s+(\S.*)$/.exec(line);
    if (hit && !m.has(hit[1]) && !/i386|,x32/.test(hit[2])) m.set(hit[1], hit[3].trim());
  }
  return m;
};

const ldconfig = (): Map<string, string> => {
  for (const bin of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    const r = spawnSync(bin, ['-p'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0) return parseLdconfig(r.stdout);
  }
  return new Map();
};

/** site-packages folders of the first python3 on PATH (and HOURGLASS_PYTHON, if set). */
const sitePackages = (): string[] => {
  const pythons = [process.env.HOURGLASS_PYTHON, 'python3'].filter((p): p is string => !!p);
  const code = 'import site,sys\nprint("\\n".join(site.getsitepackages()+[site.getusersitepackages()]+sys.path))';
  const dirs = new Set<string>();
  for (const py of pythons) {
    const r = spawnSync(py, ['-c', code], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0) for (const d of r.stdout.split('\n')) if (d.trim() && /(site|dist)-packages\/?$/.test(d.trim())) dirs.add(d.trim());
  }
  return [...dirs];
};

/** site-packages/nvidia/<pkg>/lib folders that exist. */
export const wheelLibDirs = (sites: readonly string[]): string[] => {
  const out: string[] = [];
  for (const site of sites) {
    const nv = join(site, 'nvidia');
    if (!existsSync(nv)) continue;
    for (const pkg of readdirSync(nv).sort()) {
      const lib = join(nv, pkg, 'lib');
      if (existsSync(lib)) out.push(lib);
    }
  }
  return out;
};

export const searchRoots = (): SearchRoots => ({
  ldLibraryPath: (process.env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== ''),
  ldconfig: ldconfig(),
  systemDirs: SYSTEM_DIRS,
  wheelDirs: wheelLibDirs(sitePackages()),
});

export const findLibrary = (soname: string, roots: SearchRoots): Found => {
  const places: { path: string; where: Where }[] = [];
  const add = (path: string, where: Where) => {
    if (!places.some((p) => p.path === path)) places.push({ path, where });
  };
  for (const d of roots.ldLibraryPath) if (existsSync(join(d, soname))) add(join(d, soname), 'loader-path');
  const cached = roots.ldconfig.get(soname);
  if (cached) add(cached, 'loader-path');
  for (const d of roots.systemDirs) if (existsSync(join(d, soname))) add(join(d, soname), 'system');
  for (const d of roots.wheelDirs) if (existsSync(join(d, soname))) add(join(d, soname), 'python-wheel');
  return { soname, places };
};

/** True when the dynamic loader will find it by name. */
export const loadable = (f: Found): boolean => f.places.some((p) => p.where === 'loader-path');

/** The LD_LIBRARY_PATH that makes every found library loadable (current entries kept, in front). */
export const suggestedLdLibraryPath = (found: readonly Found[], current: readonly string[]): string | null => {
  const extra: string[] = [];
  for (const f of found) {
    if (loadable(f) || f.places.length === 0) continue;
    const dir = f.places[0].path.slice(0, f.places[0].path.lastIndexOf('/'));
    if (!extra.includes(dir) && !current.includes(dir)) extra.push(dir);
  }
  return extra.length === 0 ? null : [...extra, ...current].join(':');
};

/** The pip command that installs the missing CUDA 13 libraries as NVIDIA wheels. */
export const pipCommand = (missing: readonly CudaLibrary[]): string | null => {
  const wheels = [...new Set(missing.map((l) => l.wheel).filter((w): w is string => w !== null))];
  return wheels.length === 0 ? null : `python3 -m pip install ${wheels.map((w) => `'${w}'`).join(' ')}`;
};
