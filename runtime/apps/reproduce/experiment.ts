// What every reproduction shares: its context, its outcome, and the helpers that train a plan and
// measure held-out data.
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { splitHeldOut, type Dataset } from '../../core/dataset';
import type { Figure } from '../../analysis/figures/build';
import { openFigureRun, type OpenRun } from '../../analysis/figures/run';
import type { Table } from './table';
import { trainPlan, type Plan, type Trained } from './train';

export interface Context {
  readonly out: string;
  readonly quick: boolean;
  /** Data set override (where the experiment takes one). */
  readonly data?: string;
  /** Keep finished runs in `out` whose settings match (resuming shorter ones) instead of retraining. */
  readonly reuse?: boolean;
  readonly log: (line: string) => void;
}

export interface Outcome {
  readonly title: string;
  readonly tables: readonly Table[];
  readonly notes: readonly string[];
  /** Figures of the whole experiment (beyond each run's own). */
  readonly figures: readonly Figure[];
  readonly runs: readonly Trained[];
}

export type Result = E.Either<string, Outcome>;

export const train = async (ctx: Context, p: Plan): Promise<E.Either<string, { t: Trained; run: OpenRun }>> => {
  const t = await trainPlan(p, join(ctx.out, p.name), ctx.log, ctx.reuse);
  if (E.isLeft(t)) return t;
  const run = await openFigureRun(t.right.dir);
  if (E.isLeft(run)) return E.left(run.left.message);
  return E.right({ t: t.right, run: run.right });
};

export const splitOf = (d: Dataset) => splitHeldOut(d);

export const take = (d: Dataset, n: number): Dataset => (n >= d.n ? d : { ...d, n, images: d.images.subarray(0, n * d.dim), labels: d.labels?.subarray(0, n) });

export const reconstructAll = async (run: OpenRun, x: Float32Array, n: number) => (await run.graph('reconstruct'))(x, n);
