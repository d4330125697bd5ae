// A small convolutional autoencoder for 28×28 digits — the default conv example, quick on 2 cores:
// two 4×4 stride-2 convolutions (28 → 14 → 7) to a 32-d code, and their transposed mirror.
import { autoencoder, bernoulli, conv2d, convTranspose2d, dense, flatten, flow, input, relu, reshape } from '../dsl';

export const convAutoencoder = (code = 32, name = 'conv_ae') =>
  autoencoder({
    name,
    input: input([1, 28, 28]),
    encoder: flow(
      conv2d(16, { kernel: 4, stride: 2, padding: 1 }), // [16, 14, 14]
      relu,
      conv2d(32, { kernel: 4, stride: 2, padding: 1 }), // [32, 7, 7]
      relu,
      flatten,
      dense(code),
    ),
    decoder: flow(
      dense(32 * 7 * 7),
      relu,
      reshape([32, 7, 7]),
      convTranspose2d(16, { kernel: 4, stride: 2, padding: 1 }), // [16, 14, 14]
      relu,
      convTranspose2d(1, { kernel: 4, stride: 2, padding: 1 }), // [1, 28, 28] logits
    ),
    likelihood: bernoulli,
  }).objective(({ x, code: z, decoder }) => ({ reconstruction: bernoulli(decoder(z), x) }));

export default convAutoencoder();
