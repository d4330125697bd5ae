// hourglass train <spec.ts> --data <name|path> --out <run-dir>
import type { OptimizerKind } from '../../../compiler/optim/optimizer';
import { resolveDataset } from '../../data/resolve';
import { showDataError } from '../../data/errors';
import { preflight } from '../../providers/preflight';
import { trainRun } from '../../run/trainRun';
import type { ProviderRequest } from '../../session';
import { CliError, orFail } from '../fail';
import { loadSpec } from '../loadSpec';
import { progress } from '../progress';
import * as E from 'fp-ts/Either';

export interface TrainOpts {
  readonly data: string;
  readonly out: string;
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  readonly lrSchedule: string;
  readonly seed: number;
  readonly optimizer: OptimizerKind;
  readonly provider: ProviderRequest;
  readonly dtype: 'f32' | 'f64';
  readonly threads?: number;
  readonly checkpointEvery: number;
  readonly fuse: number;
  readonly binarise: boolean;
  readonly resume: boolean;
  readonly force: boolean;
  readonly typecheck: boolean;
}

export const trainCommand = async (spec: string, o: TrainOpts): Promise<void> => {
  const model = orFail(await loadSpec(spec, { typecheck: o.typecheck }));
  const data = resolveDataset(o.data, { binarise: o.binarise });
  if (E.isLeft(data)) throw new CliError(showDataError(data.left));
  await preflight(o.provider);
  const bar = progress(o.epochs, o.batch);
  const result = await trainRun({
    model,
    specPath: spec,
    dir: o.out,
    data: data.right,
    resume: o.resume,
    force: o.force,
    settings: {
      epochs: o.epochs,
      batch: o.batch,
      lr: o.lr,
      lrSchedule: o.lrSchedule,
      seed: o.seed,
      optimizer: o.optimizer,
      provider: typeof o.provider === 'string' || o.provider.length !== 1 ? o.provider : o.provider[0], // one provider stays a plain string in run.json
      dtype: o.dtype,
      data: o.data,
      checkpointEvery: o.checkpointEvery,
      fuse: o.fuse,
      threads: o.threads,
    },
    log: (line) => console.error(line),
    onStep: (step, inEpoch, perEpoch, losses) => bar.step(step, inEpoch, perEpoch, losses),
    onEpoch: (r) => bar.epoch(r),
  });
  bar.stop();
  const summary = orFail(result);
  const last = summary.reports[summary.reports.length - 1];
  if (last) console.log(`done: held-out loss ${last.heldOut.loss.toFixed(4)} after epoch ${last.epoch}`);
  console.log(`run directory: ${summary.dir} (metrics.jsonl, checkpoint.hgck, exported/${summary.exported.map((p) => p.split('/').pop()).join(', exported/')})`);
};
