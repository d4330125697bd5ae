// VAE (Kingma & Welling 2013): MLP encoder to a Gaussian, Bernoulli decoder, ELBO = recon + KL.
import { autoencoder, bernoulli, dense, flow, gaussianHead, input, kl, params, relu, reparameterise, standardNormal } from '../dsl';

export const vae = (latent = 20, beta = 1, name = 'vae', hidden = 400) =>
  autoencoder({
    name,
    input: input([784]),
    encoder: flow(dense(hidden), relu, gaussianHead(latent)),
    decoder: flow(dense(hidden), relu, dense(784)),
    likelihood: bernoulli,
  }).objective(({ x, code: q, decoder }) => ({
    reconstruction: bernoulli(decoder(reparameterise(q)), x),
    kl: kl(q, standardNormal(latent), { beta }),
  }));

// hourglass train examples/vae.ts --set latent=2 --set hidden=200
export default params({ latent: 20, beta: 1, hidden: 400 }, (p) => vae(p.latent, p.beta, 'vae', p.hidden));
