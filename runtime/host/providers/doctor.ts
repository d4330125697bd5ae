// `hourglass doctor`: what this machine offers each onnxruntime binding, and what is missing for
// CUDA with the command that installs it. Bindings are probed in child processes, since a process
// holds one libonnxruntime.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BINDING_PACKAGES, locateBinding } from './bindings';
import { CUDA_LIBRARIES, loadable, suggestedLdLibraryPath } from './cudaLibraries';
import { CUDA_PROVIDER_PACKAGE } from './cudaPackage';
import { ortReason } from './ortReason';
import { probeModel } from './probeModel';
import { type CudaFacts, cudaFacts, cudaMissing, type Missing } from './cudaReadiness';
import type { GpuFacts } from './gpus';
import type { BindingName, Provider } from './request';

const require = createRequire(import.meta.url);

export interface ProbeResult {
  readonly version?: string;
  readonly backends?: readonly { readonly name: string; readonly bundled: boolean }[] | null;
  readonly loadError?: string;
  /** provider → whether a tiny model opened and ran on it, and onnxruntime's reason if not. */
  readonly providers: Readonly<Record<string, { readonly ok: boolean; readonly error?: string }>>;
}

export interface BindingReport {
  readonly name: BindingName;
  readonly package: string;
  readonly installed: boolean;
  readonly version?: string;
  readonly libDir?: string;
  readonly probe?: ProbeResult;
}

export interface DoctorReport {
  readonly platform: string;
  readonly node: string;
  readonly bindings: readonly BindingReport[];
  readonly cudaProvider: {
    readonly package: string;
    readonly version: string;
    readonly route: string | null;
    readonly files: CudaFacts['placement'] extends infer P ? (P extends { files: infer F } ? F : never) : never;
  };
  readonly cudaLibraries: readonly { readonly soname: string; readonly what: string; readonly found: boolean; readonly loadable: boolean; readonly places: readonly { path: string; where: string }[] }[];
  /** LD_LIBRARY_PATH that would make every found CUDA library loadable, or null if none is needed. */
  readonly ldLibraryPath: string | null;
  readonly gpus: GpuFacts;
  readonly cuda: { readonly ready: boolean; readonly missing: readonly Missing[] };
}

const PROBED: Readonly<Record<BindingName, readonly Provider[]>> = { default: ['cpu'], cuda: ['cpu', 'cuda'] };

/** Load `pkg` in a child and open the probe model on each provider. */
export const probeBinding = (pkg: string, providers: readonly string[], env: NodeJS.ProcessEnv = process.env): ProbeResult => {
  const dir = mkdtempSync(join(tmpdir(), 'hourglass-probe-'));
  try {
    const model = join(dir, 'probe.onnx');
    writeFileSync(model, probeModel(), { flag: 'wx' });
    const r = spawnSync(process.execPath, [require.resolve('./probe.cjs'), pkg, model, ...providers], { encoding: 'utf8', env, timeout: 120_000 });
    try {
      return JSON.parse(r.stdout) as ProbeResult;
    } catch {
      const why = r.signal ? `the probe died of ${r.signal}` : `the probe exited ${r.status}: ${r.stderr.trim().split('\n').pop() ?? ''}`;
      return { loadError: why, providers: {} };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const doctorReport = (o: { probe?: boolean; hash?: boolean } = {}): DoctorReport => {
  const facts = cudaFacts({ hash: o.hash ?? true });
  const bindings = (['default', 'cuda'] as const).map((name): BindingReport => {
    const b = locateBinding(name);
    if (typeof b === 'string') return { name, package: BINDING_PACKAGES[name], installed: false };
    return { name, package: b.package, installed: true, version: b.version, libDir: b.libDir, probe: o.probe === false ? undefined : probeBinding(b.package, PROBED[name]) };
  });
  const missing = cudaMissing(facts);
  const cudaProbe = bindings.find((b) => b.name === 'cuda')?.probe?.providers.cuda;
  if (missing.length === 0 && cudaProbe && !cudaProbe.ok) missing.push({ what: `onnxruntime could not open a CUDA session: ${ortReason(cudaProbe.error ?? '')}`, fix: 'see docs/cuda.md' });
  return {
    platform: facts.platform,
    node: process.version,
    bindings,
    cudaProvider: { package: CUDA_PROVIDER_PACKAGE.name, version: CUDA_PROVIDER_PACKAGE.version, route: facts.placement?.route ?? null, files: facts.placement?.files ?? [] },
    cudaLibraries: facts.libraries.map((l, i) => ({ soname: l.soname, what: CUDA_LIBRARIES[i].what, found: l.places.length > 0, loadable: loadable(l), places: l.places })),
    ldLibraryPath: suggestedLdLibraryPath(facts.libraries, facts.ldLibraryPath),
    gpus: facts.gpus,
    cuda: { ready: missing.length === 0 && (cudaProbe?.ok ?? false), missing },
  };
};
