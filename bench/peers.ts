// The peers Hourglass is compared against: what a user would run instead. torch 2 eager (best
// of its thread configurations), torch.compile and a jax.jit step with optax Adam, from the
// bench's venv; Debian's python3-torch 1.13 as a labelled extra row. Each run is its own
// process, so its peak RSS is its own.
import { spawnSync } from 'node:child_process';

export interface PeerConfig {
  readonly name: string;
  readonly threads: number;
  readonly env: Record<string, string>;
}

export interface PeerSpec {
  readonly name: string;
  readonly python: string;
  readonly script: string;
  readonly args: readonly string[];
  readonly configs: readonly PeerConfig[];
  /** Reported, but not a peer the ratio is taken against unless no modern peer ran. */
  readonly extra: boolean;
}

/** One peer on one model and batch: the best of its configurations. */
export interface PeerRun {
  readonly stepsPerS: number;
  readonly rssMb: number;
  readonly config: string;
  readonly compileS: number | null;
  readonly version: string;
  readonly blas: string;
  readonly isa: string;
  readonly threads: number;
  /** Why this peer is no fair comparison (e.g. the reference BLAS), if it is not. */
  readonly misconfigured: string | null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const peerEnv = (extra: Record<string, string>) => {
  const env: Record<string, string | undefined> = { ...process.env, ...extra };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
};

/** Debian's libblas.so.3 alternative may be the unoptimised reference BLAS: no peer anyone would run. */
export const misconfigured = (blas: string): string | null =>
  /reference|none loaded/.test(blas) ? `BLAS is ${blas}: install libopenblas0-pthread (update-alternatives libblas.so.3)` : null;

export const torchPeers = (venvPython: string | null, threads: number, quick: boolean): PeerSpec[] => {
  const eagerConfigs: PeerConfig[] = [
    { name: `${threads} threads`, threads, env: {} },
    { name: '1 thread', threads: 1, env: {} },
    { name: `${threads} threads, OMP_WAIT_POLICY=PASSIVE`, threads, env: { OMP_WAIT_POLICY: 'PASSIVE' } },
  ];
  const debianConfigs: PeerConfig[] = [
    { name: `${threads} threads, OPENBLAS_NUM_THREADS=1`, threads, env: { OPENBLAS_NUM_THREADS: '1' } },
    { name: `${threads} threads`, threads, env: {} },
    { name: '1 thread', threads: 1, env: {} },
    { name: `${threads} threads, OMP_WAIT_POLICY=PASSIVE`, threads, env: { OMP_WAIT_POLICY: 'PASSIVE' } },
  ];
  const pick = (cs: PeerConfig[]) => (quick ? cs.slice(0, 1) : cs);
  const modern: PeerSpec[] = venvPython
    ? [
        { name: 'torch eager', python: venvPython, script: 'bench/peer_torch.py', args: ['eager'], configs: pick(eagerConfigs), extra: false },
        { name: 'torch.compile', python: venvPython, script: 'bench/peer_torch.py', args: ['compile'], configs: eagerConfigs.slice(0, 1), extra: false },
        { name: 'JAX jit + optax', python: venvPython, script: 'bench/peer_jax.py', args: [], configs: [{ name: 'XLA default pool', threads, env: {} }], extra: false },
      ]
    : [];
  const debian: PeerSpec = { name: 'Debian torch 1.13 eager', python: '/usr/bin/python3', script: 'bench/peer_torch.py', args: ['eager'], configs: pick(debianConfigs), extra: true };
  return [...modern, debian];
};

export const MODERN_PEERS = ['torch eager', 'torch.compile', 'JAX jit + optax'];

/** The conv rows' peers, from the same venv: torch 2 eager (NCHW and channels_last; OpenMP's
 *  passive waiting first, since busy-waiting threads collapse on a shared machine), torch.compile,
 *  and a jax.jit step written with jax.lax convolutions and optax Adam. */
export const convPeers = (venvPython: string | null, threads: number, quick: boolean): PeerSpec[] => {
  if (!venvPython) return [];
  const passive = { OMP_WAIT_POLICY: 'PASSIVE' };
  const eager: PeerConfig[] = [
    { name: `${threads} threads, NCHW, OMP_WAIT_POLICY=PASSIVE`, threads, env: { ...passive, HG_LAYOUT: 'nchw' } },
    { name: `${threads} threads, channels_last, OMP_WAIT_POLICY=PASSIVE`, threads, env: { ...passive, HG_LAYOUT: 'channels_last' } },
    { name: `${threads} threads, NCHW`, threads, env: { HG_LAYOUT: 'nchw' } },
  ];
  return [
    { name: 'torch eager', python: venvPython, script: 'bench/peer_torch_conv.py', args: [], configs: quick ? eager.slice(0, 1) : eager, extra: false },
    { name: 'torch.compile', python: venvPython, script: 'bench/peer_torch_conv.py', args: [], configs: [{ ...eager[0], env: { ...eager[0].env, HG_MODE: 'compile' } }], extra: false },
    { name: 'JAX jit + optax', python: venvPython, script: 'bench/peer_jax_conv.py', args: [], configs: [{ name: 'XLA default pool', threads, env: {} }], extra: false },
  ];
};

const parseLast = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

/** Run `peer` on one model and batch in every configuration; the best, or the last error. */
export const runPeer = (
  peer: PeerSpec,
  model: string,
  batch: number,
  steps: number,
  reps: number,
  say: (line: string) => void,
): PeerRun | { error: string } => {
  let best: PeerRun | null = null;
  let error = 'no configuration ran';
  for (const c of peer.configs) {
    const r = spawnSync(peer.python, [peer.script, model, String(batch), String(steps), String(reps), String(c.threads), ...peer.args], {
      encoding: 'utf8',
      env: peerEnv(c.env),
      timeout: 20 * 60_000,
    });
    if (r.status !== 0) {
      error = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop()!;
      say(`  ${peer.name} (${c.name}) failed: ${error}`);
      continue;
    }
    const o = parseLast(r.stdout);
    const m: PeerRun = {
      stepsPerS: median(o.steps_per_s),
      rssMb: o.max_rss_kb / 1024,
      config: c.name,
      compileS: o.compile_s ?? null,
      version: o.version,
      blas: o.blas,
      isa: o.isa,
      threads: o.threads,
      misconfigured: misconfigured(o.blas),
    };
    say(`  ${peer.name} ${m.version} (${c.name}; BLAS ${m.blas}; ${m.isa}): ${m.stepsPerS.toFixed(1)} steps/s${m.compileS !== null ? `, compile ${m.compileS.toFixed(1)} s` : ''}`);
    if (!best || m.stepsPerS > best.stepsPerS) best = m;
  }
  return best ?? { error };
};

/** The peers a ratio may be taken against: modern ones that ran on a proper BLAS, else (only if
 *  none did) the extra rows that did. */
export const fairPeers = (peers: readonly PeerSpec[], results: Readonly<Record<string, PeerRun | { error: string }>>): (PeerRun & { name: string })[] => {
  const fair = (extra: boolean) =>
    peers.filter((p) => p.extra === extra).flatMap((p) => {
      const r = results[p.name];
      return !r || 'error' in r || r.misconfigured ? [] : [{ name: p.name, ...r }];
    });
  const modern = fair(false);
  return modern.length > 0 ? modern : fair(true);
};

/** The DCGAN row's peers (rounds of one discriminator and one generator step), from the same venv. */
export const ganPeers = (venvPython: string | null, threads: number): PeerSpec[] => {
  if (!venvPython) return [];
  const passive: PeerConfig = { name: `${threads} threads, OMP_WAIT_POLICY=PASSIVE`, threads, env: { OMP_WAIT_POLICY: 'PASSIVE' } };
  return [
    { name: 'torch eager', python: venvPython, script: 'bench/peer_torch_gan.py', args: [], configs: [passive], extra: false },
    { name: 'torch.compile', python: venvPython, script: 'bench/peer_torch_gan.py', args: [], configs: [{ ...passive, env: { ...passive.env, HG_MODE: 'compile' } }], extra: false },
    { name: 'JAX jit + optax', python: venvPython, script: 'bench/peer_jax_gan.py', args: [], configs: [{ name: 'XLA default pool', threads, env: {} }], extra: false },
  ];
};
