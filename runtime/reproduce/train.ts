// Training runs for a reproduction, through the same run API as `hourglass train`.
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/Either';
import { loadSpecWithParams } from '../cli/loadSpec';
import type { Dataset } from '../data/dataset';
import { showDataError } from '../data/errors';
import { resolveDataset } from '../data/resolve';
import type { FloatArray } from '../init';
import type { EpochReport } from '../loop';
import { trainRun, type TrainSettings } from '../run/trainRun';

/** An example spec shipped with Hourglass, by file name. */
export const exampleSpec = (file: string): string => fileURLToPath(new URL(`../../examples/${file}`, import.meta.url));

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
    `--epochs ${s.epochs} --batch ${s.batch} --lr ${s.lr}`,
    s.lrSchedule && s.lrSchedule !== 'constant' ? `--lr-schedule ${s.lrSchedule}` : '',
    s.optimizer !== 'adam' ? `--optimizer ${s.optimizer}` : '',
    `--seed ${s.seed} --out ${dir}`,
    // No CLI flag sets optimizer hyperparameters; run.json records them under settings.optimizerHyper.
    s.optimizerHyper ? `(library setting: ${Object.entries(s.optimizerHyper).map(([k, v]) => `${s.optimizer} ${k} = ${v}`).join(', ')})` : '',
  ]
    .filter(Boolean)
    .join(' ');

export const trainPlan = async (p: Plan, dir: string, log: (line: string) => void): Promise<E.Either<string, Trained>> => {
  const spec = await loadSpecWithParams(p.spec, { typecheck: false, set: Object.entries(p.set ?? {}).map(([k, v]) => `${k}=${v}`) });
  if (E.isLeft(spec)) return E.left(spec.left.message);
  const data = loadData(p.data);
  if (E.isLeft(data)) return data;
  const settings: TrainSettings = { ...DEFAULTS, ...p.settings, data: p.data };
  const started = performance.now();
  log(`training ${p.name}: ${commandOf(p, dir, settings)}`);
  const r = await trainRun({
    model: spec.right.model,
    specPath: p.spec,
    dir,
    settings,
    data: data.right,
    force: true,
    log,
    onEpoch: p.onEpoch ? (rep) => p.onEpoch?.(rep, dir) : undefined,
    evalAtEpoch: p.evalAtEpoch,
  });
  if (E.isLeft(r)) return E.left(r.left.message);
  return E.right({ dir, plan: p, seconds: (performance.now() - started) / 1000, reports: r.right.reports, command: commandOf(p, dir, settings) });
};
