// Linear autoencoder: at its optimum the decoder spans the top-r principal subspace (PCA).
import { autoencoder, dense, input, mse, params } from '../dsl';

export const linearAutoencoder = (r = 10, width = 784) =>
  autoencoder({
    name: 'linear_ae',
    input: input([width]),
    encoder: dense(r),
    decoder: dense(width),
    likelihood: mse,
  }).objective(({ x, code, decoder }) => ({ reconstruction: mse(decoder(code), x) }));

export default params({ r: 10, width: 784 }, (p) => linearAutoencoder(p.r, p.width));
