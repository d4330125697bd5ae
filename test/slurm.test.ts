// Against a real Slurm: a single-node cluster started for this file (scripts/slurm-test-cluster.sh).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cannotStartCluster, startCluster, type SlurmCluster } from './support/slurmCluster';

const why = cannotStartCluster();
if (why) console.log(`test/slurm.test.ts skipped: ${why}`);

describe.skipIf(why !== undefined)('a single-node Slurm', () => {
  let cluster: SlurmCluster;
  beforeAll(() => {
    cluster = startCluster();
  });
  afterAll(() => cluster?.stop());

  const slurm = (cmd: string, args: string[]) => execFileSync(cmd, args, { env: cluster.env, encoding: 'utf8' });
  const waitGone = async (job: string) => {
    for (let i = 0; i < 300; i++) {
      if (slurm('squeue', ['-h', '-j', job, '-o', '%i']).trim() === '') return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`job ${job} still queued after 60 s`);
  };

  it('runs every task of an array job, and tells a failed task apart', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hg-array-'));
    const job = slurm('sbatch', ['--parsable', '--array=0-3%2', '-o', join(out, '%A_%a.out'), '--wrap', 'echo task $SLURM_ARRAY_TASK_ID; [ $SLURM_ARRAY_TASK_ID != 2 ]']).trim();
    await waitGone(job);
    const logs = readdirSync(out).sort();
    expect(logs).toEqual([0, 1, 2, 3].map((t) => `${job}_${t}.out`));
    for (const t of [0, 1, 2, 3]) expect(readFileSync(join(out, `${job}_${t}.out`), 'utf8')).toContain(`task ${t}`);
    const states = slurm('scontrol', ['show', 'job', '-o', job])
      .trim()
      .split('\n')
      .map((l) => [/ArrayTaskId=(\d+)/.exec(l)?.[1], /JobState=(\S+)/.exec(l)?.[1]]);
    expect(Object.fromEntries(states)).toEqual({ 0: 'COMPLETED', 1: 'COMPLETED', 2: 'FAILED', 3: 'COMPLETED' });
    rmSync(out, { recursive: true });
  });
});
