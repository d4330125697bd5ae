// What the DCGAN bench scripts share: examples/gan.ts's 64×64 DCGAN compiled with Radford et al.'s
// Adam (lr 2e-4, β1 0.5) for both players, and 8 batches of uniform noise images to train on.
import * as E from 'fp-ts/Either';
import { compileGan, type GanArtifacts } from '../compiler/gan';
import type { Dataset } from '../runtime/core/dataset';
import { Rng } from '../runtime/core/random';
import { dcgan } from '../examples/gan';

export const dcganBench = (batch: number): { readonly art: GanArtifacts; readonly data: Dataset } => {
  const opt = { kind: 'adam' as const, lr: 2e-4, hyper: { beta1: 0.5 } };
  const c = compileGan(dcgan().def, { generator: opt, discriminator: opt });
  if (E.isLeft(c)) throw new Error(c.left.message);
  const dim = 64 * 64;
  const rng = Rng.seeded(0);
  const n = 8 * batch;
  return { art: c.right, data: { name: 'uniform', images: Float32Array.from({ length: n * dim }, () => rng.uniform()), n, shape: [1, 64, 64], dim } };
};
