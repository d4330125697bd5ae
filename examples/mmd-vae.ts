// InfoVAE / MMD-VAE (Zhao et al. 2017): reconstruction + λ·MMD(aggregate posterior, prior), λ = 1000.
import { autoencoder, bernoulli, dense, flow, gaussianHead, input, mmd, params, relu, reparameterise, standardNormal } from '../dsl';

export const mmdVae = (latent = 2, lambda = 1000, hidden = 400) =>
  autoencoder({
    name: 'mmd_vae',
    input: input([784]),
    encoder: flow(dense(hidden), relu, gaussianHead(latent)),
    decoder: flow(dense(hidden), relu, dense(784)),
    likelihood: bernoulli,
  }).objective(({ x, code: q, decoder }) => {
    const z = reparameterise(q);
    return { reconstruction: bernoulli(decoder(z), x), mmd: mmd(z, standardNormal(latent), { lambda, kernel: 'rbf' }) };
  });

export default params({ latent: 2, lambda: 1000, hidden: 400 }, (p) => mmdVae(p.latent, p.lambda, p.hidden));
