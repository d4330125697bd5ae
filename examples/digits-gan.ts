// The DCGAN for 28×28 digits (examples/gan.ts), as a spec of its own: 64 latents, 64 feature maps
// at 14×14 (128 at 7×7), and Radford et al.'s N(0, 0.02) weights. Twice the width of the first
// version (32 maps) is what raised the classifier-confident share most (docs/reproductions.md).
//   hourglass gan examples/digits-gan.ts --data mnist --out runs/digits-gan --rounds 400
import { digitsGan, RADFORD_INIT } from './gan';

export default digitsGan(64, 64, 'digits_gan', RADFORD_INIT);
