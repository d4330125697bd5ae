// The reproductions, one file per paper: which models to train, on what budget (--quick or full),
// what to measure, and the table beside the paper's numbers.
import type { Context, Result } from './experiment';
import { higginsExperiment } from './higgins';
import { dcganExperiment } from './dcgan';
import { hintonExperiment } from './hinton';
import { kingmaExperiment } from './kingma';
import { makhzaniExperiment } from './makhzani';
import { pcaExperiment } from './pca';
import { zhaoExperiment } from './zhao';

export type { Context, Outcome } from './experiment';

export const EXPERIMENTS = ['pca', 'hinton', 'makhzani', 'kingma', 'higgins', 'zhao', 'dcgan'] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

const RUNNERS: Record<ExperimentName, (ctx: Context) => Promise<Result>> = {
  pca: pcaExperiment,
  hinton: hintonExperiment,
  makhzani: makhzaniExperiment,
  kingma: kingmaExperiment,
  higgins: higginsExperiment,
  zhao: zhaoExperiment,
  dcgan: dcganExperiment,
};

export const runExperiment = (name: ExperimentName, ctx: Context): Promise<Result> => RUNNERS[name](ctx);
