// k-sparse autoencoder (Makhzani & Frey 2013): 1000 linear codes, keep the k = 25 largest,
// tied decoder weights, squared error; encode with α·k. Training follows the paper's
// k-annealing: k falls linearly from 100 to 25 over the first half of the epochs.
import { autoencoder, dense, flow, input, mse, params, sparsifyK, tied } from '../dsl';

export const kSparse = (k = 25, alpha = 3, hidden = 1000, annealFrom: number | undefined = 100) => {
  const code = dense(hidden);
  return autoencoder({
    name: 'k_sparse',
    input: input([784]),
    encoder: flow(code, sparsifyK(k, { alpha, anneal: annealFrom === undefined ? undefined : { from: annealFrom } })),
    decoder: tied(code, 784),
    likelihood: mse,
  }).objective(({ x, code: h, decoder }) => ({ reconstruction: mse(decoder(h), x) }));
};

// anneal = 0 turns k-annealing off.
export default params({ k: 25, alpha: 3, hidden: 1000, anneal: 100 }, (p) => kSparse(p.k, p.alpha, p.hidden, p.anneal > 0 ? p.anneal : undefined));
