// The convolutional β-VAE of Higgins et al. 2017 (their chairs / dSprites-style network), on the
// 64×64 `shapes` set: four 4×4 stride-2 convolutions (32, 32, 64, 64 maps: 64 → 32 → 16 → 8 → 4),
// FC 256, ReLU, 32 latents, and the transposed mirror; Bernoulli pixels; Adam 1e-4 in the paper.
//   hourglass train examples/chairs-vae.ts --data shapes --optimizer adam --lr 1e-4
import { autoencoder, bernoulli, conv2d, convTranspose2d, dense, flatten, flow, gaussianHead, input, kl, relu, reparameterise, reshape, standardNormal } from '../dsl';

const down = <const C extends number>(c: C) => conv2d(c, { kernel: 4, stride: 2, padding: 1 });
const up = <const C extends number>(c: C) => convTranspose2d(c, { kernel: 4, stride: 2, padding: 1 });

export const chairsVae = (latent = 32, beta = 1, name = 'chairs_vae') =>
  autoencoder({
    name,
    input: input([1, 64, 64]),
    encoder: flow(flow(down(32), relu, down(32), relu, down(64), relu, down(64), relu), flatten, dense(256), relu, gaussianHead(latent)),
    decoder: flow(dense(256), relu, dense(64 * 4 * 4), relu, reshape([64, 4, 4]), flow(up(64), relu, up(32), relu, up(32), relu, up(1))),
    likelihood: bernoulli,
  }).objective(({ x, code: q, decoder }) => ({
    reconstruction: bernoulli(decoder(reparameterise(q)), x),
    kl: kl(q, standardNormal(latent), { beta }),
  }));

export default chairsVae();
