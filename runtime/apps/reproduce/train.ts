// Training runs for a reproduction, through the same run API as `hourglass train`.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/Either';
import { loadSpecWithParams } from '../../host/spec/loadSpec';
import type { Dataset } from '../../core/dataset';
import { showDataError } from '../../host/data/errors';
import { resolveDataset } from '../../host/data/resolve';
import type { FloatArray } from '../../core/init';
import type { EpochReport } from '../../core/loop';
import { runFiles } from '../../run/layout';
import { readRecord } from '../../run/record';
import { trainRun, type TrainSettings } from '../../run/trainRun';

/** An example spec shipped with Hourglass, by file name (`vae.ts`; compiled, `vae.js` in the package). */
export const exampleSpec = (file: string): string => {
  const source = fileURLToPath(new URL(`../../../examples/${file}`, import.meta.url));
  return existsSync(source) ? source : source.replace(/\.ts$/, '.js');
};

export interface Plan {
  /** Folder name under the output directory. */
  readonly name: string;
  readonly spec: string;
  readonly set?: Readonly<Record<string, number | string>>;
  readonly data: string;
  readonly settings?: Partial<TrainSettings>;
  readonly onEpoch?: (r: EpochReport, dir: string) => void | Promise<void>;
  /** Measurements from the weights after an epoch, recorded in metrics.jsonl as `eval`. */
  readonly evalAtEpoch?: (epoch: number, weights: Readonly<Record<string, FloatArray>>) => Promise<Record<string, number | string> | undefined>;
}

export interface Trained {
  readonly dir: string;
  readonly plan: Plan;
  readonly seconds: number;
  readonly reports: readonly EpochReport[];
  /** The equivalent command line. */
  readonly command: string;
  /** Each finished epoch's `eval` measurements from metrics.jsonl (evalAtEpoch's results). */
  readonly evals: ReadonlyMap<number, Readonly<Record<string, number | string>>>;
  /** Found finished in `dir` (--reuse) rather than trained, or continued from a shorter run. */
  readonly reused?: 'finished' | 'continued';
}

const DEFAULTS: Omit<TrainSettings, 'data'> = {
  epochs: 10,
  batch: 128,
  lr: 1e-3,
  seed: 1,
  optimizer: 'adam',
  provider: 'cpu',
  dtype: 'f32',
  checkpointEvery: 1_000_000,
  fuse: 16,
};

const datasets = new Map<string, Dataset>();

export const loadData = (name: string): E.Either<string, Dataset> => {
  const hit = datasets.get(name);
  if (hit) return E.right(hit);
  const d = resolveDataset(name, {});
  if (E.isLeft(d)) return E.left(showDataError(d.left));
  datasets.set(name, d.right);
  return E.right(d.right);
};

export const commandOf = (p: Plan, dir: string, s: TrainSettings): string =>
  [
    'hourglass train',
    p.spec.replace(/^.*\/examples\//, 'examples/'),
    ...Object.entries(p.set ?? {}).map(([k, v]) => `--set ${k}=${v}`),
    `--data ${p.data}`,
    s.heldOutData ? `--held-out-data ${s.heldOutData}` : '',
    `--epochs ${s.epochs} --batch ${s.batch} --lr ${s.lr}`,
    s.lrSchedule && s.lrSchedule !== 'constant' ? `--lr-schedule ${s.lrSchedule}` : '',
    s.optimizer !== 'adam' ? `--optimizer ${s.optimizer}` : '',
    `--seed ${s.seed} --out ${dir}`,
    // No CLI flag sets optimizer hyperparameters; run.json records them under settings.optimizerHyper.
    s.optimizerHyper ? `(library setting: ${Object.entries(s.optimizerHyper).map(([k, v]) => `${s.optimizer} ${k} = ${v}`).join(', ')})` : '',
  ]
    .filter(Boolean)
    .join(' ');

const metricsOf = (dir: string) =>
  existsSync(runFiles(dir).metrics)
    ? readFileSync(runFiles(dir).metrics, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as EpochReport & { eval?: Record<string, number | string> })
    : [];

/**
 * With `reuse`, a run already in `dir` whose recorded settings are the plan's (the number of
 * epochs aside) is kept: finished, it is read back; shorter, it is resumed to the plan's epochs.
 */
const reusable = (dir: string, s: TrainSettings): 'finished' | 'continue' | undefined => {
  const f = runFiles(dir);
  if (!existsSync(f.checkpoint)) return undefined;
  const rec = readRecord(f.settings);
  if (E.isLeft(rec)) return undefined;
  const was = rec.right.settings as Partial<TrainSettings>;
  const same = (Object.keys(s) as (keyof TrainSettings)[]).every((k) => k === 'epochs' || JSON.stringify(was[k]) === JSON.stringify(s[k]));
  const done = metricsOf(dir).length;
  if (!same || typeof was.epochs !== 'number' || was.epochs > s.epochs || done !== was.epochs) return undefined;
  return done === s.epochs ? 'finished' : 'continue';
};

export const trainPlan = async (p: Plan, dir: string, log: (line: string) => void, reuse = false): Promise<E.Either<string, Trained>> => {
  const spec = await loadSpecWithParams(p.spec, { typecheck: false, set: Object.entries(p.set ?? {}).map(([k, v]) => `${k}=${v}`) });
  if (E.isLeft(spec)) return E.left(spec.left.message);
  const data = loadData(p.data);
  if (E.isLeft(data)) return data;
  const settings: TrainSettings = { ...DEFAULTS, ...p.settings, data: p.data };
  // A separate held-out set (e.g. Fashion-MNIST's 10,000 test images): all of `data` trains.
  const heldOutSet = settings.heldOutData === undefined ? undefined : loadData(settings.heldOutData);
  if (heldOutSet && E.isLeft(heldOutSet)) return heldOutSet;
  const evalsOf = () => new Map(metricsOf(dir).flatMap((m) => (m.eval ? [[m.epoch, m.eval] as const] : [])));
  const found = reuse ? reusable(dir, settings) : undefined;
  if (found === 'finished') {
    const reports = metricsOf(dir);
    log(`reusing ${p.name}: ${dir} holds this run, finished`);
    return E.right({ dir, plan: p, seconds: reports.reduce((a, r) => a + r.seconds, 0), reports, command: commandOf(p, dir, settings), evals: evalsOf(), reused: 'finished' });
  }
  const started = performance.now();
  log(`${found ? 'continuing' : 'training'} ${p.name}: ${commandOf(p, dir, settings)}`);
  const r = await trainRun({
    resume: found === 'continue',
    model: spec.right.model,
    specPath: p.spec,
    dir,
    settings,
    data: data.right,
    heldOutSet: heldOutSet?.right,
    force: found !== 'continue',
    log,
    onEpoch: p.onEpoch ? (rep) => p.onEpoch?.(rep, dir) : undefined,
    evalAtEpoch: p.evalAtEpoch,
  });
  if (E.isLeft(r)) return E.left(r.left.message);
  // A continued run's train time counts its earlier epochs too.
  const seconds = found ? metricsOf(dir).reduce((a, m) => a + m.seconds, 0) : (performance.now() - started) / 1000;
  const reports = found ? metricsOf(dir) : r.right.reports;
  return E.right({ dir, plan: p, seconds, reports, command: commandOf(p, dir, settings), evals: evalsOf(), reused: found ? 'continued' : undefined });
};
