// k-sparse autoencoder (Makhzani & Frey 2013): 1000 linear codes, keep the k = 25 largest,
// tied decoder weights, squared error; encode with α·k.
import { autoencoder, dense, flow, input, mse, sparsifyK, tied } from '../dsl';
import { kAnnealing } from '../dsl/schedules';

export const kSparse = (k = 25, alpha = 3, hidden = 1000) => {
  const code = dense(hidden);
  return autoencoder({
    name: 'k_sparse',
    input: input([784]),
    encoder: flow(code, sparsifyK(k, { alpha })),
    decoder: tied(code, 784),
    likelihood: mse,
  }).objective(({ x, code: h, decoder }) => ({ reconstruction: mse(decoder(h), x) }));
};

/** The paper's schedule: k falls linearly from 100 to 25 over the first half of training. */
export const schedule = (epochs: number) => kAnnealing({ from: 100, to: 25, epochs: Math.ceil(epochs / 2) });

export default kSparse();
