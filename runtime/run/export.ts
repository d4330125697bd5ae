// Forward graphs with the trained weights inside: loadable by any ONNX Runtime, no Hourglass.
import { join } from 'node:path';
import type { Artifacts } from '../../compiler/compile';
import { bakeWeights } from '../../compiler/onnx/bake';
import type { FloatArray } from '../core/init';
import * as E from 'fp-ts/Either';
import { CliError, EXIT, failure, type Failure } from '../core/failure';
import { makeDir, refuseLink, writeFileAtomic } from '../host/fsx';

export const FORWARD = ['encode', 'decode', 'reconstruct'] as const;

export const exportForward = async (a: Artifacts, tensors: Readonly<Record<string, FloatArray>>, dir: string): Promise<string[]> => {
  refuseLink(dir);
  const why = makeDir(dir);
  if (why) throw new CliError(why, EXIT.cantCreate);
  const m = a.manifest;
  const weights = Object.fromEntries(m.params.map((p) => [p.name, { data: tensors[p.name], dims: p.shape }]));
  const written: string[] = [];
  const io: Record<string, unknown> = {};
  for (const name of FORWARD) {
    const spec = m.artifacts[name];
    if (!spec) continue;
    const path = join(dir, spec.file);
    writeFileAtomic(path, bakeWeights(a.files[spec.file], weights));
    io[name] = { file: spec.file, inputs: spec.inputs.filter((i) => i.role !== 'param'), outputs: spec.outputs };
    written.push(path);
  }
  const manifest = { model: m.model, specHash: m.specHash, dtype: m.dtype, inputShape: m.inputShape, codeShape: m.codeShape, graphs: io };
  writeFileAtomic(join(dir, 'model.json'), JSON.stringify(manifest, null, 2));
  return written;
};

/** What encode/reconstruct/sample need from exported/model.json, checked before any allocation. */
export interface ExportedModel {
  readonly model: string;
  readonly dtype: 'f32' | 'f64';
  readonly inputShape: readonly number[];
  readonly codeShape: readonly number[];
}

/** Most values one example or code may have: far beyond any model, far below a failed allocation. */
export const MAX_EXAMPLE_SIZE = 2 ** 24;

const shapeProblem = (x: unknown): string | null => {
  if (!Array.isArray(x) || x.length === 0) return 'must be a non-empty list of sizes';
  if (!x.every((d) => Number.isSafeInteger(d) && d > 0)) return `must hold positive integers, got ${JSON.stringify(x)}`;
  const n = x.reduce((a: number, b: number) => a * b, 1);
  return n > MAX_EXAMPLE_SIZE ? `${JSON.stringify(x)} has ${n} values, more than the ${MAX_EXAMPLE_SIZE} allowed` : null;
};

export const parseExportedModel = (text: string, file: string): E.Either<Failure, ExportedModel> => {
  let o: Partial<Record<keyof ExportedModel, unknown>>;
  try {
    o = JSON.parse(text);
  } catch (err) {
    return E.left(failure(EXIT.dataErr, `${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})`));
  }
  if (typeof o !== 'object' || o === null) return E.left(failure(EXIT.dataErr, `${file}: not an exported model description`));
  if (typeof o.model !== 'string') return E.left(failure(EXIT.dataErr, `${file}: model must be a name, got ${JSON.stringify(o.model)}`));
  if (o.dtype !== 'f32' && o.dtype !== 'f64') return E.left(failure(EXIT.dataErr, `${file}: dtype must be "f32" or "f64", got ${JSON.stringify(o.dtype)}`));
  for (const k of ['inputShape', 'codeShape'] as const) {
    const why = shapeProblem(o[k]);
    if (why) return E.left(failure(EXIT.dataErr, `${file}: ${k} ${why}`));
  }
  return E.right(o as ExportedModel);
};
