// The InfoVAE toy (Zhao et al. 2017, Fig. 1): data {−1, +1}, one latent, q(z | x) a Gaussian head
// on x itself, a small decoder with a sharp Gaussian likelihood (σ² = 0.01, so weight 50 on the
// squared error). lambda = 0 trains the ELBO (KL term); lambda > 0 replaces it by λ·MMD (InfoVAE).
import { autoencoder, dense, flow, gaussianHead, input, kl, mmd, mse, params, relu, reparameterise, standardNormal, type Term } from '../dsl';

export const toyVae = (lambda = 0, hidden = 32) =>
  autoencoder({
    name: lambda > 0 ? 'toy_infovae' : 'toy_elbo_vae',
    input: input([1]),
    encoder: gaussianHead(1),
    decoder: flow(dense(hidden), relu, dense(1)),
    likelihood: mse,
  }).objective(({ x, code: q, decoder }) => {
    const z = reparameterise(q);
    const reconstruction = mse(decoder(z), x, { weight: 50 });
    const divergence: Record<string, Term> =
      lambda > 0 ? { mmd: mmd(z, standardNormal(1), { lambda, kernel: 'rbf' }) } : { kl: kl(q, standardNormal(1)) };
    return { reconstruction, ...divergence };
  });

export default params({ lambda: 0, hidden: 32 }, (p) => toyVae(p.lambda, p.hidden));
