// `train(model, options)`: the library's way to do what `hourglass train` does, with the CLI's
// defaults. Failures come back as values (exit code and one-line reason), like the CLI's.
import * as E from 'fp-ts/Either';
import type { ModelDef } from '../../compiler/model';
import { EXIT, failure, type Failure } from '../core/failure';
import type { Dataset } from '../core/dataset';
import { resolveDataset } from '../host/data/resolve';
import type { EpochReport } from '../core/loop';
import { trainRun, type RunSummary, type TrainSettings } from './trainRun';

export interface TrainOptions extends Partial<Omit<TrainSettings, 'data'>> {
  /** A built-in data set name or a file path (as --data), or a Dataset already in memory. */
  readonly data: string | Dataset;
  /** The run directory. */
  readonly out: string;
  readonly resume?: boolean;
  readonly force?: boolean;
  readonly log?: (line: string) => void;
  readonly onEpoch?: (r: EpochReport) => void;
}

/** What autoencoder(…).objective(…) returns, or a ModelDef written against the compiler. */
type AnyModel = ModelDef | { readonly kind: 'hourglass.autoencoder'; readonly def: ModelDef };
const asDef = (m: AnyModel): ModelDef => ('kind' in m && m.kind === 'hourglass.autoencoder' ? m.def : (m as ModelDef));

export const train = async (model: AnyModel, o: TrainOptions): Promise<E.Either<Failure, RunSummary>> => {
  const data = typeof o.data === 'string' ? resolveDataset(o.data, { binarise: o.binarise }) : E.right(o.data);
  if (E.isLeft(data)) return E.left(failure(data.left.missing ? EXIT.noInput : EXIT.dataErr, `${data.left.file}: ${data.left.message}`));
  const settings: TrainSettings = {
    epochs: 10, batch: 128, lr: 1e-3, seed: 1, optimizer: 'adam', provider: 'cpu', dtype: 'f32', checkpointEvery: 200,
    ...Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && !['data', 'out', 'resume', 'force', 'log', 'onEpoch'].includes(k))),
    data: typeof o.data === 'string' ? o.data : data.right.name,
  };
  return trainRun({ model: asDef(model), specPath: asDef(model).name, dir: o.out, settings, data: data.right, resume: o.resume, force: o.force, log: o.log ?? (() => {}), onEpoch: o.onEpoch });
};
