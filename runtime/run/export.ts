// Forward graphs with the trained weights inside: loadable by any ONNX Runtime, no Hourglass.
import { join } from 'node:path';
import type { Artifacts } from '../../compiler/compile';
import { bakeWeights } from '../../compiler/onnx/bake';
import type { FloatArray } from '../init';
import { CliError, EXIT } from '../cli/fail';
import { makeDir, refuseLink, writeFileAtomic } from './fsx';

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
