// Seeded initial values for parameters and optimizer state, from the manifest's recipes.
import type { Init } from '../../compiler/model';
import { Rng } from './random';

export type FloatArray = Float32Array | Float64Array;

export const allocate = (dtype: 'f32' | 'f64', n: number): FloatArray => (dtype === 'f64' ? new Float64Array(n) : new Float32Array(n));

/** Fan-in and fan-out of a weight of `shape` (dense: [in, out]). */
const fans = (shape: readonly number[]): [number, number] => {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[0] * receptive, shape[1] * receptive];
};

export const initialValues = (init: Init, shape: readonly number[], dtype: 'f32' | 'f64', rng: Rng): FloatArray => {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = allocate(dtype, n);
  const [fanIn, fanOut] = fans(shape);
  switch (init.kind) {
    case 'constant':
      out.fill(init.value);
      break;
    case 'glorotUniform': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < n; i++) out[i] = (2 * rng.uniform() - 1) * limit;
      break;
    }
    case 'heNormal': {
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
      break;
    }
    case 'normal':
      for (let i = 0; i < n; i++) out[i] = rng.normal() * init.std;
      break;
    case 'uniform':
      for (let i = 0; i < n; i++) out[i] = (2 * rng.uniform() - 1) * init.limit;
      break;
  }
  return out;
};
