// Per-primitive gradient checks: for every differentiable primitive, the compiled gradient graph
// (f64, onnxruntime) agrees with central finite differences, and onnxruntime's output shape is
// the shape `infer` declared. Primitives without a sample or a VJP are covered by hand-written rows.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import { describe, expect } from 'vitest';
import { grad } from '../compiler/autodiff/grad';
import { Graph } from '../compiler/ir/graph';
import type { Val } from '../compiler/ir/val';
import { showError, type Shape } from '../compiler/ir/types';
import type { Domain } from '../compiler/ops/def';
import { OPS, opDef } from '../compiler/ops/registry';
import type { OpAttrs, OpTag } from '../compiler/ops/tags';
import { bindShape, drawValues, fcParams, gradCheck, ok, rng, runAll, sizeOf, type F64Feeds, type GradCheck } from './support/finiteDiff';
import { sessionFor } from './support/runGraph';
import { makeDistinctRows } from './support/distinctRows';

const RUNS = 50;
const TOL = 1e-6;

/** Ops the sample-driven harness cannot run, and where each is tested instead. */
const COVERED_ELSEWHERE: Partial<Record<OpTag, string>> = {
  input: 'leaf: every row declares its operands as inputs',
  constant: 'leaf: used by the where and relu rows (scalar constants)',
  greater: 'bool-valued, no gradient: the where(greater(a, b), a, b) row',
  where: 'needs a bool condition: the where(greater(a, b), a, b) rows',
  topkMask: "vjp 'none': the sparsify x * topkMask(x, k) rows and the tie test",
  maxPoolIndices: "i64-valued, vjp 'none': the gatherPlanes(x, maxPoolIndices(y)) and maxUnpool2d rows",
  gatherPlanes: 'needs i64 indices: the gatherPlanes(x, maxPoolIndices(y)) row',
  maxUnpool2d: 'needs i64 indices: the maxUnpool2d(x, maxPoolIndices(y)) row',
};

type Pick = (lo: number, hi: number) => number;

interface Case {
  readonly shapes: readonly Shape[];
  readonly domains: readonly Domain[];
  /** Build the op under test; may record extra values to fetch in `probe`. */
  readonly build: (g: Graph, ins: Val[], probe: Record<string, Val>) => Val;
  /** Move drawn values off kinks and ties (mutates in place). */
  readonly adjust?: (values: Float64Array[], dims: number[][], rand: () => number) => void;
}

const apply = <K extends OpTag>(g: Graph, tag: K, ins: readonly Val[], attrs: OpAttrs[K]): Val => ok(g.op(tag, ins, attrs, `test.${tag}`));

/** Values spread ≥ 0.05 apart in random order: no window of a max pool has a near-tie that ±2h could flip. */
const spread = (values: Float64Array[], _dims: number[][], rand: () => number, which = 0) => {
  const v = values[which];
  const order = Array.from(v, (_, i) => i).sort(() => rand() - 0.5);
  order.forEach((at, rank) => {
    v[at] = (rank - v.length / 2) * 0.05;
  });
};

/** Per-op adjustments of the sampled inputs. */
const SAMPLE_ADJUST: Partial<Record<OpTag, Case['adjust']>> = { maxPool2d: (v, d, r) => spread(v, d, r) };

/** Runs per sampled op where the default would make the file slow (each run is hundreds of finite differences). */
const SAMPLE_RUNS: Partial<Record<OpTag, number>> = { conv2d: 25, convTranspose2d: 25, maxPool2d: 25 };

const fromSample =
  (tag: OpTag) =>
  (pick: Pick): Case => {
    const s = opDef(tag).sample!(pick);
    return { shapes: s.shapes, domains: s.domains, build: (g, ins) => apply(g, tag, ins, s.attrs as never), adjust: SAMPLE_ADJUST[tag] };
  };

const picker = (picks: readonly number[]): Pick => {
  let k = 0;
  return (lo, hi) => lo + (picks[k++ % picks.length] % (hi - lo + 1));
};

const arb = { picks: fc.array(fc.nat({ max: 1_000_000 }), { minLength: 12, maxLength: 12 }), B: fc.integer({ min: 1, max: 3 }), seed: fc.integer() };

/** inputs → op → loss = Σ(out ⊙ R), with R a random input of out's shape; gradients vs finite differences. */
const checkCase = async (c: Case, B: number, seed: number): Promise<{ r: GradCheck; feeds: F64Feeds; out: Val }> => {
  const g = new Graph('f64');
  const ins = c.shapes.map((s, i) => ok(g.input(`x${i}`, s, 'param')));
  const probe: Record<string, Val> = {};
  const out = c.build(g, ins, probe);
  const R = ok(g.input('R', out.type.shape, 'data'));
  const prod = g.must('mul', [out, R], {});
  const rank = prod.type.shape.length;
  const loss = rank === 0 ? prod : g.must('reduceSum', [prod], { axes: [...Array(rank).keys()], keepdims: false });

  const rand = rng(seed);
  const dims = c.shapes.map((s) => bindShape(s, B));
  const values = dims.map((d, i) => drawValues(sizeOf(d), c.domains[i], rand));
  c.adjust?.(values, dims, rand);
  const feeds: F64Feeds = Object.fromEntries(ins.map((_, i) => [`x${i}`, { data: values[i], dims: dims[i] }]));
  const outDims = bindShape(out.type.shape, B);
  feeds.R = { data: drawValues(sizeOf(outDims), 'any', rand), dims: outDims };

  const wrt = ins.map((_, i) => `x${i}`);
  const r = await gradCheck(g, loss, wrt, feeds, { out, ...probe });
  expect(r.outputs.out.dims, 'onnxruntime output shape vs infer').toEqual(outDims);
  r.analytic.forEach((a, i) => expect(a.dims, `gradient shape of x${i}`).toEqual(dims[i]));
  r.errors.forEach((e, i) => expect(e, `relative error of d loss / d x${i}`).toBeLessThan(TOL));
  return { r, feeds, out };
};

const harnessTags = (Object.keys(OPS) as OpTag[]).filter((t) => !(t in COVERED_ELSEWHERE));

test('every primitive has a harness row or a reason it is covered elsewhere', () => {
  for (const tag of Object.keys(OPS) as OpTag[]) {
    const def = opDef(tag);
    const sampled = def.sample !== null && def.vjp !== 'none';
    expect(sampled || tag in COVERED_ELSEWHERE, `${tag} has no sample/VJP and no COVERED_ELSEWHERE entry`).toBe(true);
  }
  // No stale entries: a listed op that gains a sample and a VJP should join the harness.
  for (const tag of Object.keys(COVERED_ELSEWHERE) as OpTag[]) {
    expect(tag in OPS, `${tag} is not a primitive`).toBe(true);
    expect(opDef(tag).sample === null || opDef(tag).vjp === 'none', `${tag} could use the harness`).toBe(true);
  }
  expect(harnessTags.length).toBeGreaterThanOrEqual(20);
});

describe('sampled primitives: gradient vs finite differences', () => {
  for (const tag of harnessTags) {
    test.prop(arb, fcParams(SAMPLE_RUNS[tag] ?? RUNS))(tag, async ({ picks, B, seed }) => {
      await checkCase(fromSample(tag)(picker(picks)), B, seed);
    });
  }
});

const fixed = (shapes: Shape[], domains: Domain[], build: Case['build'], adjust?: Case['adjust']): Case => ({ shapes, domains, build, adjust });

const explicitRows: Record<string, Case> = {
  'broadcast add [B,3] + [3]': fixed([['B', 3], [3]], ['any', 'any'], (g, [a, b]) => apply(g, 'add', [a, b], {})),
  'broadcast mul [B,1] * [B,4]': fixed([['B', 1], ['B', 4]], ['any', 'any'], (g, [a, b]) => apply(g, 'mul', [a, b], {})),
  'broadcast sub [3] - [B,3]': fixed([[3], ['B', 3]], ['any', 'any'], (g, [a, b]) => apply(g, 'sub', [a, b], {})),
  'broadcast div [B,2,3] / [2,1]': fixed([['B', 2, 3], [2, 1]], ['any', 'awayFromZero'], (g, [a, b]) => apply(g, 'div', [a, b], {})),
  // The sampled perms (reversals) are their own inverses; these are not.
  'transpose [B,2,3] perm [1,2,0]': fixed([['B', 2, 3]], ['any'], (g, [x]) => apply(g, 'transpose', [x], { perm: [1, 2, 0] })),
  'transpose [2,B,3] perm [2,0,1]': fixed([[2, 'B', 3]], ['any'], (g, [x]) => apply(g, 'transpose', [x], { perm: [2, 0, 1] })),
  // Negative axes, which the samples never use.
  'reduceMean [B,2,3] axes [-1, 0]': fixed([['B', 2, 3]], ['any'], (g, [x]) => apply(g, 'reduceMean', [x], { axes: [-1, 0], keepdims: false })),
  'reduceSum [B,2,3] axes [-2] keepdims': fixed([['B', 2, 3]], ['any'], (g, [x]) => apply(g, 'reduceSum', [x], { axes: [-2], keepdims: true })),
  'concat [B,2,1] and [B,2,3] on axis -1': fixed([['B', 2, 1], ['B', 2, 3]], ['any', 'any'], (g, ins) => apply(g, 'concat', ins, { axis: -1 })),
  'slice [B,2,5] axis -1 [1, 4)': fixed([['B', 2, 5]], ['any'], (g, [x]) => apply(g, 'slice', [x], { axis: -1, start: 1, end: 4 })),
  // max(a, b) by where/greater; a is moved ≥ 0.1 away from b so the step never flips the branch.
  'where(greater(a, b), a, b) with a [B,3], b [3]': fixed(
    [['B', 3], [3]],
    ['any', 'any'],
    (g, [a, b]) => apply(g, 'where', [apply(g, 'greater', [a, b], {}), a, b], {}),
    ([a, b]) => a.forEach((v, i) => {
      if (Math.abs(v - b[i % 3]) < 0.1) a[i] = b[i % 3] + 0.2;
    }),
  ),
  // Leaky relu: a scalar constant on one branch of where.
  'where(greater(x, 0), x, 0.1 * x)': fixed([['B', 4]], ['awayFromZero'], (g, [x]) =>
    apply(g, 'where', [apply(g, 'greater', [x, g.scalar(0)], {}), x, apply(g, 'mul', [x, g.scalar(0.1)], {})], {}),
  ),
};

// Pooling indices: x is gathered at (or unpooled to) the arg max of y's overlapping windows;
// y's values are spread so ±2h never moves an arg max, and its gradient is zero.
const POOL = { kernel: [2, 2], stride: [1, 2], pads: [1, 0, 0, 1] } as const;
Object.assign(explicitRows, {
  'gatherPlanes(x, maxPoolIndices(y)), overlapping windows': fixed([['B', 2, 5, 4], ['B', 2, 5, 4]], ['any', 'any'], (g, [x, y]) =>
    apply(g, 'gatherPlanes', [x, apply(g, 'maxPoolIndices', [y], POOL)], {}), (v, d, r) => spread(v, d, r, 1)),
  'maxUnpool2d(x, maxPoolIndices(y)), repeated indices add up': fixed([['B', 2, 5, 2], ['B', 2, 5, 4]], ['any', 'any'], (g, [x, y]) =>
    apply(g, 'maxUnpool2d', [x, apply(g, 'maxPoolIndices', [y], POOL)], { size: [5, 4] }), (v, d, r) => spread(v, d, r, 1)),
  // The weight gradient convolves with batch and channels swapped: the VJP must hold there too.
  'conv2d with the batch as channels [3, B, 5, 4] * [2, B, 2, 3]': fixed([[3, 'B', 5, 4], [2, 'B', 2, 3]], ['any', 'any'], (g, [x, w]) =>
    apply(g, 'conv2d', [x, w], { stride: [2, 1], pads: [1, 0, 0, 2], dilation: [1, 2] })),
} satisfies Record<string, Case>);

describe('hand-written rows: broadcasting, negative axes, perms, where', () => {
  for (const [name, c] of Object.entries(explicitRows)) {
    test.prop(arb, fcParams(RUNS))(name, async ({ B, seed }) => {
      await checkCase(c, B, seed);
    });
  }
});

/** The first input's rows made distinct (no ties, and ±2h never reorders them). */
const distinctRows = (values: Float64Array[], dims: number[][], rand: () => number) =>
  makeDistinctRows(values[0], dims[0][dims[0].length - 1], rand);

const sparsify = (shape: Shape, k: number): Case =>
  fixed([shape], ['any'], (g, [x], probe) => {
    probe.mask = apply(g, 'topkMask', [x], { k });
    return apply(g, 'mul', [x, probe.mask], {});
  }, distinctRows);

const checkSparsify = async (c: Case, k: number, B: number, seed: number) => {
  const { r, feeds } = await checkCase(c, B, seed);
  const x = feeds.x0.data;
  const n = feeds.x0.dims[feeds.x0.dims.length - 1];
  const mask = Array.from(r.outputs.mask.data);
  for (let row = 0; row < x.length / n; row++) {
    const xs = Array.from(x.subarray(row * n, row * n + n));
    const top = new Set([...xs.keys()].sort((i, j) => xs[j] - xs[i]).slice(0, k));
    expect(mask.slice(row * n, row * n + n), `mask of row ${row}`).toEqual(xs.map((_, i) => (top.has(i) ? 1 : 0)));
  }
  // Exactly R on the support and exactly 0 off it (+0 folds -0 into 0).
  const expected = mask.map((m, i) => (m === 1 ? feeds.R.data[i] : 0));
  expect(Array.from(r.analytic[0].data, (v) => v + 0)).toEqual(expected);
};

describe('topkMask through sparsify(x) = x * topkMask(x, k)', () => {
  test.prop(arb, fcParams(RUNS))('sampled [B, n] with sampled k', async ({ picks, B, seed }) => {
    const s = opDef('topkMask').sample!(picker(picks));
    await checkSparsify(sparsify(s.shapes[0], s.attrs.k), s.attrs.k, B, seed);
  });
  test.prop({ ...arb, k: fc.integer({ min: 1, max: 5 }) }, fcParams(RUNS))('rank 3 [B, 2, 5], mask over the last axis', async ({ k, B, seed }) => {
    await checkSparsify(sparsify(['B', 2, 5], k), k, B, seed);
  });
});

/** Compile `build(x)` and d Σ(build(x) ⊙ R) / dx for one concrete x; returns output and gradient. */
const evalOnce = async (shape: number[], x: number[], build: (g: Graph, x: Val) => Val, R?: number[]) => {
  const g = new Graph('f64');
  const xv = ok(g.input('x', shape, 'param'));
  const out = build(g, xv);
  const Rv = ok(g.input('R', shape, 'data'));
  const loss = g.must('reduceSum', [g.must('mul', [out, Rv], {})], { axes: shape.map((_, i) => i), keepdims: false });
  const [dx] = ok(grad(g, loss, [xv]));
  const s = await sessionFor(g, [{ name: 'out', val: out }, { name: 'dx', val: dx }]);
  const feeds = { x: { data: Float64Array.from(x), dims: shape }, R: { data: Float64Array.from(R ?? x.map(() => 1)), dims: shape } };
  const r = await runAll(s, feeds);
  await s.release();
  return { out: Array.from(r.out.data, (v) => v + 0), dx: Array.from(r.dx.data, (v) => v + 0) };
};

test("relu at its kink: relu'(0) = 0, 1 for x > 0, 0 for x < 0", async () => {
  const { out, dx } = await evalOnce([5], [-1, 0, -0, 1e-300, 2], (g, x) => apply(g, 'relu', [x], {}), [2, 3, 4, 5, 6]);
  expect(out).toEqual([0, 0, 0, 1e-300, 2]);
  expect(dx).toEqual([0, 0, 0, 5, 6]);
});

test('topkMask ties: the lower index wins', async () => {
  const rows = [
    [1, 1, 1, 0],
    [0, 2, 2, 2],
    [5, 5, 5, 5],
    [-1, 3, -1, 3],
  ];
  const { out, dx } = await evalOnce([4, 4], rows.flat(), (g, x) => apply(g, 'topkMask', [x], { k: 2 }));
  expect(out).toEqual([1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1]);
  expect(dx.every((v) => v === 0), 'the mask itself passes no gradient').toBe(true);
});

describe('shape errors name the op, both shapes and the path', () => {
  const g = new Graph('f64');
  const x = ok(g.input('x', ['B', 3], 'data'));
  const cases: [OpTag, Val, string, string][] = [
    ['add', ok(g.input('b', [4], 'param')), '[4]', 'model.encoder.dense1'],
    ['matmul', ok(g.input('w', [4, 2], 'param')), '[4, 2]', 'model.decoder.out'],
  ];
  for (const [tag, y, yShape, path] of cases)
    test(`${tag}([B, 3], ${yShape})`, () => {
      const r = g.op(tag, [x, y], {} as never, path);
      expect(E.isLeft(r)).toBe(true);
      const msg = E.isLeft(r) ? showError(r.left) : '';
      for (const part of [tag, '[B, 3]', yShape, path]) expect(msg).toContain(part);
      expect(g.nodes.length, 'a failed op adds no node').toBe(3);
    });
});
