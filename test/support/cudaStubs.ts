// Stub CUDA libraries, built with gcc, for loading the CUDA provider on a machine without a GPU:
// every function the provider imports from libcudart/libcublas/libcublasLt exists (with the
// symbol versions the provider asks for) and fails as a machine without a device would
// (cudaErrorNoDevice, 100); the libraries it needs without importing symbols are empty.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STUB_MESSAGE = 'no CUDA-capable device is detected (hourglass stub)';

/** version (= soname) → imported function names, from `readelf --dyn-syms`. */
export const importedFunctions = (lib: string): Map<string, string[]> => {
  const r = spawnSync('readelf', ['--dyn-syms', '-W', lib], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`readelf ${lib}: ${r.stderr}`);
  const out = new Map<string, string[]>();
  for (const line of r.stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || f[6] !== 'UND' || f[3] !== 'FUNC') continue;
    const [name, version] = f[7].split('@');
    if (!version || !/^lib(cuda|cublas|curand|cudnn)/.test(version)) continue;
    out.set(version, [...(out.get(version) ?? []), name]);
  }
  return out;
};

export const neededLibraries = (lib: string): string[] => {
  const r = spawnSync('readelf', ['-d', '-W', lib], { encoding: 'utf8' });
  return [...r.stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
};

// Functions that return a string or a device count, not a status code.
const special: Record<string, string> = {
  cudaGetErrorString: `const char *cudaGetErrorString(int e) { (void)e; return "${STUB_MESSAGE}"; }`,
  cudaGetErrorName: 'const char *cudaGetErrorName(int e) { (void)e; return "cudaErrorNoDevice"; }',
  cudaGetDeviceCount: 'int cudaGetDeviceCount(int *n) { if (n) *n = 0; return 100; }',
  cublasGetStatusString: `const char *cublasGetStatusString(int s) { (void)s; return "${STUB_MESSAGE}"; }`,
  cublasGetStatusName: 'const char *cublasGetStatusName(int s) { (void)s; return "CUBLAS_STATUS_NOT_INITIALIZED"; }',
  cublasLtGetStatusString: `const char *cublasLtGetStatusString(int s) { (void)s; return "${STUB_MESSAGE}"; }`,
  cublasLtGetStatusName: 'const char *cublasLtGetStatusName(int s) { (void)s; return "CUBLAS_STATUS_NOT_INITIALIZED"; }',
};

const gcc = (dir: string, soname: string, source: string, versionScript?: string) => {
  const c = join(dir, `${soname}.c`);
  writeFileSync(c, source);
  const args = ['-shared', '-fPIC', '-O0', '-w', '-o', join(dir, soname), c, `-Wl,-soname,${soname}`];
  if (versionScript) {
    writeFileSync(join(dir, `${soname}.map`), versionScript);
    args.push(`-Wl,--version-script=${join(dir, `${soname}.map`)}`);
  }
  const r = spawnSync('gcc', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc ${soname}: ${r.stderr}`);
};

/** Builds the stubs the provider library `lib` needs into `dir`; returns their sonames. */
export const buildCudaStubs = (lib: string, dir: string): string[] => {
  const fns = importedFunctions(lib);
  const needed = neededLibraries(lib).filter((n) => /^lib(cuda|cublas|curand|cudnn)/.test(n));
  for (const soname of needed) {
    const names = fns.get(soname) ?? [];
    // The status code of "no device" in each library: cudaErrorNoDevice, CUBLAS_STATUS_NOT_INITIALIZED.
    const status = soname.startsWith('libcublas') ? 1 : 100;
    const body = names.map((n) => special[n] ?? `int ${n}(void) { return ${status}; }`).join('\n');
    gcc(dir, soname, `${body}\n`, names.length > 0 ? `${soname} { global: *; };\n` : undefined);
  }
  return needed;
};
