// `input([784])`: a per-example shape with its sizes kept as literal types.
import type { Shape } from './tensor';

export const input = <const S extends Shape>(shape: S): S => shape;
