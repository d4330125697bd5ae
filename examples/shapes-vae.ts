// The fully connected β-VAE of Higgins et al. 2017 for 64×64 2-D shapes: 4096 → 1200 → 1200 →
// 10 latents → 1200 → 1200 → 1200 → 4096, Bernoulli pixels (the paper trains it with Adagrad 1e-2).
import { autoencoder, bernoulli, dense, flow, gaussianHead, input, kl, params, relu, reparameterise, standardNormal } from '../dsl';

export const shapesVae = (beta = 4, latent = 10, hidden = 1200) =>
  autoencoder({
    name: 'shapes_vae',
    input: input([4096]),
    encoder: flow(dense(hidden), relu, dense(hidden), relu, gaussianHead(latent)),
    decoder: flow(dense(hidden), relu, dense(hidden), relu, dense(hidden), relu, dense(4096)),
    likelihood: bernoulli,
  }).objective(({ x, code: q, decoder }) => ({
    reconstruction: bernoulli(decoder(reparameterise(q)), x),
    kl: kl(q, standardNormal(latent), { beta }),
  }));

export default params({ beta: 4, latent: 10, hidden: 1200 }, (p) => shapesVae(p.beta, p.latent, p.hidden));
