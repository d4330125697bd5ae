// VAE (Kingma & Welling 2013): MLP encoder to a Gaussian, Bernoulli decoder, ELBO = recon + KL.
import { autoencoder, bernoulli, dense, flow, gaussianHead, input, kl, params, relu, reparameterise, standardNormal, type InitName } from '../dsl';

const INITS: readonly InitName[] = ['glorot-uniform', 'glorot-normal', 'he-normal', 'he-uniform', 'lecun-normal', 'torch-default'];

export const vae = (latent = 20, beta = 1, name = 'vae', hidden = 400, init?: InitName) =>
  autoencoder({
    name,
    input: input([784]),
    encoder: flow(dense(hidden, { init }), relu, gaussianHead(latent, { init })),
    decoder: flow(dense(hidden, { init }), relu, dense(784, { init })),
    likelihood: bernoulli,
  }).objective(({ x, code: q, decoder }) => ({
    reconstruction: bernoulli(decoder(reparameterise(q)), x),
    kl: kl(q, standardNormal(latent), { beta }),
  }));

// hourglass train examples/vae.ts --set latent=2 --set hidden=200 --set init=torch-default
export default params({ latent: 20, beta: 1, hidden: 400, init: 'glorot-uniform' }, (p) => {
  const init = INITS.find((i) => i === p.init);
  if (!init) throw new Error(`init must be one of ${INITS.join(', ')}, got ${p.init}`);
  return vae(p.latent, p.beta, 'vae', p.hidden, init);
});
