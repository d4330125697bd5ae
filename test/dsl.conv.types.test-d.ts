// Type tests for image layers: literal kernels, strides and paddings give literal output sizes,
// so a decoder that does not come back to the input's [C, H, W] fails in tsc.
import { describe, expectTypeOf, test } from 'vitest';
import {
  autoencoder, avgPool2d, bernoulli, conv2d, convTranspose2d, dense, flatten, flow, input, maxPool2d, maxUnpool2d, pipe, relu, reshape, upsample,
  type T,
} from '../dsl';
import type { ConvSize, ConvTransposeSize } from '../dsl/sizes';

declare const img: T<readonly [1, 64, 64]>;
declare const digits: T<readonly [1, 28, 28]>;
declare const v: T<readonly [784]>;

describe('conv sizes ride in the types', () => {
  test('the size arithmetic', () => {
    expectTypeOf<ConvSize<64, 4, 2, 1, 1>>().toEqualTypeOf<32>(); // k4 s2 p1 halves
    expectTypeOf<ConvSize<28, 3, 1, 1, 1>>().toEqualTypeOf<28>(); // k3 s1 p1 keeps
    expectTypeOf<ConvSize<7, 3, 2, 0, 1>>().toEqualTypeOf<3>(); // ⌊(7 − 3) / 2⌋ + 1, stride not dividing
    expectTypeOf<ConvSize<9, 3, 1, 0, 2>>().toEqualTypeOf<5>(); // dilation 2: a 5-wide window
    expectTypeOf<ConvSize<2, 5, 1, 0, 1>>().toEqualTypeOf<never>(); // the kernel does not fit
    expectTypeOf<ConvSize<number, 4, 2, 1, 1>>().toEqualTypeOf<number>();
    expectTypeOf<ConvTransposeSize<32, 4, 2, 1, 1, 0>>().toEqualTypeOf<64>(); // k4 s2 p1 doubles
    expectTypeOf<ConvTransposeSize<7, 3, 2, 1, 1, 1>>().toEqualTypeOf<14>(); // output padding picks 14 over 13
  });

  test('layers carry [C, H, W]', () => {
    expectTypeOf(pipe(img, conv2d(32, { kernel: 4, stride: 2, padding: 1 }))).toEqualTypeOf<T<readonly [32, 32, 32]>>();
    expectTypeOf(pipe(img, conv2d(8, { kernel: 3, padding: 1 }), relu)).toEqualTypeOf<T<readonly [8, 64, 64]>>();
    expectTypeOf(pipe(img, maxPool2d(2))).toEqualTypeOf<T<readonly [1, 32, 32]>>();
    expectTypeOf(pipe(img, avgPool2d(4))).toEqualTypeOf<T<readonly [1, 16, 16]>>();
    expectTypeOf(pipe(digits, upsample(2))).toEqualTypeOf<T<readonly [1, 56, 56]>>();
    const pool = maxPool2d(2);
    expectTypeOf(pipe(img, pool, maxUnpool2d(pool))).toEqualTypeOf<T<readonly [1, 64, 64]>>();
    expectTypeOf(pipe(img, convTranspose2d(3, { kernel: 4, stride: 2, padding: 1 }))).toEqualTypeOf<T<readonly [3, 128, 128]>>();
    // Asymmetric padding is not computed in the type: the sizes are `number`, checked at build.
    expectTypeOf(pipe(img, conv2d(2, { kernel: 3, padding: [0, 1, 2, 1] }))).toEqualTypeOf<T<readonly [2, number, number]>>();
  });

  test('a layer needs an image', () => {
    // @ts-expect-error — conv2d takes [C, H, W], not a vector
    conv2d(8, { kernel: 3 })(v);
  });

  test('a decoder that misses the input size does not type-check', () => {
    autoencoder({
      name: 'ok',
      input: input([1, 28, 28]),
      encoder: flow(conv2d(8, { kernel: 4, stride: 2, padding: 1 }), relu, flatten, dense(16)),
      decoder: flow(dense(8 * 14 * 14), reshape([8, 14, 14]), convTranspose2d(1, { kernel: 4, stride: 2, padding: 1 })),
      likelihood: bernoulli,
    });
    autoencoder({
      name: 'bad',
      input: input([1, 28, 28]),
      encoder: flow(conv2d(8, { kernel: 4, stride: 2, padding: 1 }), relu, flatten, dense(16)),
      // @ts-expect-error — k3 s2 p1 maps 14 to 27, not 28 (it needs outputPadding: 1)
      decoder: flow(dense(8 * 14 * 14), reshape([8, 14, 14]), convTranspose2d(1, { kernel: 3, stride: 2, padding: 1 })),
      likelihood: bernoulli,
    });
    autoencoder({
      name: 'fixed',
      input: input([1, 28, 28]),
      encoder: flow(conv2d(8, { kernel: 4, stride: 2, padding: 1 }), relu, flatten, dense(16)),
      decoder: flow(dense(8 * 14 * 14), reshape([8, 14, 14]), convTranspose2d(1, { kernel: 3, stride: 2, padding: 1, outputPadding: 1 })),
      likelihood: bernoulli,
    });
    autoencoder({
      name: 'channels',
      input: input([1, 28, 28]),
      encoder: flow(conv2d(8, { kernel: 4, stride: 2, padding: 1 }), relu, flatten, dense(16)),
      // @ts-expect-error — three output maps for a one-channel input
      decoder: flow(dense(8 * 14 * 14), reshape([8, 14, 14]), convTranspose2d(3, { kernel: 4, stride: 2, padding: 1 })),
      likelihood: bernoulli,
    });
  });
});
