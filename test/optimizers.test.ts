// The compiled update rules against the textbook formulas, computed here in plain f64. A probe
// model's loss is Σ W ⊙ G for a constant G, so dL/dW = G exactly and each train step applies one
// known update; param, state, lr and t are random, and a few steps chain through the carry pairs.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import * as ort from 'onnxruntime-node';
import { describe, expect } from 'vitest';
import { compileModel } from '../compiler/compile';
import { showError } from '../compiler/ir/types';
import type { ModelDef } from '../compiler/model';
import type { OptimizerKind, OptimizerSpec } from '../compiler/optim/optimizer';

type Hyper = Record<string, number>;
type Slots = Record<string, number>;

/** A model with parameter W [rows, cols] whose loss Σ W ⊙ G has gradient G. */
const probe = (rows: number, cols: number, G: readonly number[]): ModelDef => {
  const W = (ctx: Parameters<ModelDef['encode']>[0]) => ctx.param('W', [rows, cols], { kind: 'constant', value: 0 });
  return {
    name: 'probe',
    inputShape: [rows],
    codeShape: [cols],
    loss: (ctx) =>
      pipe(
        W(ctx),
        E.chain((w) => ctx.g.op('mul', [w, ctx.g.constant(G, [rows, cols])], {}, 'probe.loss')),
        E.chain((p) => ctx.g.op('reduceSum', [p], { axes: [0, 1], keepdims: false }, 'probe.loss')),
        E.map((value) => [{ name: 'linear', value, weight: 1 }]),
      ),
    encode: (ctx, x) => pipe(W(ctx), E.chain((w) => ctx.g.op('matmul', [x, w], {}, 'probe.encode'))),
    decode: (ctx, z) =>
      pipe(
        W(ctx),
        E.chain((w) => ctx.g.op('transpose', [w], { perm: [1, 0] }, 'probe.decode')),
        E.chain((wt) => ctx.g.op('matmul', [z, wt], {}, 'probe.decode')),
      ),
  };
};

/** Textbook updates for one element; `t` is the step number after this step (1 on the first). */
const REFERENCE: Record<OptimizerKind, (p: number, g: number, s: Slots, lr: number, t: number, h: Hyper) => [number, Slots]> = {
  // PyTorch's momentum form: v = μv + g; θ −= lr·v.
  sgd: (p, g, s, lr, _t, h) => {
    const velocity = h.momentum * s.velocity + g;
    return [p - lr * velocity, { velocity }];
  },
  // Kingma & Ba, Algorithm 1.
  adam: (p, g, s, lr, t, h) => {
    const m = h.beta1 * s.m + (1 - h.beta1) * g;
    const v = h.beta2 * s.v + (1 - h.beta2) * g * g;
    const mHat = m / (1 - Math.pow(h.beta1, t));
    const vHat = v / (1 - Math.pow(h.beta2, t));
    return [p - (lr * mHat) / (Math.sqrt(vHat) + h.eps), { m, v }];
  },
  adagrad: (p, g, s, lr, _t, h) => {
    const sum = s.sum + g * g;
    return [p - (lr * g) / (Math.sqrt(h.initialAccumulator + sum) + h.eps), { sum }];
  },
  rmsprop: (p, g, s, lr, _t, h) => {
    const sq = h.rho * s.sq + (1 - h.rho) * g * g;
    return [p - (lr * g) / (Math.sqrt(sq) + h.eps), { sq }];
  },
};

const unit = (max: number) => fc.double({ min: 0, max, noNaN: true });
const eps = fc.double({ min: 1e-12, max: 1e-3, noNaN: true });
const HYPER: Record<OptimizerKind, Record<string, fc.Arbitrary<number>>> = {
  sgd: { momentum: unit(0.99) },
  adam: { beta1: unit(0.99), beta2: unit(0.999), eps },
  adagrad: { eps, initialAccumulator: fc.oneof(fc.constant(0), unit(1)) },
  rmsprop: { rho: unit(0.999), eps },
};
/** Slot names, and whether each is a sum of squares (so never negative). */
const SLOTS: Record<OptimizerKind, Record<string, boolean>> = {
  sgd: { velocity: false },
  adam: { m: false, v: true },
  adagrad: { sum: true },
  rmsprop: { sq: true },
};
const DEFAULTS: Record<OptimizerKind, Hyper> = {
  sgd: { momentum: 0 },
  adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  adagrad: { eps: 1e-10, initialAccumulator: 0 },
  rmsprop: { rho: 0.99, eps: 1e-8 },
};

const caseOf = (kind: OptimizerKind) =>
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([rows, cols]) => {
    const vec = (min: number) => fc.array(fc.double({ min, max: 10, noNaN: true }), { minLength: rows * cols, maxLength: rows * cols });
    return fc.record({
      rows: fc.constant(rows),
      cols: fc.constant(cols),
      grad: vec(-10),
      param: vec(-10),
      slots: fc.record(Object.fromEntries(Object.entries(SLOTS[kind]).map(([name, nonNeg]) => [name, vec(nonNeg ? 0 : -10)]))),
      hyper: fc.record(HYPER[kind]),
      lr: fc.double({ min: 1e-6, max: 1, noNaN: true }),
      t: fc.integer({ min: 0, max: 10_000 }),
      steps: fc.integer({ min: 1, max: 4 }),
    });
  });

const f64 = (data: readonly number[], dims: readonly number[]) => new ort.Tensor('float64', Float64Array.from(data), dims);

/** |got − want| within 1e-12 of the larger of the new and old magnitudes (cancellation-safe). */
const expectClose = (got: number, want: number, old: number, what: string) => {
  const tol = 1e-12 * Math.max(Math.abs(want), Math.abs(old)) + 1e-300;
  if (!(Math.abs(got - want) <= tol)) throw new Error(`${what}: got ${got}, want ${want} (old ${old}, tol ${tol})`);
};

describe.each(Object.keys(REFERENCE) as OptimizerKind[])('%s', (kind) => {
  test('defaults are the documented ones and land in the manifest', () => {
    const c = compileModel(probe(1, 1, [1]), { optimizer: { kind, lr: 0.1, hyper: {} }, dtype: 'f64' });
    if (E.isLeft(c)) throw new Error(showError(c.left));
    expect(c.right.manifest.optimizer.hyper).toEqual(DEFAULTS[kind]);
    expect(c.right.manifest.optimizer.state.map((s) => s.name)).toEqual([...Object.keys(SLOTS[kind]).map((s) => `${kind}.${s}.W`), 'opt.t']);
  });

  test.prop([caseOf(kind)], { numRuns: 30 })('train steps match the textbook update in f64', async (c) => {
    const compiled = compileModel(probe(c.rows, c.cols, c.grad), { optimizer: { kind, lr: c.lr, hyper: c.hyper }, dtype: 'f64' });
    if (E.isLeft(compiled)) throw new Error(showError(compiled.left));
    const { manifest, files } = compiled.right;
    // Optimisations off: ONNX Runtime's NoopElimination rounds f64 scalar constants to f32 and drops
    // a Mul by c ≈ 1 (|c − 1| < 3e-8, e.g. 1 − β1 for a tiny β1), a relative error below f32's.
    const session = await ort.InferenceSession.create(files['train_step.onnx'], { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
    const dims = [c.rows, c.cols];
    const slotName = (s: string) => `${kind}.${s}.W`;

    // What the graph is fed, and what the reference expects, evolve side by side.
    let feeds: Record<string, ort.Tensor> = {
      x: f64(new Array(c.rows).fill(0), [1, c.rows]),
      W: f64(c.param, dims),
      'opt.lr': f64([c.lr], []),
      'opt.t': f64([c.t], []),
      ...Object.fromEntries(Object.entries(c.slots).map(([s, v]) => [slotName(s), f64(v, dims)])),
    };
    let param = [...c.param];
    let slots = c.param.map((_, i) => Object.fromEntries(Object.entries(c.slots).map(([s, v]) => [s, v[i]])));
    for (let step = 1; step <= c.steps; step++) {
      const out = await session.run(feeds);
      const t = c.t + step;
      const next = param.map((p, i) => REFERENCE[kind](p, c.grad[i], slots[i], c.lr, t, c.hyper));
      const got = (name: string) => Array.from(out[`next.${name}`].data as Float64Array);
      expect(got('opt.t')).toEqual([t]);
      got('W').forEach((w, i) => expectClose(w, next[i][0], param[i], `step ${step} W[${i}]`));
      for (const s of Object.keys(SLOTS[kind]))
        got(slotName(s)).forEach((v, i) => expectClose(v, next[i][1][s], slots[i][s], `step ${step} ${s}[${i}]`));
      param = next.map(([p]) => p);
      slots = next.map(([, s]) => s);
      // Feed the outputs back through the manifest's carry pairs, as a runtime would.
      feeds = { ...feeds, ...Object.fromEntries(manifest.carry.map(({ output, input }) => [input, out[output]])) };
    }
  });
});

describe('invalid optimizer settings are a Left naming probe.optimizer and the bad value', () => {
  const errorOf = (optimizer: OptimizerSpec): string => {
    const r = compileModel(probe(1, 1, [1]), { optimizer, dtype: 'f64' });
    if (E.isRight(r)) throw new Error(`accepted ${JSON.stringify(optimizer)}`);
    expect(r.left.path).toBe('probe.optimizer');
    return showError(r.left);
  };
  const cases: [string, OptimizerSpec, string][] = [
    ['zero lr', { kind: 'sgd', lr: 0, hyper: {} }, 'got 0'],
    ['negative lr', { kind: 'adam', lr: -1e-3, hyper: {} }, 'got -0.001'],
    ['NaN lr', { kind: 'rmsprop', lr: NaN, hyper: {} }, 'got NaN'],
    ['infinite lr', { kind: 'adagrad', lr: Infinity, hyper: {} }, 'got Infinity'],
    ['beta1 = 1', { kind: 'adam', lr: 1e-3, hyper: { beta1: 1 } }, 'beta1 must be in [0, 1), got 1'],
    ['beta2 > 1', { kind: 'adam', lr: 1e-3, hyper: { beta2: 1.5 } }, 'beta2 must be in [0, 1), got 1.5'],
    ['negative eps', { kind: 'adam', lr: 1e-3, hyper: { eps: -1e-8 } }, 'eps must be positive (at least 1.4e-45, the smallest f32), got -1e-8'],
    ['eps that rounds to 0 in f32', { kind: 'adagrad', lr: 1e-3, hyper: { eps: 1e-50 } }, 'got 1e-50'],
    ['zero eps', { kind: 'adagrad', lr: 1e-3, hyper: { eps: 0 } }, 'got 0'],
    ['infinite eps', { kind: 'rmsprop', lr: 1e-3, hyper: { eps: Infinity } }, 'got Infinity'],
    ['NaN momentum', { kind: 'sgd', lr: 1e-3, hyper: { momentum: NaN } }, 'got NaN'],
    ['negative momentum', { kind: 'sgd', lr: 1e-3, hyper: { momentum: -0.5 } }, 'got -0.5'],
    ['rho = 1', { kind: 'rmsprop', lr: 1e-3, hyper: { rho: 1 } }, 'got 1'],
    ['unknown hyperparameter', { kind: 'sgd', lr: 1e-3, hyper: { beta1: 0.9 } }, 'sgd has no hyperparameter beta1'],
    ['an inherited name as hyperparameter', { kind: 'adagrad', lr: 1e-3, hyper: { constructor: 1 } }, 'no hyperparameter constructor'],
    ['unknown optimizer', { kind: 'lbfgs' as OptimizerKind, lr: 1e-3, hyper: {} }, 'unknown optimizer lbfgs'],
    ['an inherited name as optimizer', { kind: 'toString' as OptimizerKind, lr: 1e-3, hyper: {} }, 'unknown optimizer toString'],
  ];
  test.each(cases)('%s', (_, optimizer, fragment) => {
    const msg = errorOf(optimizer);
    expect(msg).toMatch(/^probe\.optimizer: /);
    expect(msg).toContain(fragment);
  });
});
