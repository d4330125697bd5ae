// hourglass train <spec.ts> --data <name|path> --out <run-dir>
import type { OptimizerKind } from '../../../compiler/optim/optimizer';
import { resolveDataset } from '../../host/data/resolve';
import { showDataError } from '../../host/data/errors';
import { checkOutput, splitOf, takeRunLock, trainRun, type TrainSettings } from '../../run/trainRun';
import { epochEvaluator, parseEvalPlan } from '../../analysis/eval/duringTraining';
import { runFiles } from '../../run/layout';
import { readRecord } from '../../run/record';
import { reconcile } from '../../run/resume';
import { preflight } from '../../host/providers/preflight';
import type { ProviderRequest } from '../../host/session';
import { CliError, EXIT, orFail } from '../../core/failure';
import type { Command } from 'commander';
import { loadSpecOrFail } from '../../host/spec/loadSpec';
import { progress } from '../progress';
import * as E from 'fp-ts/Either';
import { DEFAULT_HELD_OUT } from '../../core/dataset';

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
  readonly legacy?: boolean;
  readonly typecheck: boolean;
  /** Seconds the spec may take to load (default SPEC_TIMEOUT_S). */
  readonly specTimeout?: number;
  readonly set?: readonly string[];
  readonly heldOut?: number;
  readonly heldOutData?: string;
  readonly eval?: string;
  readonly evalEvery?: number;
  /** Bytes (--max-memory). */
  readonly maxMemory?: number;
}

/** Settings keys (TrainSettings' spelling) the user set on the command line, not defaults. */
const explicitKeys = (cmd: Command | undefined, keys: readonly string[]): Set<string> | undefined =>
  cmd ? new Set(keys.filter((k) => cmd.getOptionValueSource(k) === 'cli')) : undefined;

export const trainCommand = async (spec: string, o: TrainOpts, cmd?: Command): Promise<void> => {
  const settings: TrainSettings = {
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
    heldOut: o.heldOutData !== undefined ? 0 : o.heldOut ?? DEFAULT_HELD_OUT,
    heldOutData: o.heldOutData,
    binarise: o.binarise,
  };
  // --data is always given; the rest of a resumed run's settings come from its run.json.
  const explicit = explicitKeys(cmd, Object.keys(settings));
  explicit?.add('data');
  // One writer per run directory: the lock first (a second train is refused naming the holder),
  // then, within a second and before the spec and the data load: may anything be written at --out?
  const release = orFail(takeRunLock(o.out, 'train'));
  try {
    await trainLocked(spec, o, settings, explicit);
  } finally {
    release();
  }
};

const trainLocked = async (spec: string, o: TrainOpts, settingsIn: TrainSettings, explicit: Set<string> | undefined): Promise<void> => {
  let settings = settingsIn;
  orFail(checkOutput(o.out, o));
  if (o.resume) {
    const rec = readRecord(runFiles(o.out).settings);
    // No run.json beside a checkpoint: trainRun adopts it with the command line's settings.
    if (E.isLeft(rec) && rec.left.exitCode !== EXIT.noInput) throw new CliError(`${o.out}: nothing to resume (${rec.left.message})`, rec.left.exitCode);
    if (E.isRight(rec)) settings = orFail(reconcile(rec.right.settings, settings, explicit, runFiles(o.out).settings)).settings;
  }
  if (o.heldOutData !== undefined && o.heldOut !== undefined && o.heldOut !== 0)
    throw new CliError(`--held-out ${o.heldOut} and --held-out-data ${o.heldOutData} contradict each other: with a separate held-out set, all of --data trains`, EXIT.usage);
  const { model } = await loadSpecOrFail(spec, { typecheck: o.typecheck, set: o.set, timeout: o.specTimeout, maxMemory: o.maxMemory });
  const data = resolveDataset(settings.data, { binarise: settings.binarise });
  if (E.isLeft(data)) throw new CliError(showDataError(data.left), data.left.missing ? EXIT.noInput : EXIT.dataErr);
  const heldOutSet = settings.heldOutData === undefined ? undefined : resolveDataset(settings.heldOutData, { binarise: settings.binarise });
  if (heldOutSet && E.isLeft(heldOutSet)) throw new CliError(showDataError(heldOutSet.left), heldOutSet.left.missing ? EXIT.noInput : EXIT.dataErr);
  if (heldOutSet && E.isRight(heldOutSet) && heldOutSet.right.dim !== data.right.dim)
    throw new CliError(`${settings.heldOutData}: examples have ${heldOutSet.right.dim} values, but ${settings.data} has ${data.right.dim}`, EXIT.dataErr);
  const plan = o.eval === undefined ? undefined : parseEvalPlan(o.eval);
  if (plan && E.isLeft(plan)) throw new CliError(plan.left, EXIT.usage);
  if (o.evalEvery !== undefined && !plan) throw new CliError('--eval-every needs --eval <metrics>', EXIT.usage);
  const heldOutRows = heldOutSet && E.isRight(heldOutSet) ? heldOutSet.right : undefined;
  let evalAtEpoch: ReturnType<typeof epochEvaluator> | undefined;
  if (plan && E.isRight(plan)) {
    const parts = splitOf(data.right, heldOutRows, settings.heldOut);
    if (parts.heldOut.n === 0) throw new CliError('--eval: there is no held-out set to evaluate on (--held-out 0)', EXIT.usage);
    evalAtEpoch = epochEvaluator({ model, dtype: settings.dtype, optimizer: settings.optimizer, plan: plan.right, every: o.evalEvery ?? 1, epochs: settings.epochs, train: parts.train, heldOut: parts.heldOut, seed: settings.seed, threads: settings.threads });
  }
  await preflight(settings.provider);
  const bar = progress(settings.epochs, settings.batch);
  const result = await trainRun({
    model,
    specPath: spec,
    dir: o.out,
    data: data.right,
    resume: o.resume,
    force: o.force,
    legacy: o.legacy,
    heldOutSet: heldOutSet && E.isRight(heldOutSet) ? heldOutSet.right : undefined,
    explicit,
    settings,
    log: (line) => console.error(line),
    maxMemory: o.maxMemory,
    // The estimate is stdout's first line; stderr keeps errors to their one line.
    onEstimate: (line) => console.log(line),
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
