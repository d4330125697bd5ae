// hourglass compile <spec.ts> --out <dir>: write the artifacts and the manifest.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { compileModel } from '../../../compiler/compile';
import { showError } from '../../../compiler/ir/types';
import type { OptimizerKind } from '../../../compiler/optim/optimizer';
import { unwritable, writeFileAtomic } from '../../run/fsx';
import { CliError } from '../fail';
import { loadSpecOrFail } from '../loadSpec';

export interface CompileOpts {
  readonly out: string;
  readonly dtype: 'f32' | 'f64';
  readonly optimizer: OptimizerKind;
  readonly lr: number;
  readonly typecheck: boolean;
  readonly set?: readonly string[];
}

export const compileCommand = async (spec: string, o: CompileOpts): Promise<void> => {
  const { model, params } = await loadSpecOrFail(spec, { typecheck: o.typecheck, set: o.set });
  const compiled = compileModel(model, { optimizer: { kind: o.optimizer, lr: o.lr, hyper: {} }, dtype: o.dtype });
  if (E.isLeft(compiled)) throw new CliError(`${spec}: ${showError(compiled.left)}`);
  const cannot = unwritable(o.out);
  if (cannot) throw new CliError(cannot);
  mkdirSync(o.out, { recursive: true });
  for (const [name, bytes] of Object.entries(compiled.right.files)) {
    writeFileAtomic(join(o.out, name), bytes);
    console.log(`wrote ${join(o.out, name)} (${bytes.length} bytes)`);
  }
  writeFileAtomic(join(o.out, 'manifest.json'), JSON.stringify(compiled.right.manifest, null, 2));
  const m = compiled.right.manifest;
  const nParams = m.params.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  console.log(`wrote ${join(o.out, 'manifest.json')} (${m.model}: ${m.params.length} parameter tensors, ${nParams} weights, ${o.optimizer}, ${o.dtype}${Object.keys(params).length ? `; ${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''})`);
};
