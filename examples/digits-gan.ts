// The small DCGAN for 28×28 digits (examples/gan.ts), as a spec of its own:
//   hourglass gan examples/digits-gan.ts --data mnist --out runs/digits-gan --rounds 400
import { digitsGan } from './gan';

export default digitsGan();
