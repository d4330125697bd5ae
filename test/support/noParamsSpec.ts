// A spec without parameters, for the --set refusal test.
import { linearAutoencoder } from '../../examples/linear-ae';

export default linearAutoencoder(2);
