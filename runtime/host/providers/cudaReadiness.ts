// What stands between this machine and `--provider cuda`, first thing first, each with the
// command that fixes it. Used by `hourglass doctor` and by the one-line error of a CUDA session
// that cannot open.
import { locateBinding } from './bindings';
import { CUDA_LIBRARIES, type Found, findLibrary, loadable, pipCommand, type SearchRoots, searchRoots, suggestedLdLibraryPath } from './cudaLibraries';
import { providerPlacement, type Placement } from './cudaPackage';
import { type GpuFacts, gpuFacts } from './gpus';

export interface Missing {
  readonly what: string;
  readonly fix: string;
}

export interface CudaFacts {
  readonly platform: string;
  readonly binding: ReturnType<typeof locateBinding>;
  readonly placement: Placement | null;
  readonly libraries: readonly Found[];
  readonly ldLibraryPath: readonly string[];
  readonly gpus: GpuFacts;
}

export const cudaFacts = (o: { hash?: boolean; roots?: SearchRoots; gpus?: GpuFacts } = {}): CudaFacts => {
  const binding = locateBinding('cuda');
  const roots = o.roots ?? searchRoots();
  return {
    platform: `${process.platform}/${process.arch}`,
    binding,
    placement: typeof binding === 'string' ? null : providerPlacement(binding.libDir, o.hash),
    libraries: CUDA_LIBRARIES.map((l) => findLibrary(l.soname, roots)),
    ldLibraryPath: roots.ldLibraryPath,
    gpus: o.gpus ?? gpuFacts(),
  };
};

export const SETUP_COMMAND = 'npm run setup:cuda';

/** Everything missing, in the order to fix it. Empty: CUDA should open (the session decides). */
export const cudaMissing = (f: CudaFacts): Missing[] => {
  const out: Missing[] = [];
  if (f.platform !== 'linux/x64') return [{ what: `no CUDA provider build for ${f.platform}`, fix: 'use a linux/x64 machine with an NVIDIA GPU' }];
  if (typeof f.binding === 'string') out.push({ what: f.binding, fix: "npm install 'onnxruntime-node-cuda@npm:onnxruntime-node@1.29.0' (the CUDA binding is optional: a plain install leaves it out)" });
  else if (f.placement && f.placement.route !== 'hourglass' && f.placement.route !== 'other') {
    const absent = f.placement.files.filter((x) => !x.present).map((x) => x.name);
    out.push({ what: `the CUDA provider library (${absent.join(', ')}) is not beside ${f.binding.libDir}/libonnxruntime.so.1`, fix: SETUP_COMMAND });
  } else if (f.placement?.files.some((x) => x.verified === false)) {
    out.push({ what: `the CUDA provider libraries in ${f.binding.libDir} do not match the pinned SHA-256`, fix: `${SETUP_COMMAND} -- --force` });
  }
  const lib = (soname: string) => f.libraries.find((l) => l.soname === soname);
  const driver = lib('libcuda.so.1');
  if (driver && driver.places.length === 0) out.push({ what: 'no NVIDIA driver (libcuda.so.1)', fix: 'install the NVIDIA driver, 580 or newer for CUDA 13' });
  const toolkit = CUDA_LIBRARIES.filter((l) => l.wheel !== null);
  const absent = toolkit.filter((l) => (lib(l.soname)?.places.length ?? 0) === 0);
  if (absent.length > 0) {
    out.push({ what: `${absent.map((l) => l.soname).join(', ')} not found`, fix: `${pipCommand(absent)} (or CUDA 13 and cuDNN 9 from NVIDIA's packages), then hourglass doctor` });
  }
  const ld = suggestedLdLibraryPath(f.libraries, f.ldLibraryPath);
  const unreachable = f.libraries.filter((l) => l.places.length > 0 && !loadable(l));
  if (ld !== null && unreachable.length > 0) {
    out.push({ what: `${unreachable.map((l) => l.soname).join(', ')} found but not on the loader's path`, fix: `export LD_LIBRARY_PATH=${ld}` });
  }
  if (f.gpus.nvidiaSmi !== null && f.gpus.gpus.length === 0) out.push({ what: `nvidia-smi sees no GPU${f.gpus.error ? ` (${f.gpus.error})` : ''}`, fix: 'run on a machine with an NVIDIA GPU' });
  else if (f.gpus.nvidiaSmi === null && driver && driver.places.length > 0) {
    // Driver library without nvidia-smi: the session itself decides whether a device is there.
  }
  return out;
};
