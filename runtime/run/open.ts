// A finished run, opened once for every reader (the library, `hourglass encode | reconstruct |
// sample`, the figures and report, evaluation): its exported graphs as functions over rows
// (run/batched.ts), its record and manifest (run/finished.ts readRun), its trained tensors and
// the rows its split calls train or held out (selectSplit). Failures are values with exit codes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import type * as ort from '../host/providers/ort';
import { openSession } from '../host/session';
import type { ProviderRequest } from '../host/providers/request';
import type { Dataset } from '../core/dataset';
import type { FloatArray } from '../core/init';
import { CliError, EXIT, failure, type Failure } from '../core/failure';
import { parseExportedModel, type ExportedModel } from './export';
import { asF32, runBatched } from './batched';
import { loadLikeRun, readRun, readWeights, selectSplit, type RunInfo, type SplitName } from './finished';
import { runFiles } from './layout';

export type GraphName = 'encode' | 'decode' | 'reconstruct';

/** Every named output of a graph for `n` rows of `x`, as Float32Array. */
export type Outputs = (x: Float32Array, n: number) => Promise<Record<string, Float32Array>>;

/** What every run directory answers, finished or not (evaluation reads an interrupted run too). */
export interface RunDir {
  readonly dir: string;
  /** run.json and the manifest, read on first use. */
  readonly record: () => E.Either<Failure, RunInfo>;
  /** The trained tensors (the last checkpoint), read on first use. */
  readonly weights: () => E.Either<Failure, Readonly<Record<string, FloatArray>>>;
  /** Both, the record first: what evaluation and figures read before anything else. */
  readonly trained: () => E.Either<Failure, { readonly info: RunInfo; readonly weights: Readonly<Record<string, FloatArray>> }>;
  /** The rows of data set `name` that the run's split calls `which`, loaded as the run loaded its data. */
  readonly rows: (name: string, which: SplitName) => E.Either<Failure, Dataset>;
}

export interface OpenedRun extends RunDir {
  /** exported/model.json: the shapes and float type of the exported graphs. */
  readonly model: ExportedModel;
  /** Codes of `n` examples stored row-major in `x` (μ for a Gaussian encoder). */
  readonly encode: (x: Float32Array, n: number) => Promise<Float32Array>;
  /** Mean reconstructions of `n` codes stored row-major in `z`. */
  readonly decode: (z: Float32Array, n: number) => Promise<Float32Array>;
  /** Every named output of the encoder (e.g. `code`, and `logVar` for a Gaussian encoder). */
  readonly encodeAll: Outputs;
  /** An exported graph's onnxruntime session, opened on first use (or by `openRun`'s `graphs`). */
  readonly session: (name: GraphName) => Promise<E.Either<Failure, ort.InferenceSession>>;
  /** Every output of an exported graph (a left where the graph cannot be opened). */
  readonly outputs: (name: GraphName) => Promise<E.Either<Failure, Outputs>>;
}

export interface OpenOptions {
  /** Graphs to open now, so that a graph onnxruntime refuses is a left here (default encode, decode). */
  readonly graphs?: readonly GraphName[];
  readonly provider?: ProviderRequest;
  /** Where provider fallbacks are told. */
  readonly log?: (line: string) => void;
  readonly logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

const once = <A>(f: () => A): (() => A) => {
  let done: { value: A } | undefined;
  return () => (done ??= { value: f() }).value;
};

const reason = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0] : String(err));

/** A run directory; nothing is read until asked for. */
export const runDir = (dir: string): RunDir => {
  const record = once(() => readRun(dir));
  const weights = once(() => readWeights(dir));
  return {
    dir,
    record,
    weights,
    trained: () => {
      const info = record();
      if (E.isLeft(info)) return info;
      const w = weights();
      return E.isLeft(w) ? w : E.right({ info: info.right, weights: w.right });
    },
    rows: (name, which) => {
      const r = record();
      if (E.isLeft(r)) return r;
      const d = loadLikeRun(name, r.right.split);
      return E.isLeft(d) ? d : selectSplit(d.right, name, r.right.split, which);
    },
  };
};

/** A finished run: one with exported graphs. */
export const openRun = async (dir: string, opts: OpenOptions = {}): Promise<E.Either<Failure, OpenedRun>> => {
  const f = runFiles(dir);
  const meta = join(f.exported, 'model.json');
  if (!existsSync(meta)) return E.left(failure(EXIT.noInput, `${dir}: not a finished run (no exported/model.json); train it first`));
  const parsed = parseExportedModel(readFileSync(meta, 'utf8'), meta);
  if (E.isLeft(parsed)) return parsed;
  const m = parsed.right;
  const sessions = new Map<GraphName, Promise<E.Either<Failure, ort.InferenceSession>>>();
  const open = async (name: GraphName): Promise<E.Either<Failure, ort.InferenceSession>> => {
    const file = join(f.exported, `${name}.onnx`);
    if (!existsSync(file)) return E.left(failure(EXIT.noInput, `${file}: missing from the run; train it again`));
    try {
      const { session } = await openSession(readFileSync(file), { provider: opts.provider ?? 'cpu', log: opts.log, logSeverityLevel: opts.logSeverityLevel });
      return E.right(session);
    } catch (err) {
      // An unavailable provider already says what to do, with its own exit code.
      if (err instanceof CliError) return E.left(failure(err.exitCode as Failure['exitCode'], err.message));
      return E.left(failure(EXIT.dataErr, `${file}: onnxruntime cannot load it (${reason(err)})`));
    }
  };
  const session = (name: GraphName) => {
    let s = sessions.get(name);
    if (!s) sessions.set(name, (s = open(name)));
    return s;
  };
  for (const g of opts.graphs ?? ['encode', 'decode']) {
    const s = await session(g);
    if (E.isLeft(s)) return s;
  }
  const runOn = (s: ort.InferenceSession, name: GraphName): Outputs => async (x, n) => {
    const out = await runBatched(s, { dtype: m.dtype, input: s.inputNames[0], shape: name === 'decode' ? m.codeShape : m.inputShape }, x, n);
    return Object.fromEntries(s.outputNames.map((k) => [k, asF32(out[k])]));
  };
  const outputs = async (name: GraphName): Promise<E.Either<Failure, Outputs>> => E.map((s: ort.InferenceSession) => runOn(s, name))(await session(name));
  /** The library's functions: a graph that cannot be opened throws. */
  const opened = async (name: GraphName) => {
    const s = await session(name);
    if (E.isLeft(s)) throw new Error(s.left.message);
    return s.right;
  };
  const first = (name: GraphName) => async (x: Float32Array, n: number) => {
    const s = await opened(name);
    return (await runOn(s, name)(x, n))[s.outputNames[0]];
  };
  return E.right({
    ...runDir(dir),
    model: m,
    encode: first('encode'),
    decode: first('decode'),
    encodeAll: async (x, n) => runOn(await opened('encode'), 'encode')(x, n),
    session,
    outputs,
  });
};
