// An autoencoder from its parts: encoder, decoder, likelihood and objective. Turns the typed
// description into the compiler's ModelDef by applying the parts to fresh symbolic inputs,
// once per graph (train step, encode, decode), under the scopes `encoder` and `decoder`.
import * as E from 'fp-ts/Either';
import type { Val } from '../compiler/ir/val';
import { compileError } from '../compiler/ir/types';
import type { BuildCtx, ModelDef, Term as IRTerm } from '../compiler/model';
import { isGaussian, type Gaussian } from './gaussian';
import { bernoulli, type Likelihood } from './losses';
import { inScope, tensor, type Session, type Shape, type T, type Term } from './tensor';

type Code<C extends Shape> = T<C> | Gaussian<C>;

/** The per-example shape of a code: of the tensor itself, or of a Gaussian's mean. */
export type CodeShape<K> = K extends Gaussian<infer C> ? C : K extends T<infer C> ? C : never;

export interface AutoencoderParts<I extends Shape, Enc, Dec> {
  readonly name: string;
  /** Per-example input shape, e.g. `[784]`. */
  readonly input: I;
  readonly encoder: Enc;
  /** Must accept the encoder's code: `(z: T<C>) => T<I>`. */
  readonly decoder: Dec;
  /** How the decoder's output parameterises the data (bernoulli: logits; mse/gaussian: mean). */
  readonly likelihood: Likelihood;
}

/** Named terms of the objective; their weighted sum is minimised. */
export type Objective<I extends Shape, Enc, Dec> = (parts: { readonly x: T<I>; readonly code: CodeOf<Enc>; readonly decoder: Dec }) => Readonly<Record<string, Term>>;

interface AutoencoderSpec<I extends Shape, Enc, Dec> extends AutoencoderParts<I, Enc, Dec> {
  readonly objective: Objective<I, Enc, Dec>;
}

type CodeOf<Enc> = Enc extends (x: never) => infer K ? K : never;

/** A type error on `encoder` unless it takes the input and gives a code (a tensor or a Gaussian). */
type EncoderFits<I extends Shape, Enc> = Enc extends (x: T<I>) => Code<Shape>
  ? unknown
  : { readonly encoder: `the encoder must map the input T<I> to a code T<[n]> or Gaussian<[n]>` };

/** A type error on `decoder` unless it maps the encoder's code back to the input shape. */
type DecoderFits<I extends Shape, Enc, Dec> = Dec extends (z: T<CodeShape<CodeOf<Enc>>>) => T<I>
  ? unknown
  : { readonly decoder: `the decoder must map the code T<[${CodeShape<CodeOf<Enc>> extends readonly number[] ? CodeShape<CodeOf<Enc>>[0] : never}]> to the input T<I>` };

export interface Autoencoder<I extends Shape, C extends Shape> {
  readonly kind: 'hourglass.autoencoder';
  readonly name: string;
  readonly input: I;
  /** Phantom: the code shape, for type-level checks only. */
  readonly code?: C;
  readonly def: ModelDef;
}

const session = (ctx: BuildCtx, mode: Session['mode'], model: string): Session => ({ ctx, mode, model, frames: [{ name: '', counters: new Map() }] });

/**
 * The decoder must give back the input's shape. Where tsc could not compute it (sizes that are
 * not literals), say so at build, naming the layer that made the output: `m.decoder.convT3: …`.
 */
const decodedShape = (s: Session, want: Shape, y: T<Shape>): T<Shape> => {
  if (E.isLeft(y.val) || (y.shape.length === want.length && y.shape.every((d, i) => d === want[i]))) return y;
  const path = s.ctx.g.node(y.val.right.id).path;
  return tensor(s, want, E.left(compileError(path, `expected [${want.join(', ')}] (the input's shape), got [${y.shape.join(', ')}]`)));
};

const codeTensor = <C extends Shape>(k: Code<C>): T<C> => (isGaussian(k) ? (k as Gaussian<C>).mean : (k as T<C>));

/**
 * Declare an autoencoder's parts, then its objective:
 * `autoencoder({ name, input, encoder, decoder, likelihood }).objective(({ x, code, decoder }) => terms)`.
 * (Two steps so TypeScript infers the code type before it checks the objective.)
 */
export const autoencoder = <const I extends Shape, Enc extends (x: never) => unknown, Dec extends (z: never) => unknown>(
  parts: AutoencoderParts<I, Enc, Dec> & EncoderFits<I, Enc> & DecoderFits<I, Enc, Dec>,
) => ({
  objective: (objective: Objective<I, Enc, Dec>): Autoencoder<I, CodeShape<CodeOf<Enc>>> => build({ ...parts, objective }),
});

const build = <const I extends Shape, Enc, Dec>(spec: AutoencoderSpec<I, Enc, Dec>): Autoencoder<I, CodeShape<CodeOf<Enc>>> => {
  const sp = spec as unknown as AutoencoderSpec<Shape, (x: T<Shape>) => Code<Shape>, (z: T<Shape>) => T<Shape>>;
  const encodeIn = (ctx: BuildCtx, mode: Session['mode'], x: Val) => {
    const s = session(ctx, mode, spec.name);
    return { s, code: inScope(s, 'encoder', () => sp.encoder(tensor(s, spec.input, E.right(x)))) };
  };
  const decoderIn = (s: Session) => (z: T<Shape>) => inScope(s, 'decoder', () => decodedShape(s, spec.input, sp.decoder(z)));

  // One encoder pass per graph and input, shared by `encode` and `encodeExtra`.
  const passes = new WeakMap<BuildCtx, { x: Val; code: Code<Shape> }>();
  const encodeOnce = (ctx: BuildCtx, xv: Val): Code<Shape> => {
    const prev = passes.get(ctx);
    if (prev && prev.x === xv) return prev.code;
    const { code } = encodeIn(ctx, 'eval', xv);
    passes.set(ctx, { x: xv, code });
    return code;
  };

  let codeShape: Shape | undefined;
  const def: ModelDef = {
    name: spec.name,
    inputShape: spec.input,
    ...(spec.likelihood === bernoulli ? { dataRange: [0, 1] as const } : {}),
    get codeShape() {
      return codeShape ?? [];
    },
    loss: (ctx, xv) => {
      const { s, code } = encodeIn(ctx, 'train', xv);
      const probed = E.map(() => codeTensor(code).shape)(codeTensor(code).val);
      if (E.isRight(probed)) codeShape = probed.right;
      const x = tensor(s, spec.input, E.right(xv));
      const terms = sp.objective({ x, code, decoder: decoderIn(s) });
      // `{ __proto__: t }` sets the prototype instead of adding a term: it would vanish silently.
      const proto = Object.getPrototypeOf(terms);
      if (proto !== Object.prototype && proto !== null)
        return E.left(compileError(`${spec.name}.loss.__proto__`, '"__proto__" is a reserved name: the term would disappear; rename it'));
      const out: IRTerm[] = [];
      for (const [name, t] of Object.entries(terms)) {
        if (E.isLeft(t.value.val)) return t.value.val;
        out.push({ name, value: t.value.val.right, weight: t.weight });
      }
      return E.right(out);
    },
    encode: (ctx, xv) => codeTensor(encodeOnce(ctx, xv)).val,
    // A Gaussian encoder also exports log σ² (μ is `code`), from the same pass as μ.
    encodeExtra: (ctx, xv) => {
      const k = encodeOnce(ctx, xv);
      if (!isGaussian(k)) return E.right([]);
      const g = k as Gaussian<Shape>;
      return E.map((lv: Val) => [{ name: 'logVar', val: lv }])(g.logVar.val);
    },
    posterior: (ctx, xv) => {
      const { code } = encodeIn(ctx, 'eval', xv);
      if (!isGaussian(code)) return E.left(compileError(`${spec.name}.encoder`, 'the code is not a Gaussian (no posterior to evaluate)'));
      const q = code as Gaussian<Shape>;
      return E.chain((mean: Val) => E.map((logVar: Val) => ({ mean, logVar }))(q.logVar.val))(q.mean.val);
    },
    decodeOutput: (ctx, zv) => {
      const s = session(ctx, 'eval', spec.name);
      return decoderIn(s)(tensor(s, codeShape ?? [], E.right(zv))).val;
    },
    likelihood: spec.likelihood.kind,
    decode: (ctx, zv) => {
      const s = session(ctx, 'eval', spec.name);
      const shape = codeShape ?? [];
      const y = decoderIn(s)(tensor(s, shape, E.right(zv)));
      return spec.likelihood.mean(y).val;
    },
  };
  return { kind: 'hourglass.autoencoder', name: spec.name, input: spec.input, def };
};
