// What a figure needs from a finished run directory: its exported graphs (through onnxruntime),
// the checkpoint's tensors, the manifest's terms, metrics.jsonl and the run's held-out data.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import * as ort from '../../host/providers/ort';
import type { Manifest } from '../../../compiler/manifest';
import { readCheckpoint } from '../../host/checkpoint';
import { splitHeldOut, type Dataset } from '../../core/dataset';
import { showDataError } from '../../host/data/errors';
import { resolveDataset } from '../../host/data/resolve';
import type { FloatArray } from '../../core/init';
import type { SplitRecord } from '../../run/finished';
import { asF32, runBatched } from '../../run/batched';
import { runFiles } from '../../run/layout';
import { readRecord } from '../../run/record';
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

export type GraphName = 'encode' | 'decode' | 'reconstruct';

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

const readJson = <A>(path: string): E.Either<string, A> => {
  if (!existsSync(path)) return E.left(`${path}: missing`);
  try {
    return E.right(JSON.parse(readFileSync(path, 'utf8')) as A);
  } catch {
    return E.left(`${path}: not valid JSON`);
  }
};

export const readMetrics = (path: string): MetricsLine[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as MetricsLine)
    : [];

export const openRun = async (dir: string): Promise<E.Either<string, OpenRun>> => {
  const f = runFiles(dir);
  if (!existsSync(join(f.exported, 'model.json'))) return E.left(`${dir}: not a finished run (no exported/model.json); train it first`);
  if (!existsSync(f.settings)) return E.left(`${f.settings}: missing`);
  const record = readRecord(f.settings);
  if (E.isLeft(record)) return E.left(record.left.message);
  const run = record.right as unknown as RunJson;
  const manifest = readJson<Manifest>(f.manifest);
  if (E.isLeft(manifest)) return manifest;
  const ck = readCheckpoint(f.checkpoint);
  if (E.isLeft(ck)) return ck;
  const m = manifest.right;
  const dtype = m.dtype;
  const sessions = new Map<string, ort.InferenceSession>();
  const outputs = async (name: GraphName) => {
    let s = sessions.get(name);
    if (!s) {
      s = await ort.InferenceSession.create(join(f.exported, `${name}.onnx`), { logSeverityLevel: 3 });
      sessions.set(name, s);
    }
    const session = s;
    const shape = name === 'decode' ? m.codeShape : m.inputShape;
    return async (x: Float32Array, n: number) => {
      const out = await runBatched(session, { dtype, input: session.inputNames[0], shape }, x, n);
      return Object.fromEntries(session.outputNames.map((k) => [k, asF32(out[k])]));
    };
  };
  const graph = async (name: GraphName) => {
    const all = await outputs(name);
    const first = sessions.get(name)!.outputNames[0];
    return async (x: Float32Array, n: number) => (await all(x, n))[first];
  };
  return E.right({
    dir,
    run,
    manifest: m,
    inputShape: m.inputShape,
    codeDim: size(m.codeShape),
    dim: size(m.inputShape),
    metrics: readMetrics(f.metrics),
    tensors: ck.right.tensors,
    graph,
    outputs,
  });
};

/**
 * The run's held-out examples: its separate held-out set, or the held-out rows of its split
 * (or of `data`, split the same way, when another data set is named).
 */
export const heldOutOf = (run: OpenRun, data?: string): E.Either<string, Dataset> => {
  const split = run.run.split;
  const separate = data === undefined ? split?.heldOutData : undefined;
  const name = data ?? separate ?? run.run.settings.data;
  const d = resolveDataset(name, { binarise: (split?.binarise ?? run.run.settings.binarise) === true });
  if (E.isLeft(d)) return E.left(showDataError(d.left));
  if (d.right.dim !== run.dim) return E.left(`${name}: examples have ${d.right.dim} values, the model expects [${run.inputShape.join(', ')}]`);
  if (separate) return E.right(d.right);
  const fraction = split ? split.heldOut : (typeof run.run.settings.heldOut === 'number' ? (run.run.settings.heldOut as number) : undefined);
  // A run that held nothing out: show its training data (said so in the report).
  if (fraction === 0) return E.right(d.right);
  return E.right(splitHeldOut(d.right, fraction, split?.seed).heldOut);
};

/** The model has a prior to sample from: a KL or MMD term against N(0, I) and noise inputs. */
export const isGenerative = (run: OpenRun): boolean =>
  run.manifest.noise.length > 0 && run.manifest.terms.some((t) => /^(kl|mmd)/.test(t.name));
