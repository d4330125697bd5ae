// The Slurm engine: one array job (`sbatch --array=0-(n-1)%M --parsable`) whose task i runs
// `hourglass train` (then `hourglass evaluate`) for the i-th unfinished trial, with its log in
// DIR/logs/<job>_<i>.out. Progress comes from `squeue` and `scontrol show job -o` (no accounting
// database needed); results come from the trial directories, which must be on storage the
// cluster shares with this machine.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { writeFileAtomic } from '../../host/fsx';
import type { Trial } from './grid';
import { hourglassCommand } from './hourglassBin';
import type { SweepFiles } from './layout';
import { sweepFiles } from './layout';
import type { Counts, EngineResult, Failure } from './local';
import { logTail } from './logTail';
import { evalArgv, trainArgv, type SweepPlan } from './plan';
import { EXIT } from '../../core/failure';
import { clearEndedLock } from '../../run/lock';

export interface SlurmError {
  readonly message: string;
  /** 66: nothing to cancel; 69: Slurm unavailable or refused the job. */
  readonly code: typeof EXIT.noInput | typeof EXIT.unavailable;
}

export interface SlurmOptions {
  readonly partition?: string;
  readonly time?: string;
  readonly cpusPerTrial: number;
  readonly sbatchArgs: readonly string[];
  /** The array throttle %M (default: all at once). */
  readonly parallel?: number;
  readonly pollSeconds: number;
  readonly onProgress: (c: Counts, job: string) => void;
  readonly log: (line: string) => void;
  /** Resolves when the caller stops following the job (Ctrl-C); the job itself keeps running. */
  readonly stop?: Promise<void>;
}

interface Submission {
  readonly job: string;
  readonly ids: readonly string[];
  readonly submitted: string;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const slurmCall = (cmd: string, args: readonly string[]): E.Either<string, string> => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return E.left(`${cmd}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found (is this a Slurm login node?)' : r.error.message}`);
  if (r.status !== 0) return E.left(`${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  return E.right(r.stdout);
};

/** The batch script: task i of the array trains `ids[i]`, deciding at run time whether to resume. */
export const arrayScript = (plan: SweepPlan, f: SweepFiles, ids: readonly string[]): string => {
  const byId = new Map(plan.trials.map((t) => [t.id, t]));
  const cases = ids
    .map((id, i) => {
      const t = byId.get(id) as Trial;
      const ev = evalArgv(plan, f.run(id));
      return `  ${i}) train=(${hourglassCommand(trainArgv(plan, t, f.run(id))).map(q).join(' ')})\n     ev=(${ev ? hourglassCommand(ev).map(q).join(' ') : ''}) ;;`;
    })
    .join('\n');
  return `#!/bin/bash
# Written by \`hourglass sweep --engine slurm\`: array task i trains trial ids[i] of ${f.plan}.
set -uo pipefail
dir=${q(f.dir)}
ids=(${ids.map(q).join(' ')})
i=\${SLURM_ARRAY_TASK_ID:?not an array task}
id=\${ids[$i]}
run="$dir/$id"
echo "hourglass sweep: trial $id, task $i of job \${SLURM_ARRAY_JOB_ID:-?} on $(hostname)"
# The sweep directory must be shared storage: check this node can write it.
probe="$dir/status/.writable-\${SLURM_JOB_ID:-$$}"
if ! (mkdir -p "$dir/status" "$dir/evals" && : >"$probe") 2>/dev/null; then
  echo "hourglass sweep: $dir is not writable from $(hostname); put --out on storage the cluster nodes share" >&2
  exit 73
fi
rm -f "$probe"
[ -f "$dir/status/$id.done" ] && { echo "already finished"; exit 0; }
cont=()
if [ -f "$run/checkpoint.hgck" ]; then cont=(--resume); elif [ -f "$run/run.json" ]; then cont=(--force); fi
case $i in
${cases}
  *) echo "hourglass sweep: no trial for task $i" >&2; exit 2 ;;
esac
export CI=1
"\${train[@]}" "\${cont[@]}" || exit $?
if [ \${#ev[@]} -gt 0 ]; then
  "\${ev[@]}" >"$dir/evals/$id.json.tmp" || exit $?
  ${q(process.execPath)} -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$dir/evals/$id.json.tmp" || { echo "hourglass sweep: evaluate printed no JSON" >&2; exit 65; }
  mv "$dir/evals/$id.json.tmp" "$dir/evals/$id.json"
fi
date -u +%FT%TZ >"$dir/status/$id.done"
`;
};

const readSubmissions = (f: SweepFiles): Submission[] => (existsSync(f.jobs) ? (JSON.parse(readFileSync(f.jobs, 'utf8')) as Submission[]) : []);

/** Array task id → state, from `scontrol show job -o` (empty when Slurm has forgotten the job). */
const taskStates = (job: string): Map<number, string> => {
  const out = slurmCall('scontrol', ['show', 'job', '-o', job]);
  const states = new Map<number, string>();
  if (E.isLeft(out)) return states;
  for (const line of out.right.split('\n')) {
    const task = /ArrayTaskId=(\S+)/.exec(line)?.[1];
    const state = /JobState=(\S+)/.exec(line)?.[1];
    if (task === undefined || state === undefined) continue;
    // Pending tasks come as one line with a range: ArrayTaskId=2-5%2.
    const range = /^(\d+)(?:-(\d+))?/.exec(task);
    if (range) for (let t = Number(range[1]); t <= Number(range[2] ?? range[1]); t++) states.set(t, state);
    else for (const part of task.split(',')) states.set(Number(part), state);
  }
  return states;
};

/** Tasks of the job Slurm still has queued or running (`squeue -r`: one line per array task). */
const liveTasks = (job: string): E.Either<string, Map<number, string>> => {
  const out = slurmCall('squeue', ['-h', '-r', '-j', job, '-o', '%K %T']);
  if (E.isLeft(out)) {
    // squeue says "Invalid job id" once a finished job has left the controller.
    return /Invalid job id/i.test(out.left) ? E.right(new Map()) : out;
  }
  const live = new Map<number, string>();
  for (const line of out.right.split('\n')) {
    const [task, state] = line.trim().split(/\s+/);
    if (task !== undefined && state !== undefined && /^\d+$/.test(task)) live.set(Number(task), state);
  }
  return E.right(live);
};

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

const follow = async (f: SweepFiles, sub: Submission, o: SlurmOptions): Promise<E.Either<SlurmError, EngineResult>> => {
  let stopped = false;
  void o.stop?.then(() => (stopped = true));
  let misses = 0;
  for (;;) {
    const live = liveTasks(sub.job);
    if (E.isLeft(live)) {
      if (++misses >= 10) return E.left({ message: `${live.left} (job ${sub.job} may still run; rerun to follow it)`, code: EXIT.unavailable });
    } else {
      misses = 0;
      const done = sub.ids.filter((id) => existsSync(f.done(id))).length;
      const running = [...live.right.values()].filter((s) => s === 'RUNNING' || s === 'COMPLETING').length;
      const pending = live.right.size - running;
      const failed = sub.ids.length - done - live.right.size;
      o.onProgress({ total: sub.ids.length, done, running, pending, failed: Math.max(0, failed) }, sub.job);
      if (live.right.size === 0) break;
    }
    if (stopped) {
      o.log(`\nsweep: no longer following job ${sub.job}; it keeps running. Run the same command to follow it again, or \`hourglass sweep --out ${f.dir} --cancel\` to cancel it.`);
      return E.right({ failures: [], interrupted: true });
    }
    await Promise.race([sleep(o.pollSeconds), o.stop ?? new Promise(() => {})]);
  }
  const states = taskStates(sub.job);
  const unfinished = sub.ids.map((id, i) => ({ id, i })).filter(({ id }) => !existsSync(f.done(id)));
  // Cancelled tasks (scancel, --cancel) are an interruption: a rerun continues them.
  const cancelled = unfinished.filter(({ i }) => states.get(i)?.startsWith('CANCELLED'));
  const failures: Failure[] = unfinished
    .filter(({ i }) => !states.get(i)?.startsWith('CANCELLED'))
    .map(({ id, i }) => {
      const log = join(f.logs, `${sub.job}_${i}.out`);
      const state = states.get(i);
      const reason = !existsSync(log)
        ? `task ${i} of job ${sub.job} ended${state ? ` ${state}` : ''} without a log: is ${f.dir} on storage the compute nodes share?`
        : `task ${i} of job ${sub.job} ended${state ? ` ${state}` : ''} before the trial finished`;
      return { id, reason, log, tail: logTail(log) };
    });
  if (cancelled.length > 0) o.log(`sweep: ${cancelled.length} task(s) of job ${sub.job} were cancelled`);
  return E.right({ failures, interrupted: cancelled.length > 0 });
};

/**
 * A task Slurm ended hard (scancel of a suspended job, the time limit's SIGKILL, the OOM killer)
 * leaves its trial's run lock behind. The lock names its Slurm task; when that task belongs to
 * one of this sweep's jobs and Slurm no longer runs it, the holder has provably ended, so the
 * lock is cleared (and said) before the trial is resubmitted. Any other lock is left to refuse.
 */
const clearEndedTaskLocks = (f: SweepFiles, todo: readonly Trial[], log: (line: string) => void): void => {
  const ours = new Set(readSubmissions(f).map((s) => s.job));
  const live = new Map<string, Map<number, string> | null>();
  const liveOf = (job: string) => {
    if (!live.has(job)) {
      const l = liveTasks(job);
      live.set(job, E.isRight(l) ? l.right : null);
    }
    return live.get(job);
  };
  for (const t of todo) {
    const line = clearEndedLock(f.run(t.id), (h) => {
      const m = /^(\d+)_(\d+)$/.exec(h.slurm ?? '');
      if (!m || !ours.has(m[1])) return null;
      const tasks = liveOf(m[1]);
      if (!tasks || tasks.has(Number(m[2]))) return null; // still queued or running, or Slurm did not answer
      return `Slurm reports task ${m[2]} of this sweep's job ${m[1]} ended`;
    });
    if (line) log(`sweep: ${line}`);
  }
};

export const runSlurm = async (plan: SweepPlan, f: SweepFiles, todo: readonly Trial[], o: SlurmOptions): Promise<E.Either<SlurmError, EngineResult>> => {
  mkdirSync(f.slurm, { recursive: true });
  mkdirSync(f.logs, { recursive: true });
  for (const d of [f.status, f.evals]) mkdirSync(d, { recursive: true });
  // A job of an earlier run still queued or running: follow it instead of submitting twice.
  const last = readSubmissions(f).pop();
  if (last) {
    const live = liveTasks(last.job);
    if (E.isLeft(live)) return E.left({ message: live.left, code: EXIT.unavailable });
    if (live.right.size > 0) {
      o.log(`sweep: job ${last.job} of an earlier run is still in the queue; following it`);
      return follow(f, last, o);
    }
  }
  if (todo.length === 0) return E.right({ failures: [], interrupted: false });
  clearEndedTaskLocks(f, todo, o.log);
  const ids = todo.map((t) => t.id);
  const n = readSubmissions(f).length + 1;
  const script = join(f.slurm, `array-${n}.sh`);
  writeFileAtomic(script, arrayScript(plan, f, ids));
  const throttle = o.parallel !== undefined ? `%${o.parallel}` : '';
  const args = [
    '--parsable',
    `--array=0-${ids.length - 1}${throttle}`,
    '--job-name=hourglass-sweep',
    `--output=${join(f.logs, '%A_%a.out')}`,
    `--cpus-per-task=${o.cpusPerTrial}`,
    '--ntasks=1',
    ...(o.partition ? [`--partition=${o.partition}`] : []),
    ...(o.time ? [`--time=${o.time}`] : []),
    ...o.sbatchArgs,
    script,
  ];
  const submitted = slurmCall('sbatch', args);
  if (E.isLeft(submitted)) return E.left({ message: submitted.left, code: EXIT.unavailable });
  const job = submitted.right.trim().split(';')[0];
  if (!/^\d+$/.test(job)) return E.left({ message: `sbatch printed ${JSON.stringify(submitted.right.trim())}, not a job id`, code: EXIT.unavailable });
  const sub: Submission = { job, ids, submitted: new Date().toISOString() };
  writeFileAtomic(f.jobs, JSON.stringify([...readSubmissions(f), sub], null, 2));
  o.log(`sweep: submitted array job ${job} (${ids.length} tasks${throttle ? `, at most ${o.parallel} at a time` : ''}); logs in ${f.logs}/${job}_<task>.out`);
  return follow(f, sub, o);
};

/** `--cancel`: scancel the sweep's latest job and wait until Slurm has ended its tasks. */
export const cancelSweep = async (dir: string): Promise<E.Either<SlurmError, string>> => {
  const f = sweepFiles(dir);
  const last = readSubmissions(f).pop();
  if (!last) return E.left({ message: `${dir}: no Slurm job of this sweep recorded (${f.jobs})`, code: EXIT.noInput });
  const c = slurmCall('scancel', [last.job]);
  if (E.isLeft(c)) return E.left({ message: c.left, code: EXIT.unavailable });
  for (let i = 0; i < 300; i++) {
    const live = liveTasks(last.job);
    if (E.isRight(live) && live.right.size === 0) return E.right(`sweep: cancelled job ${last.job}; run the sweep again to continue its unfinished trials`);
    await sleep(0.2);
  }
  return E.left({ message: `scancel ${last.job}: tasks still in the queue after 60 s`, code: EXIT.unavailable });
};
