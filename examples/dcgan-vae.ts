// A convolutional VAE whose decoder is the DCGAN generator (examples/dcgan.ts), on the 64×64
// `shapes` set: a 100-d code, the DCGAN discriminator's trunk as encoder, Bernoulli pixels (the
// generator's last layer gives logits here instead of tanh).
import { autoencoder, bernoulli, flow, gaussianHead, input, kl, reparameterise, standardNormal } from '../dsl';
import { discriminatorTrunk, generator } from './dcgan';

export const dcganVae = (latent = 100, base = 32, name = 'dcgan_vae') =>
  autoencoder({
    name,
    input: input([1, 64, 64]),
    encoder: flow(discriminatorTrunk(base), gaussianHead(latent)),
    decoder: generator(base),
    likelihood: bernoulli,
  }).objective(({ x, code: q, decoder }) => ({
    reconstruction: bernoulli(decoder(reparameterise(q)), x),
    kl: kl(q, standardNormal(latent)),
  }));

export default dcganVae();
