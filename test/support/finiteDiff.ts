// Gradient checking for compiled graphs: analytic gradients from `grad`, run in onnxruntime (f64),
// against central finite differences of the same compiled loss.
import * as E from 'fp-ts/Either';
import * as ort from 'onnxruntime-node';
import { grad } from '../../compiler/autodiff/grad';
import type { Graph } from '../../compiler/ir/graph';
import type { Val } from '../../compiler/ir/val';
import { showError, type Shape } from '../../compiler/ir/types';
import type { Domain } from '../../compiler/ops/def';
import { sessionFor } from './runGraph';

export type Tensor = { data: Float64Array; dims: number[] };
export type F64Feeds = Record<string, Tensor>;

export const bindShape = (s: Shape, B: number): number[] => s.map((d) => (d === 'B' ? B : d));
export const sizeOf = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** A small seeded PRNG (mulberry32), so fast-check only has to draw one integer per tensor set. */
export const rng = (seed: number): (() => number) => {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** Values where the op is smooth: positive in [0.2, 3], awayFromZero |x| in [0.2, 3], any in [-3, 3]. */
export const drawValues = (n: number, domain: Domain, rand: () => number): Float64Array =>
  Float64Array.from({ length: n }, () => {
    const mag = 0.2 + 2.8 * rand();
    if (domain === 'positive') return mag;
    if (domain === 'awayFromZero') return rand() < 0.5 ? -mag : mag;
    if (domain === 'bool') throw new Error('bool inputs are not differentiable');
    return -3 + 6 * rand();
  });

const norm = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));

/** ||a − n||₂ / max(||n||₂, 1). */
export const relError = (a: ArrayLike<number>, n: ArrayLike<number>): number => {
  if (a.length !== n.length) return Infinity;
  const diff = Array.from(a, (v, i) => v - n[i]);
  return norm(diff) / Math.max(norm(n), 1);
};

const toOrt = (feeds: F64Feeds) =>
  Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float64', v.data, v.dims)]));

export const runAll = async (s: ort.InferenceSession, feeds: F64Feeds, fetches?: string[]): Promise<Record<string, Tensor>> => {
  const out = fetches ? await s.run(toOrt(feeds), fetches) : await s.run(toOrt(feeds));
  return Object.fromEntries(
    Object.entries(out).map(([k, t]) => [k, { data: Float64Array.from(t.data as ArrayLike<number>), dims: t.dims.map(Number) }]),
  );
};

/**
 * Fourth-order central differences, (8(L(x+h) − L(x−h)) − (L(x+2h) − L(x−2h))) / 12h, one
 * element at a time. Second-order differences with h ~ 1e-5 leave a truncation error of
 * ~h²·f'''/6, which for 1/b near b = 0.2 is a few 1e-7: too close to the 1e-6 bound.
 */
export const centralDiff = async (
  loss: (feeds: F64Feeds) => Promise<number>,
  feeds: F64Feeds,
  names: readonly string[],
): Promise<Float64Array[]> => {
  const result: Float64Array[] = [];
  for (const name of names) {
    const base = feeds[name];
    const d = new Float64Array(base.data.length);
    for (let j = 0; j < d.length; j++) {
      const x = base.data[j];
      const h = 1e-4 * Math.max(1, Math.abs(x));
      const at = async (step: number) => {
        const data = Float64Array.from(base.data);
        data[j] = x + step;
        return loss({ ...feeds, [name]: { data, dims: base.dims } });
      };
      d[j] = (8 * ((await at(h)) - (await at(-h))) - ((await at(2 * h)) - (await at(-2 * h)))) / (12 * h);
    }
    result.push(d);
  }
  return result;
};

export interface GradCheck {
  /** Analytic gradient per `wrt` input, from the compiled gradient graph. */
  readonly analytic: Tensor[];
  /** Central finite differences per `wrt` input. */
  readonly numeric: Float64Array[];
  /** The loss and the extra outputs, as onnxruntime returned them. */
  readonly outputs: Record<string, Tensor>;
  /** Relative error per `wrt` input. */
  readonly errors: number[];
}

/**
 * Append the gradient of `loss` w.r.t. the named inputs to `g`, compile loss, gradients and
 * `extra` into one onnxruntime session, and compare with finite differences of the loss.
 */
export const gradCheck = async (
  g: Graph,
  loss: Val,
  wrt: readonly string[],
  feeds: F64Feeds,
  extra: Record<string, Val> = {},
): Promise<GradCheck> => {
  const vals = wrt.map((n) => g.val(g.findInput(n)!.id));
  const grads = grad(g, loss, vals);
  if (E.isLeft(grads)) throw new Error(showError(grads.left));
  const outputs = [
    { name: 'loss', val: loss },
    ...grads.right.map((val, i) => ({ name: `grad_${i}`, val })),
    ...Object.entries(extra).map(([name, val]) => ({ name, val })),
  ];
  const session = await sessionFor(g, outputs);
  try {
    const all = await runAll(session, feeds);
    const analytic = wrt.map((_, i) => all[`grad_${i}`]);
    const numeric = await centralDiff(async (f) => (await runAll(session, f, ['loss'])).loss.data[0], feeds, wrt);
    return { analytic, numeric, outputs: all, errors: analytic.map((a, i) => relError(a.data, numeric[i])) };
  } finally {
    await session.release();
  }
};

/** fast-check parameters: a random seed (fast-check prints it on failure) unless FC_SEED pins one. */
export const fcParams = (numRuns: number) => ({
  numRuns,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
});

/** Unwrap an Either from the IR builder, failing the test with the compile error's text. */
export const ok = <A>(r: E.Either<{ path: string; message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(showError(r.left));
  return r.right;
};
