// DC-IGN-style VAE (Kulkarni et al. 2015) on the 64×64 `shapes` set: 3×3 convolutions with
// padding 1 (96, 48, 48 maps), each followed by 2×2 max pooling (64 → 32 → 16 → 8); the decoder
// unpools with the encoder's pooling switches where they exist (training, reconstruction) and to
// the top-left of each window when decoding a bare code, then convolves back to one map.
import { autoencoder, bernoulli, conv2d, dense, flatten, flow, gaussianHead, input, kl, maxPool2d, maxUnpool2d, relu, reparameterise, reshape, standardNormal } from '../dsl';

const conv3 = <const C extends number>(c: C) => conv2d(c, { kernel: 3, padding: 1 });

export const dcign = (latent = 32, widths: readonly [number, number, number] = [96, 48, 48], name = 'dcign') => {
  const [a, b, c] = widths;
  const pools = [maxPool2d(2), maxPool2d(2), maxPool2d(2)] as const;
  return autoencoder({
    name,
    input: input([1, 64, 64]),
    encoder: flow(flow(conv3(a), relu, pools[0], conv3(b), relu, pools[1]), conv3(c), relu, pools[2], flatten, gaussianHead(latent)),
    decoder: flow(
      flow(dense(c * 8 * 8), relu, reshape([c, 8, 8])),
      maxUnpool2d(pools[2]), // [c, 16, 16]
      conv3(b),
      relu,
      maxUnpool2d(pools[1]), // [b, 32, 32]
      conv3(a),
      relu,
      maxUnpool2d(pools[0]), // [a, 64, 64]
      conv3(1),
    ),
    likelihood: bernoulli,
  }).objective(({ x, code: q, decoder }) => ({
    reconstruction: bernoulli(decoder(reparameterise(q)), x),
    kl: kl(q, standardNormal(latent), { beta: 1 }),
  }));
};

export default dcign();
