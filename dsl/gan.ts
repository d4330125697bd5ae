// A GAN from its two players: `gan({ name, input, latent, generator, discriminator })`. The
// generator maps a code T<[latent]> to an image in [−1, 1] (end it with tanh); the discriminator
// maps an image to one logit T<[1]>. Each is built under its own scope (`generator`,
// `discriminator`), so the two parameter sets, optimizers and step graphs stay apart.
import * as E from 'fp-ts/Either';
import type { GanDef } from '../compiler/gan';
import type { Val } from '../compiler/ir/val';
import type { BuildCtx } from '../compiler/model';
import { inScope, tensor, type Session, type Shape, type T } from './tensor';

export interface GanParts<I extends Shape, Z extends number> {
  readonly name: string;
  /** Per-example data shape, e.g. `[1, 64, 64]` (data in [0, 1], shown to D as 2x − 1). */
  readonly input: I;
  readonly latent: Z;
  readonly generator: (z: T<readonly [Z]>) => T<I>;
  readonly discriminator: (x: T<I>) => T<readonly [1]>;
}

export interface Gan<I extends Shape, Z extends number> {
  readonly kind: 'hourglass.gan';
  readonly name: string;
  readonly input: I;
  readonly latent: Z;
  readonly def: GanDef;
}

const session = (ctx: BuildCtx, mode: Session['mode'], model: string): Session => ({ ctx, mode, model, frames: [{ name: '', counters: new Map() }] });

export const gan = <const I extends Shape, const Z extends number>(parts: GanParts<I, Z>): Gan<I, Z> => {
  const run = <S extends Shape>(ctx: BuildCtx, mode: Session['mode'], scope: string, shape: S, v: Val, f: (t: T<S>) => T<Shape>) => {
    const s = session(ctx, mode, parts.name);
    return inScope(s, scope, () => f(tensor(s, shape, E.right(v)))).val;
  };
  const def: GanDef = {
    name: parts.name,
    inputShape: parts.input,
    latent: parts.latent,
    generate: (ctx, z, mode) => run(ctx, mode, 'generator', [parts.latent] as const, z, parts.generator as unknown as (t: T<Shape>) => T<Shape>),
    discriminate: (ctx, x, mode) => run(ctx, mode, 'discriminator', parts.input, x, parts.discriminator as unknown as (t: T<Shape>) => T<Shape>),
  };
  return { kind: 'hourglass.gan', name: parts.name, input: parts.input, latent: parts.latent, def };
};
