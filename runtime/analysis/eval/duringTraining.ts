// Held-out metrics during training (`train --eval iwae=50,probe,mmd --eval-every 2`): after the
// chosen epochs the current weights are evaluated like a finished run, and the results join
// that epoch's line in metrics.jsonl under `eval`.
import * as E from 'fp-ts/Either';
import { compileModel } from '../../../compiler/compile';
import { compileEvalGraphs } from '../../../compiler/evalGraphs';
import { showError } from '../../../compiler/ir/types';
import type { ModelDef } from '../../../compiler/model';
import type { OptimizerKind } from '../../../compiler/optim/optimizer';
import type { Dataset } from '../../core/dataset';
import type { FloatArray } from '../../core/init';
import { evaluateRun, type EvaluateOptions, type Evaluation } from './evaluate';
import { openEvalModel } from './model';

export interface EvalPlan {
  readonly iwae?: number;
  readonly probe?: boolean;
  readonly mmd?: boolean;
  readonly pca?: boolean;
}

/** "iwae=50,probe,mmd,pca" → a plan; unknown items or bad K are refused naming the accepted ones. */
export const parseEvalPlan = (raw: string): E.Either<string, EvalPlan> => {
  const plan: { -readonly [K in keyof EvalPlan]: EvalPlan[K] } = {};
  const accepted = 'accepted: iwae[=K] (default K = 50), probe, mmd, pca';
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, value] = item.split('=', 2);
    if (name === 'iwae') {
      const k = value === undefined ? 50 : Number(value);
      if (!(Number.isInteger(k) && k > 0)) return E.left(`--eval iwae=${value}: K must be a positive integer`);
      plan.iwae = k;
    } else if ((name === 'probe' || name === 'mmd' || name === 'pca') && value === undefined) plan[name] = true;
    else return E.left(`--eval ${item}: unknown metric (${accepted})`);
  }
  if (Object.keys(plan).length === 0) return E.left(`--eval ${JSON.stringify(raw)}: names no metric (${accepted})`);
  return E.right(plan);
};

/** The metrics of one evaluation, flattened to numbers for metrics.jsonl. */
export const flatten = (ev: Evaluation): Record<string, number | string> => {
  const out: Record<string, number | string> = {};
  const put = (k: string, v: unknown) => {
    if (typeof v === 'number') out[k] = v;
  };
  if (ev.iwae && 'iwae' in ev.iwae) {
    put('iwae', ev.iwae.iwae);
    put('elbo', ev.iwae.elbo);
    put('iwaeK', ev.iwae.k);
  } else if (ev.iwae) out.iwae = `skipped: ${ev.iwae.skipped}`;
  if (ev.probe && 'codes' in ev.probe) {
    put('probeError', ev.probe.codes.testError);
    put('probeErrorPixels', ev.probe.pixels.testError);
  } else if (ev.probe) out.probe = `skipped: ${ev.probe.skipped}`;
  if (ev.mmd) put('mmd2', ev.mmd.mmd2);
  if (ev.pca && 'anglesDegrees' in ev.pca) {
    put('pcaMaxAngle', Math.max(...ev.pca.anglesDegrees));
    put('pcaErrorRatio', ev.pca.errorRatio);
  } else if (ev.pca) out.pca = `skipped: ${ev.pca.skipped}`;
  return out;
};

export interface EpochEvaluatorArgs {
  readonly model: ModelDef;
  readonly dtype: 'f32' | 'f64';
  readonly optimizer: OptimizerKind;
  readonly plan: EvalPlan;
  readonly every: number;
  readonly epochs: number;
  readonly train: Dataset;
  readonly heldOut: Dataset;
  readonly seed: number;
  readonly threads?: number;
}

/**
 * A function of (epoch, weights) giving the metrics to add to that epoch's line, or undefined on
 * epochs that are not evaluated (every `every`-th and the last one are).
 */
export const epochEvaluator = (a: EpochEvaluatorArgs) => {
  const art = compileModel(a.model, { optimizer: { kind: a.optimizer, lr: 1e-3, hyper: {} }, dtype: a.dtype });
  if (E.isLeft(art)) throw new Error(showError(art.left));
  const extra = compileEvalGraphs(a.model, a.dtype);
  if (E.isLeft(extra)) throw new Error(showError(extra.left));
  const opts: EvaluateOptions = { iwae: a.plan.iwae, probe: a.plan.probe && { epochs: 10, threads: a.threads }, mmd: a.plan.mmd, pca: a.plan.pca, trainRows: a.train, seed: a.seed };
  return async (epoch: number, weights: Readonly<Record<string, FloatArray>>): Promise<Record<string, number | string> | undefined> => {
    if (a.heldOut.n === 0 || !(epoch % a.every === 0 || epoch === a.epochs)) return undefined;
    const model = await openEvalModel(art.right, weights, extra.right, { threads: a.threads, source: 'training' });
    return flatten(await evaluateRun({ run: { dir: '', spec: '', model: a.model.name, params: {}, settings: {}, split: { data: '', heldOut: 0, seed: 0 }, manifest: art.right.manifest }, model, notes: [] }, a.heldOut, { data: a.heldOut.name, split: 'held-out' }, opts));
  };
};
