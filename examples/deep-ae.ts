// Deep autoencoder (Hinton & Salakhutdinov 2006): 784-1000-500-250-2, linear code, logistic output.
import { autoencoder, bernoulli, dense, flow, input, params, relu } from '../dsl';

export const deepAutoencoder = (code = 2) =>
  autoencoder({
    name: 'deep_ae',
    input: input([784]),
    encoder: flow(dense(1000), relu, dense(500), relu, dense(250), relu, dense(code)),
    decoder: flow(dense(250), relu, dense(500), relu, dense(1000), relu, dense(784)),
    likelihood: bernoulli,
  }).objective(({ x, code, decoder }) => ({ reconstruction: bernoulli(decoder(code), x) }));

export default params({ code: 2 }, (p) => deepAutoencoder(p.code));
