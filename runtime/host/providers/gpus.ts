// The GPUs nvidia-smi sees, if it is installed.
import { spawnSync } from 'node:child_process';

export interface Gpu {
  readonly index: number;
  readonly name: string;
  readonly memoryMiB: number;
  readonly driver: string;
  readonly computeCapability: string;
}

export interface GpuFacts {
  /** null when nvidia-smi is not installed. */
  readonly nvidiaSmi: string | null;
  readonly gpus: readonly Gpu[];
  /** Why nvidia-smi said nothing useful, if it failed. */
  readonly error?: string;
}

const QUERY = 'index,name,memory.total,driver_version,compute_cap';

/** One CSV line per GPU from `nvidia-smi --query-gpu=<QUERY> --format=csv,noheader,nounits`. */
export const parseGpus = (csv: string): Gpu[] =>
  csv
    .split('\n')
    .map((l) => l.split(',').map((s) => s.trim()))
    .filter((f) => f.length === 5 && /^\d+$/.test(f[0]))
    .map(([index, name, mem, driver, cc]) => ({ index: Number(index), name, memoryMiB: Number(mem), driver, computeCapability: cc }));

export const gpuFacts = (): GpuFacts => {
  const r = spawnSync('nvidia-smi', [`--query-gpu=${QUERY}`, '--format=csv,noheader,nounits'], { encoding: 'utf8', timeout: 20_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return { nvidiaSmi: null, gpus: [] };
  if (r.status !== 0) return { nvidiaSmi: 'nvidia-smi', gpus: [], error: (r.stderr || r.stdout || String(r.error)).trim().split('\n')[0] };
  return { nvidiaSmi: 'nvidia-smi', gpus: parseGpus(r.stdout) };
};
