// A real single-node Slurm for tests: scripts/slurm-test-cluster.sh starts munged, slurmctld and
// slurmd from a generated slurm.conf in a temp dir; stop() cancels jobs and ends them by pid.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const script = resolve(__dirname, '../../scripts/slurm-test-cluster.sh');

export interface SlurmCluster {
  readonly dir: string;
  /** The environment every Slurm client call needs (SLURM_CONF pointing at the cluster). */
  readonly env: NodeJS.ProcessEnv;
  stop(): void;
}

/** Why a test cluster cannot start here, or undefined when it can. */
export const cannotStartCluster = (): string | undefined => {
  if (process.getuid?.() !== 0) return 'needs root: slurmd runs jobs as their owner and the test cluster runs its daemons as root';
  return undefined;
};

export const startCluster = (): SlurmCluster => {
  const dir = mkdtempSync(join(tmpdir(), 'hg-slurm-'));
  let out: string;
  try {
    out = execFileSync('bash', [script, 'start', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    execFileSync('bash', [script, 'stop', dir], { stdio: 'ignore' });
    throw err;
  }
  const conf = /SLURM_CONF=(\S+)/.exec(out)?.[1];
  if (!conf) throw new Error(`slurm-test-cluster.sh printed no SLURM_CONF: ${out}`);
  return {
    dir,
    env: { ...process.env, SLURM_CONF: conf },
    stop: () => {
      execFileSync('bash', [script, 'stop', dir], { stdio: 'inherit' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
