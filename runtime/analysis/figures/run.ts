// What a figure needs from a finished run (run/open.ts): its exported graphs, the checkpoint's
// tensors, the manifest's terms, metrics.jsonl and the run's held-out rows (run/finished.ts's split).
import { existsSync, readFileSync } from 'node:fs';
import * as E from 'fp-ts/Either';
import type { Manifest } from '../../../compiler/manifest';
import type { Dataset } from '../../core/dataset';
import { EXIT, failure, type Failure } from '../../core/failure';
import type { FloatArray } from '../../core/init';
import type { SplitRecord } from '../../run/finished';
import { runFiles } from '../../run/layout';
import { openRun, type GraphName, type OpenedRun } from '../../run/open';
import type { MetricsLine } from './plots';

export interface RunJson {
  readonly split?: SplitRecord;
  readonly params?: Readonly<Record<string, number | string>>;
  readonly spec: string;
  readonly model: string;
  readonly specHash: string;
  readonly settings: Readonly<Record<string, unknown>> & { readonly data: string; readonly epochs: number };
}

export interface OpenRun {
  readonly dir: string;
  /** The run as run/open.ts opened it (record, weights, split rows, sessions). */
  readonly opened: OpenedRun;
  readonly run: RunJson;
  readonly manifest: Manifest;
  readonly inputShape: readonly number[];
  readonly codeDim: number;
  readonly dim: number;
  readonly metrics: MetricsLine[];
  readonly tensors: Readonly<Record<string, FloatArray>>;
  /** The graph's first output (code, xhat) for n rows. */
  readonly graph: (name: GraphName) => Promise<(x: Float32Array, n: number) => Promise<Float32Array>>;
  /** Every named output of the graph (encode of a Gaussian encoder: code = μ and logVar). */
  readonly outputs: (name: GraphName) => Promise<(x: Float32Array, n: number) => Promise<Record<string, Float32Array>>>;
}

export type { GraphName };

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export const readMetrics = (path: string): MetricsLine[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as MetricsLine)
    : [];

/** A finished run (run/open.ts) with what the figures read besides its graphs. */
export const openFigureRun = async (dir: string): Promise<E.Either<Failure, OpenRun>> => {
  const opened = await openRun(dir, { graphs: [], logSeverityLevel: 3 });
  if (E.isLeft(opened)) return opened;
  const o = opened.right;
  const trained = o.trained();
  if (E.isLeft(trained)) return trained;
  const { info, weights } = trained.right;
  const m = info.manifest;
  const outputs = async (name: GraphName) => {
    const run = await o.outputs(name);
    if (E.isLeft(run)) throw new Error(run.left.message);
    return run.right;
  };
  const graph = async (name: GraphName) => {
    const all = await outputs(name);
    const s = await o.session(name);
    const first = E.isRight(s) ? s.right.outputNames[0] : '';
    return async (x: Float32Array, n: number) => (await all(x, n))[first];
  };
  return E.right({
    dir,
    opened: o,
    run: { ...info.record } as unknown as RunJson,
    manifest: m,
    inputShape: m.inputShape,
    codeDim: size(m.codeShape),
    dim: size(m.inputShape),
    metrics: readMetrics(runFiles(dir).metrics),
    tensors: weights,
    graph,
    outputs,
  });
};

/**
 * The run's held-out examples, as run/finished.ts's selectSplit calls them: its separate held-out
 * set, or the held-out rows of its training data; all of `data` when another data set is named
 * (the run saw none of it). A run that held nothing out shows its training data (the report says so).
 */
export const heldOutOf = (run: OpenRun, data?: string): E.Either<Failure, Dataset> => {
  const info = run.opened.record();
  if (E.isLeft(info)) return info;
  const split = info.right.split;
  const name = data ?? split.heldOutData ?? split.data;
  const which = name !== split.data ? (name === split.heldOutData ? 'held-out' : 'all') : split.heldOutData !== undefined || split.heldOut === 0 ? 'train' : 'held-out';
  const d = run.opened.rows(name, which);
  if (E.isLeft(d)) return d;
  if (d.right.dim !== run.dim) return E.left(failure(EXIT.dataErr, `${name}: examples have ${d.right.dim} values, the model expects [${run.inputShape.join(', ')}]`));
  return d;
};

/** The model has a prior to sample from: a KL or MMD term against N(0, I) and noise inputs. */
export const isGenerative = (run: OpenRun): boolean =>
  run.manifest.noise.length > 0 && run.manifest.terms.some((t) => /^(kl|mmd)/.test(t.name));
