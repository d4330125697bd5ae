// The DCGAN generator and discriminator (Radford et al. 2015, the lecture's first figure), scaled
// to 64×64×1: a code projected and reshaped to 4×4 feature maps, then fractionally strided 4×4
// convolutions with batch norm and ReLU (4 → 8 → 16 → 32 → 64). The discriminator mirrors it with
// strided convolutions and leaky ReLU (slope 0.2), batch norm on all but its first layer.
import { batchNorm, conv2d, convTranspose2d, dense, flatten, flow, gan, input, leakyRelu, relu, reshape, tanh } from '../dsl';

const up = <const C extends number>(c: C) => convTranspose2d(c, { kernel: 4, stride: 2, padding: 1, bias: false });
const down = <const C extends number>(c: C) => conv2d(c, { kernel: 4, stride: 2, padding: 1, bias: false });

/** Code → [1, 64, 64] pre-activation (tanh for a GAN's images in [−1, 1], logits for a Bernoulli decoder). `base` maps at 32×32. */
export const generator = (base = 32) =>
  flow(
    flow(dense(8 * base * 4 * 4, { bias: false }), reshape([8 * base, 4, 4] as const), batchNorm(), relu),
    flow(up(4 * base), batchNorm(), relu), // [4b, 8, 8]
    flow(up(2 * base), batchNorm(), relu), // [2b, 16, 16]
    flow(up(base), batchNorm(), relu), // [b, 32, 32]
    convTranspose2d(1, { kernel: 4, stride: 2, padding: 1 }), // [1, 64, 64]
  );

/** [1, 64, 64] → features [8b · 4 · 4] (the discriminator's last layer, or an encoder's trunk). */
export const discriminatorTrunk = (base = 32) =>
  flow(
    flow(conv2d(base, { kernel: 4, stride: 2, padding: 1 }), leakyRelu(0.2)), // [b, 32, 32]
    flow(down(2 * base), batchNorm(), leakyRelu(0.2)), // [2b, 16, 16]
    flow(down(4 * base), batchNorm(), leakyRelu(0.2)), // [4b, 8, 8]
    flow(down(8 * base), batchNorm(), leakyRelu(0.2)), // [8b, 4, 4]
    flatten,
  );

/**
 * The pair as a GAN (a tanh generator, one logit from the trunk), so this file compiles on its own:
 * `hourglass compile examples/dcgan.ts`. examples/gan.ts trains the same pair and a smaller one.
 */
export default gan({ name: 'dcgan', input: input([1, 64, 64]), latent: 100, generator: flow(generator(), tanh), discriminator: flow(discriminatorTrunk(), dense(1)) });
