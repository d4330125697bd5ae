// hourglass train <spec.ts> --data <name|path> --out <run-dir>
import type { OptimizerKind } from '../../../compiler/optim/optimizer';
import { resolveDataset } from '../../data/resolve';
import { showDataError } from '../../data/errors';
import { splitOf, trainRun } from '../../run/trainRun';
import { epochEvaluator, parseEvalPlan } from '../../eval/duringTraining';
import { readRun } from '../../eval/runInfo';
import type { Provider } from '../../session';
import { CliError, orFail } from '../fail';
import { loadSpecOrFail } from '../loadSpec';
import { progress } from '../progress';
import * as E from 'fp-ts/Either';
import { DEFAULT_HELD_OUT } from '../../data/dataset';

export interface TrainOpts {
  readonly data: string;
  readonly out: string;
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  readonly lrSchedule: string;
  readonly seed: number;
  readonly optimizer: OptimizerKind;
  readonly provider: Provider;
  readonly dtype: 'f32' | 'f64';
  readonly threads?: number;
  readonly checkpointEvery: number;
  readonly fuse: number;
  readonly binarise: boolean;
  readonly resume: boolean;
  readonly force: boolean;
  readonly typecheck: boolean;
  readonly set?: readonly string[];
  readonly heldOut?: number;
  readonly heldOutData?: string;
  readonly eval?: string;
  readonly evalEvery?: number;
}

/** A resumed run keeps its split: a different --held-out or --held-out-data is refused. */
const sameSplitAsBefore = (o: TrainOpts) => {
  const before = readRun(o.out);
  if (E.isLeft(before)) return; // trainRun says what is missing
  const was = before.right.split;
  const wantFraction = o.heldOutData !== undefined ? 0 : o.heldOut ?? DEFAULT_HELD_OUT;
  if ((was.heldOutData ?? undefined) !== o.heldOutData || was.heldOut !== wantFraction)
    throw new CliError(
      `${o.out}: was trained with ${was.heldOutData ? `--held-out-data ${was.heldOutData}` : `--held-out ${was.heldOut}`}; resume with the same split`,
      2,
    );
};

export const trainCommand = async (spec: string, o: TrainOpts): Promise<void> => {
  const { model } = await loadSpecOrFail(spec, { typecheck: o.typecheck, set: o.set });
  if (o.heldOutData !== undefined && o.heldOut !== undefined && o.heldOut !== 0)
    throw new CliError(`--held-out ${o.heldOut} and --held-out-data ${o.heldOutData} contradict each other: with a separate held-out set, all of --data trains`, 2);
  if (o.resume) sameSplitAsBefore(o);
  const data = resolveDataset(o.data, { binarise: o.binarise });
  if (E.isLeft(data)) throw new CliError(showDataError(data.left));
  const heldOutSet = o.heldOutData === undefined ? undefined : resolveDataset(o.heldOutData, { binarise: o.binarise });
  if (heldOutSet && E.isLeft(heldOutSet)) throw new CliError(showDataError(heldOutSet.left));
  if (heldOutSet && E.isRight(heldOutSet) && heldOutSet.right.dim !== data.right.dim)
    throw new CliError(`${o.heldOutData}: examples have ${heldOutSet.right.dim} values, but ${o.data} has ${data.right.dim}`, 65);
  const plan = o.eval === undefined ? undefined : parseEvalPlan(o.eval);
  if (plan && E.isLeft(plan)) throw new CliError(plan.left, 2);
  if (o.evalEvery !== undefined && !plan) throw new CliError('--eval-every needs --eval <metrics>', 2);
  const heldOutRows = heldOutSet && E.isRight(heldOutSet) ? heldOutSet.right : undefined;
  let evalAtEpoch: ReturnType<typeof epochEvaluator> | undefined;
  if (plan && E.isRight(plan)) {
    const parts = splitOf(data.right, heldOutRows, o.heldOut ?? DEFAULT_HELD_OUT);
    if (parts.heldOut.n === 0) throw new CliError('--eval: there is no held-out set to evaluate on (--held-out 0)', 2);
    evalAtEpoch = epochEvaluator({ model, dtype: o.dtype, optimizer: o.optimizer, plan: plan.right, every: o.evalEvery ?? 1, epochs: o.epochs, train: parts.train, heldOut: parts.heldOut, seed: o.seed, threads: o.threads });
  }
  const bar = progress(o.epochs, o.batch);
  const result = await trainRun({
    model,
    specPath: spec,
    dir: o.out,
    data: data.right,
    heldOutSet: heldOutSet && E.isRight(heldOutSet) ? heldOutSet.right : undefined,
    resume: o.resume,
    force: o.force,
    settings: {
      epochs: o.epochs,
      batch: o.batch,
      lr: o.lr,
      lrSchedule: o.lrSchedule,
      seed: o.seed,
      optimizer: o.optimizer,
      provider: o.provider,
      dtype: o.dtype,
      data: o.data,
      checkpointEvery: o.checkpointEvery,
      fuse: o.fuse,
      threads: o.threads,
      heldOut: o.heldOutData !== undefined ? 0 : o.heldOut ?? DEFAULT_HELD_OUT,
      ...(o.heldOutData !== undefined ? { heldOutData: o.heldOutData } : {}),
      binarise: o.binarise,
    },
    log: (line) => console.error(line),
    onStep: (step, inEpoch, perEpoch, losses) => bar.step(step, inEpoch, perEpoch, losses),
    onEpoch: (r) => bar.epoch(r),
    evalAtEpoch,
  });
  bar.stop();
  const summary = orFail(result);
  const last = summary.reports[summary.reports.length - 1];
  if (last) console.log(last.heldOut.loss === undefined ? `done: train loss ${last.train.loss.toFixed(4)} after epoch ${last.epoch} (no held-out set)` : `done: held-out loss ${last.heldOut.loss.toFixed(4)} after epoch ${last.epoch}`);
  console.log(`run directory: ${summary.dir} (metrics.jsonl, checkpoint.hgck, exported/${summary.exported.map((p) => p.split('/').pop()).join(', exported/')})`);
};
