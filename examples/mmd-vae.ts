// InfoVAE / MMD-VAE (Zhao et al. 2017): reconstruction + λ·MMD(aggregate posterior, prior), λ = 1000.
import { autoencoder, bernoulli, dense, flow, gaussianHead, input, mmd, relu, reparameterise, standardNormal } from '../dsl';

export const mmdVae = (latent = 2, lambda = 1000) =>
  autoencoder({
    name: 'mmd_vae',
    input: input([784]),
    encoder: flow(dense(400), relu, gaussianHead(latent)),
    decoder: flow(dense(400), relu, dense(784)),
    likelihood: bernoulli,
  }).objective(({ x, code: q, decoder }) => {
    const z = reparameterise(q);
    return { reconstruction: bernoulli(decoder(z), x), mmd: mmd(z, standardNormal(latent), { lambda, kernel: 'rbf' }) };
  });

export default mmdVae();
