// A finished run's exported graphs as functions: encode examples to codes, decode codes to
// reconstructions. Plain onnxruntime sessions over exported/*.onnx, which carry their weights.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import * as ort from '../host/providers/ort';
import { EXIT, failure, type Failure } from '../core/failure';
import { parseExportedModel, type ExportedModel } from './export';
import { asF32, runBatched } from './batched';
import { runFiles } from './layout';

export interface OpenedRun {
  readonly model: ExportedModel;
  /** Codes of `n` examples stored row-major in `x` (μ for a Gaussian encoder). */
  readonly encode: (x: Float32Array, n: number) => Promise<Float32Array>;
  /** Mean reconstructions of `n` codes stored row-major in `z`. */
  readonly decode: (z: Float32Array, n: number) => Promise<Float32Array>;
  /** Every named output of the encoder (e.g. `code`, and `logVar` for a Gaussian encoder). */
  readonly encodeAll: (x: Float32Array, n: number) => Promise<Record<string, Float32Array>>;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export const openRun = async (dir: string): Promise<E.Either<Failure, OpenedRun>> => {
  const f = runFiles(dir);
  const meta = join(f.exported, 'model.json');
  if (!existsSync(meta)) return E.left(failure(EXIT.noInput, `${dir}: not a finished run (no exported/model.json); train it first`));
  const parsed = parseExportedModel(readFileSync(meta, 'utf8'), meta);
  if (E.isLeft(parsed)) return parsed;
  const m = parsed.right;
  const sessions: Partial<Record<'encode' | 'decode', ort.InferenceSession>> = {};
  for (const g of ['encode', 'decode'] as const) {
    const file = join(f.exported, `${g}.onnx`);
    try {
      sessions[g] = await ort.InferenceSession.create(file);
    } catch (err) {
      return E.left(failure(EXIT.dataErr, `${file}: onnxruntime cannot load it (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`));
    }
  }
  const run = async (s: ort.InferenceSession, input: string, data: Float32Array, n: number, shape: readonly number[]) => {
    const out = await runBatched(s, { dtype: m.dtype, input, shape }, data, n);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, asF32(v)]));
  };
  return E.right({
    model: m,
    encodeAll: (x, n) => run(sessions.encode!, 'x', x, n, m.inputShape),
    encode: async (x, n) => (await run(sessions.encode!, 'x', x, n, m.inputShape))[sessions.encode!.outputNames[0]],
    decode: async (z, n) => (await run(sessions.decode!, 'code', z, n, m.codeShape))[sessions.decode!.outputNames[0]],
  });
};
