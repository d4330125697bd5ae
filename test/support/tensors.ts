// Compiling a model for trainer tests, and comparing tensors byte for byte (bit-exactness checks).
import * as E from 'fp-ts/Either';
import { expect } from 'vitest';
import { compileModel, type Artifacts } from '../../compiler/compile';
import { showError } from '../../compiler/ir/types';
import type { ModelDef } from '../../compiler/model';
import type { OptimizerKind } from '../../compiler/optim/optimizer';
import type { FloatArray } from '../../runtime/core/init';

export const buildArtifacts = (def: ModelDef, kind: OptimizerKind = 'adam', dtype: 'f32' | 'f64' = 'f32'): Artifacts => {
  const r = compileModel(def, { optimizer: { kind, lr: 2e-3, hyper: {} }, dtype });
  if (E.isLeft(r)) throw new Error(showError(r.left));
  return r.right;
};

export const bytes = (a: FloatArray) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The same tensor names, and every tensor equal byte for byte. */
export const sameTensors = (a: Record<string, FloatArray>, b: Record<string, FloatArray>, what: string) => {
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const k of Object.keys(a)) expect(bytes(a[k]).equals(bytes(b[k])), `${k} ${what}`).toBe(true);
};
