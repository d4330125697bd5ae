// VAE (Kingma & Welling 2013): MLP encoder to a Gaussian, Bernoulli decoder, ELBO = recon + KL.
import { autoencoder, bernoulli, dense, flow, gaussianHead, input, kl, relu, reparameterise, standardNormal } from '../dsl';

export const vae = (latent = 20, beta = 1, name = 'vae') =>
  autoencoder({
    name,
    input: input([784]),
    encoder: flow(dense(400), relu, gaussianHead(latent)),
    decoder: flow(dense(400), relu, dense(784)),
    likelihood: bernoulli,
  }).objective(({ x, code: q, decoder }) => ({
    reconstruction: bernoulli(decoder(reparameterise(q)), x),
    kl: kl(q, standardNormal(latent), { beta }),
  }));

export default vae();
