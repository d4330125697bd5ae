// Type tests for spec parameters and init options: a build function sees numbers where the
// default is numeric (or `Number`) and strings otherwise; unknown init names do not compile.
import { describe, expectTypeOf, test } from 'vitest';
import { dense, gaussianHead, params } from '../dsl';

describe('params', () => {
  test('values are typed from the defaults', () => {
    params({ latent: 20, beta: Number, act: 'relu', mode: String }, (p) => {
      expectTypeOf(p).toEqualTypeOf<{ readonly latent: number; readonly beta: number; readonly act: string; readonly mode: string }>();
      return null;
    });
  });

  test('defaults are numbers, strings, Number or String only', () => {
    // @ts-expect-error a boolean is not a parameter type
    params({ flag: true }, () => null);
  });
});

describe('init options', () => {
  test('named inits and bias options', () => {
    dense(10, { init: 'torch-default', bias: 'uniform' });
    gaussianHead(2, { init: 'he-normal', bias: false });
    // @ts-expect-error not an init name
    dense(10, { init: 'xavier' });
    // @ts-expect-error not a bias option
    dense(10, { bias: 'ones' });
  });
});
