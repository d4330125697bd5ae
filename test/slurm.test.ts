// Against a real Slurm: a single-node cluster started for this file (scripts/slurm-test-cluster.sh).
// The sweep's Slurm engine must give the local engine's summary, show failed tasks with their
// logs, leave nothing running after --cancel, and resume cancelled trials.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cannotStartCluster, startCluster, type SlurmCluster } from './support/slurmCluster';
import { hourglass, hourglassBackground, processesMentioning, waitFor, writeTinySpec } from './support/sweepHarness';

const why = cannotStartCluster();
if (why) console.log(`test/slurm.test.ts skipped: ${why}`);

describe.skipIf(why !== undefined)('a single-node Slurm', () => {
  let cluster: SlurmCluster;
  const tmp = mkdtempSync(join(tmpdir(), 'hourglass-slurm-'));
  const spec = writeTinySpec(tmp);
  beforeAll(() => {
    cluster = startCluster();
  });
  afterAll(() => {
    try {
      cluster?.stop();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  const slurm = (cmd: string, args: string[]) => execFileSync(cmd, args, { env: cluster.env, encoding: 'utf8' });
  const queueEmpty = () => slurm('squeue', ['-h', '-o', '%i']).trim() === '';

  it('runs every task of an array job, and tells a failed task apart', async () => {
    const out = join(tmp, 'array');
    mkdirSync(out); // Slurm does not create the folder of -o
    const job = slurm('sbatch', ['--parsable', '--array=0-3%2', '-o', join(out, '%A_%a.out'), '--wrap', 'echo task $SLURM_ARRAY_TASK_ID; [ $SLURM_ARRAY_TASK_ID != 2 ]']).trim();
    await waitFor(`job ${job}`, () => slurm('squeue', ['-h', '-j', job, '-o', '%i']).trim() === '', 60);
    expect(readdirSync(out).sort()).toEqual([0, 1, 2, 3].map((t) => `${job}_${t}.out`));
    for (const t of [0, 1, 2, 3]) expect(readFileSync(join(out, `${job}_${t}.out`), 'utf8')).toContain(`task ${t}`);
    const states = slurm('scontrol', ['show', 'job', '-o', job])
      .trim()
      .split('\n')
      .map((l) => [/ArrayTaskId=(\d+)/.exec(l)?.[1], /JobState=(\S+)/.exec(l)?.[1]]);
    expect(Object.fromEntries(states)).toEqual({ 0: 'COMPLETED', 1: 'COMPLETED', 2: 'FAILED', 3: 'COMPLETED' });
  });

  const quick = ['sweep', spec, '--data', 'shapes:1024', '--epochs', '2', '--batch', '32', '--no-typecheck', '--set', 'hidden=8,16', '--seeds', '2'];

  it('a 2 × 2 sweep as an array job gives the summary of the local engine with the same seeds', () => {
    const local = hourglass([...quick, '--out', join(tmp, 'local')]);
    expect(local.code, local.err).toBe(0);
    const out = join(tmp, 'slurm');
    const r = hourglass([...quick, '--engine', 'slurm', '--poll', '0.5', '--out', out], cluster.env);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/submitted array job \d+ \(4 tasks\)/);
    expect(readFileSync(join(out, 'summary.csv'), 'utf8')).toBe(readFileSync(join(tmp, 'local', 'summary.csv'), 'utf8'));
    expect(readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readdirSync(join(out, 'evals')).sort()).toEqual(readdirSync(join(tmp, 'local', 'evals')).sort());
    expect(readdirSync(join(out, 'evals'))).toHaveLength(4);
    const job = JSON.parse(readFileSync(join(out, 'slurm', 'jobs.json'), 'utf8'))[0].job as string;
    expect(readdirSync(join(out, 'logs')).sort()).toEqual([0, 1, 2, 3].map((t) => `${job}_${t}.out`));
    // A rerun has nothing to submit.
    const again = hourglass([...quick, '--engine', 'slurm', '--poll', '0.5', '--out', out], cluster.env);
    expect(again.code, again.err).toBe(0);
    expect(again.err).not.toMatch(/submitted/);
    expect(JSON.parse(readFileSync(join(out, 'slurm', 'jobs.json'), 'utf8'))).toHaveLength(1);
  });

  it('a task that fails shows as failed, with the end of its log; the others finish', () => {
    const out = join(tmp, 'failing');
    const r = hourglass(['sweep', spec, '--data', 'shapes:512', '--epochs', '1', '--batch', '32', '--no-typecheck', '--no-eval', '--set', 'hidden=8,-1', '--engine', 'slurm', '--poll', '0.5', '--out', out], cluster.env);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/trial hidden=-1,seed=1 failed: task 1 of job \d+ ended FAILED/);
    expect(r.err).toMatch(/\n {4}hourglass: /); // the trial's own one-line reason, from its log
    expect(r.err.trim().split('\n').pop()).toMatch(/^hourglass: sweep: 1 of 2 trials failed/);
    expect(existsSync(join(out, 'status', 'hidden=8,seed=1.done'))).toBe(true);
    expect(readFileSync(join(out, 'summary.csv'), 'utf8')).toMatch(/\n8,1,1,/);
  });

  it('--cancel ends every task process; the rerun resubmits the cancelled trial, resumes it, and ends where a local sweep ends', async () => {
    const long = ['sweep', spec, '--data', 'shapes:4096', '--epochs', '8', '--batch', '32', '--checkpoint-every', '16', '--no-typecheck', '--no-eval', '--set', 'hidden=16'];
    const out = join(tmp, 'cancelled');
    const { ended } = hourglassBackground([...long, '--engine', 'slurm', '--poll', '0.5', '--out', out], cluster.env);
    await waitFor('a checkpoint', () => existsSync(join(out, 'hidden=16,seed=1', 'checkpoint.hgck')));
    // Freeze the task where it is (SIGSTOP through Slurm), so --cancel, a whole process to start,
    // surely finds it unfinished; scancel ends suspended tasks too.
    const first = JSON.parse(readFileSync(join(out, 'slurm', 'jobs.json'), 'utf8'))[0].job as string;
    slurm('scontrol', ['suspend', first]);
    const cancel = hourglass(['sweep', '--out', out, '--cancel'], cluster.env);
    expect(cancel.code, cancel.err).toBe(0);
    expect(cancel.out).toMatch(/cancelled job \d+/);
    const following = await ended;
    expect(following.code, following.err).toBe(130);
    expect(queueEmpty()).toBe(true);
    expect(processesMentioning(out)).toEqual([]);
    expect(existsSync(join(out, 'status', 'hidden=16,seed=1.done'))).toBe(false);

    const resumed = hourglass([...long, '--engine', 'slurm', '--poll', '0.5', '--out', out], cluster.env);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toContain('1 to resume');
    const jobs = JSON.parse(readFileSync(join(out, 'slurm', 'jobs.json'), 'utf8')) as { job: string }[];
    expect(jobs).toHaveLength(2);
    expect(readFileSync(join(out, 'logs', `${jobs[1].job}_0.out`), 'utf8')).toMatch(/resuming .* at step \d+/);

    const local = hourglass([...long, '--out', join(tmp, 'long-local')]);
    expect(local.code, local.err).toBe(0);
    expect(readFileSync(join(out, 'summary.csv'), 'utf8')).toBe(readFileSync(join(tmp, 'long-local', 'summary.csv'), 'utf8'));
  });
});
