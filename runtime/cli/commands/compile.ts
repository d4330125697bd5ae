// hourglass compile <spec.ts> --out <dir>: write the artifacts and the manifest.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { enclosingRun, isOurManifest } from '../../run/outputs';
import * as E from 'fp-ts/Either';
import { compileModel } from '../../../compiler/compile';
import { showError } from '../../../compiler/ir/types';
import type { OptimizerKind } from '../../../compiler/optim/optimizer';
import { cannotCreate, unwritable, writeFileAtomic } from '../../host/fsx';
import { guardSpec } from '../../run/trainRun';
import { CliError, EXIT } from '../../core/failure';
import { loadSpecOrFail } from '../../host/spec/loadSpec';

export interface CompileOpts {
  readonly out: string;
  readonly dtype: 'f32' | 'f64';
  readonly optimizer: OptimizerKind;
  readonly lr: number;
  readonly typecheck: boolean;
  /** Seconds the spec may take to load (default SPEC_TIMEOUT_S). */
  readonly specTimeout?: number;
  readonly set?: readonly string[];
}

export const compileCommand = async (spec: string, o: CompileOpts): Promise<void> => {
  // The output first: a file in the way or an unwritable place fails before the spec loads.
  const early = cannotCreate(o.out);
  if (early) throw new CliError(early, EXIT.cantCreate);
  // Never into a run directory, and never over a manifest.json (and its graphs) not written by Hourglass.
  const run = enclosingRun(join(o.out, 'manifest.json'));
  if (run) throw new CliError(`${o.out}: is inside the run directory ${run}, where only the run's own files go; compile elsewhere`, EXIT.cantCreate);
  const manifest = join(o.out, 'manifest.json');
  if (existsSync(manifest) && !isOurManifest(manifest)) throw new CliError(`${manifest}: exists and was not written by Hourglass; not replacing it (pick another --out)`, EXIT.cantCreate);
  const { model, params } = await loadSpecOrFail(spec, { typecheck: o.typecheck, set: o.set, timeout: o.specTimeout });
  const compiled = guardSpec(() => compileModel(model, { optimizer: { kind: o.optimizer, lr: o.lr, hyper: {} }, dtype: o.dtype }));
  if (E.isLeft(compiled)) throw new CliError(`${spec}: ${showError(compiled.left)}`, EXIT.dataErr);
  const cannot = unwritable(o.out);
  if (cannot) throw new CliError(cannot, EXIT.cantCreate);
  if (!existsSync(manifest))
    for (const name of Object.keys(compiled.right.files))
      if (existsSync(join(o.out, name))) throw new CliError(`${join(o.out, name)}: exists beside no Hourglass manifest.json; not replacing it (pick another --out)`, EXIT.cantCreate);
  for (const [name, bytes] of Object.entries(compiled.right.files)) {
    writeFileAtomic(join(o.out, name), bytes);
    console.log(`wrote ${join(o.out, name)} (${bytes.length} bytes)`);
  }
  writeFileAtomic(join(o.out, 'manifest.json'), JSON.stringify(compiled.right.manifest, null, 2));
  const m = compiled.right.manifest;
  const nParams = m.params.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  console.log(`wrote ${join(o.out, 'manifest.json')} (${m.model}: ${m.params.length} parameter tensors, ${nParams} weights, ${o.optimizer}, ${o.dtype}${Object.keys(params).length ? `; ${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''})`);
};
