// The sweep directory: one ordinary run directory per trial, plus the sweep's own files.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const sweepFiles = (dir: string) => ({
  dir,
  plan: join(dir, 'sweep.json'),
  run: (id: string) => join(dir, id),
  /** Written after a trial trained (and was evaluated) without error: the trial is finished. */
  done: (id: string) => join(dir, 'status', `${id}.done`),
  status: join(dir, 'status'),
  /** `hourglass evaluate --json` of a trial. */
  evaluation: (id: string) => join(dir, 'evals', `${id}.json`),
  evals: join(dir, 'evals'),
  logs: join(dir, 'logs'),
  slurm: join(dir, 'slurm'),
  /** The Slurm submissions of this sweep (job id, trials), newest last. */
  jobs: join(dir, 'slurm', 'jobs.json'),
  summaryCsv: join(dir, 'summary.csv'),
  trialsCsv: join(dir, 'trials.csv'),
  summaryMd: join(dir, 'summary.md'),
  page: join(dir, 'index.html'),
});

export type SweepFiles = ReturnType<typeof sweepFiles>;

export type TrialState = 'done' | 'interrupted' | 'started' | 'new';

/** Where a trial stands: finished, resumable from a checkpoint, begun without one, or untouched. */
export const trialState = (f: SweepFiles, id: string): TrialState => {
  if (existsSync(f.done(id))) return 'done';
  if (existsSync(join(f.run(id), 'checkpoint.hgck'))) return 'interrupted';
  if (existsSync(join(f.run(id), 'run.json'))) return 'started';
  return 'new';
};

/** How `hourglass train` continues a trial in each state: resume, or start over a run it began. */
export const continueFlags = (s: TrialState): string[] => (s === 'interrupted' ? ['--resume'] : s === 'started' ? ['--force'] : []);
