// The trial table of a sweep (DIR/sweep.json): what every trial runs. Both engines start trials
// from this table — the local one as child processes, Slurm as array tasks — so one sweep
// directory can be continued by either engine.
import type { Point, Trial } from './grid';

/** Grid axes that are `hourglass train` options rather than spec parameters (`--set`). */
export const TRAIN_AXES = ['lr', 'batch', 'epochs', 'optimizer', 'lr-schedule', 'dtype', 'fuse'] as const;

export interface SweepPlan {
  readonly version: 1;
  /** Absolute path of the spec module. */
  readonly spec: string;
  /** Options given to every `hourglass train` (data, epochs, …), without --out/--seed/--resume. */
  readonly trainArgs: readonly string[];
  /** Options given to every `hourglass evaluate` after --json, or null when trials are not evaluated. */
  readonly evalArgs: readonly string[] | null;
  /** onnxruntime intra-op threads per trial. */
  readonly threads: number;
  readonly axes: readonly { name: string; values: readonly string[] }[];
  readonly seeds: readonly number[];
  readonly trials: readonly Trial[];
}

/** `--set`s and train flags for one grid point. */
export const pointArgs = (p: Point): string[] =>
  p.flatMap(([k, v]) => ((TRAIN_AXES as readonly string[]).includes(k) ? [`--${k}`, v] : ['--set', `${k}=${v}`]));

/** The arguments after `hourglass` that train a trial (without --resume / --force). */
export const trainArgv = (plan: SweepPlan, t: Trial, runDir: string): string[] => [
  'train',
  plan.spec,
  ...plan.trainArgs,
  ...pointArgs(t.point),
  '--seed',
  String(t.seed),
  '--threads',
  String(plan.threads),
  '--out',
  runDir,
];

export const evalArgv = (plan: SweepPlan, runDir: string): string[] | null =>
  plan.evalArgs === null ? null : ['evaluate', runDir, '--json', '--threads', String(plan.threads), ...plan.evalArgs];

/** `iwae=100,probe` → `--iwae 100 --probe`: each item is an option of `hourglass evaluate`. */
export const parseEvalList = (raw: string): string[] | string => {
  const out: string[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const m = /^([A-Za-z][A-Za-z0-9-]*)(?:=(.+))?$/.exec(item);
    if (!m) return `--eval ${JSON.stringify(raw)}: ${JSON.stringify(item)} is not name or name=value`;
    out.push(`--${m[1]}`, ...(m[2] !== undefined ? [m[2]] : []));
  }
  return out;
};
