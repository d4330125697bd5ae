// GANs with the DCGAN generator and discriminator (Radford et al. 2015): on the 64×64 `shapes`
// set (the generator of examples/dcgan.ts with a tanh output), and a smaller pair for the 28×28
// digits. Non-saturating loss; k discriminator steps per generator step (see `hourglass gan`).
import { batchNorm, conv2d, convTranspose2d, dense, flatten, flow, gan, input, leakyRelu, relu, reshape, tanh } from '../dsl';
import type { Init } from '../compiler/model';
import { discriminatorTrunk, generator } from './dcgan';

/** The DCGAN pair on 64×64×1 images; `base` feature maps at 32×32 (Radford et al. use 128 at 64×64 colour images). */
export const dcgan = (latent = 100, base = 32, name = 'dcgan') =>
  gan({
    name,
    input: input([1, 64, 64]),
    latent,
    generator: flow(generator(base), tanh),
    discriminator: flow(discriminatorTrunk(base), dense(1)),
  });

/** Radford et al.'s initialisation: every weight from N(0, 0.02), biases zero. */
export const RADFORD_INIT: Init = { kind: 'normal', std: 0.02 };

/**
 * A small DCGAN for 28×28 digits: 7×7 maps, two fractionally strided convolutions (7 → 14 → 28).
 * `init` is every dense and convolution weight's initialisation (default Glorot-uniform).
 */
export const digitsGan = (latent = 64, base = 32, name = 'digits_gan', init?: Init) =>
  gan({
    name,
    input: input([1, 28, 28]),
    latent,
    generator: flow(
      flow(dense(2 * base * 7 * 7, { bias: false, init }), reshape([2 * base, 7, 7] as const), batchNorm(), relu),
      flow(convTranspose2d(base, { kernel: 4, stride: 2, padding: 1, bias: false, init }), batchNorm(), relu), // [b, 14, 14]
      convTranspose2d(1, { kernel: 4, stride: 2, padding: 1, init }), // [1, 28, 28]
      tanh,
    ),
    discriminator: flow(
      flow(conv2d(base, { kernel: 4, stride: 2, padding: 1, init }), leakyRelu(0.2)), // [b, 14, 14]
      flow(conv2d(2 * base, { kernel: 4, stride: 2, padding: 1, bias: false, init }), batchNorm(), leakyRelu(0.2)), // [2b, 7, 7]
      flatten,
      dense(1, { init }),
    ),
  });

export default dcgan();
