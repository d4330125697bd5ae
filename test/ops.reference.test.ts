// Every primitive's ONNX lowering (f64, onnxruntime, no graph optimisation) against an independent
// plain-TypeScript reference of its meaning (test/support/f64Reference.ts). Shapes and attributes
// come from each op's own `sample`, and then from wider hand-written generators (negative axes,
// other perms, the batch in other positions, scalars, broadcasting both ways).
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import * as ort from 'onnxruntime-node';
import { describe, expect } from 'vitest';
import { Graph } from '../compiler/ir/graph';
import type { Val } from '../compiler/ir/val';
import { showError, type Dim, type Shape } from '../compiler/ir/types';
import { lowerToBytes } from '../compiler/onnx/lower';
import type { Domain } from '../compiler/ops/def';
import { OPS, opDef } from '../compiler/ops/registry';
import type { OpAttrs, OpTag } from '../compiler/ops/tags';
import { bindShape, rng, sizeOf } from './support/finiteDiff';
import { REF, evalRef, type RefTensor } from './support/f64Reference';
import { makeDistinctRows } from './support/distinctRows';

/** Runs per op and property (fixed seeds: failures reproduce). */
const RUNS = 200;
const WIDE_RUNS = 200;
const SEED = 20250611;
const RTOL = 1e-9;

type Pick = (lo: number, hi: number) => number;
type Rand = () => number;

/**
 * How an input is drawn: the op's own domains, plus 'distinctRows' (no ties along the last axis,
 * for topkMask) and 'coarse' (multiples of 0.5 in [-2, 2], so greater sees ties).
 */
type InDomain = Domain | 'distinctRows' | 'coarse' | 'index';

interface Case {
  readonly tag: OpTag;
  readonly shapes: readonly Shape[];
  readonly attrs: unknown;
  readonly domains: readonly InDomain[];
  /** 'index' inputs (i64) are drawn in [0, indexRange). */
  readonly indexRange?: number;
}

type Gen = (pick: Pick, rand: Rand) => Omit<Case, 'tag'>;

const picker = (picks: readonly number[]): Pick => {
  let k = 0;
  return (lo, hi) => lo + (picks[k++ % picks.length] % (hi - lo + 1));
};

const shuffle = <A>(xs: A[], pick: Pick): A[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = pick(0, i);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
};

// ---------------------------------------------------------------------------------------------
// Input values

/** `scale` widens the 'any' range (exp, softplus, sigmoid and tanh far from 0). */
const drawValues = (n: number, domain: InDomain, rand: Rand, scale: number): Float64Array =>
  Float64Array.from({ length: n }, () => {
    // Log-uniform magnitudes in [e^-4, e^3] ≈ [0.018, 20]: small and large positives alike.
    const mag = Math.exp(-4 + 7 * rand());
    switch (domain) {
      case 'positive':
        return mag;
      case 'awayFromZero':
        return rand() < 0.5 ? -mag : mag;
      case 'bool':
        return rand() < 0.5 ? 0 : 1;
      case 'coarse':
        return Math.round(8 * rand() - 4) / 2;
      case 'index':
        return rand();
      case 'any':
      case 'distinctRows':
        return scale * (-3 + 6 * rand());
    }
  });

// ---------------------------------------------------------------------------------------------
// Cases from each op's own sample; the ops without one get a generator here.

const randomShape = (pick: Pick, minRank: number, maxRank: number, batch = true): Dim[] => {
  const rank = pick(minRank, maxRank);
  const s: Dim[] = Array.from({ length: rank }, () => pick(1, 4));
  if (batch && rank > 0) s[pick(0, rank - 1)] = 'B';
  return s;
};

/** A shape that broadcasts to `s`: some leading axes dropped, some axes set to 1. */
const broadcastable = (s: readonly Dim[], pick: Pick): Dim[] => s.slice(pick(0, s.length)).map((d) => (pick(0, 2) === 0 ? 1 : d));

/** Two or three shapes that broadcast together: each derived from a common full shape. */
const broadcastShapes = (pick: Pick, n: number, maxRank = 4): Dim[][] => {
  const full = randomShape(pick, 0, maxRank, pick(0, 3) !== 0);
  const shapes = Array.from({ length: n }, () => broadcastable(full, pick));
  shapes[pick(0, n - 1)] = [...full]; // one operand carries the whole shape
  return shapes;
};

const constantGen: Gen = (pick, rand) => {
  const shape = randomShape(pick, 0, 3, false) as number[];
  const values = Array.from({ length: sizeOf(shape) }, () => (rand() < 0.1 ? [0, -0, 1e-300, 1e300, Math.PI][pick(0, 4)] : -5 + 10 * rand()));
  return { shapes: [], attrs: { values, shape, dtype: 'f64' }, domains: [] };
};

/** x [B, C, H, W] gathered at random plane indices [B, C, h, w] (repeats allowed). */
const gatherGen: Gen = (pick) => {
  const [c, H, W, h, w] = [pick(1, 3), pick(1, 5), pick(1, 5), pick(1, 4), pick(1, 4)];
  return { shapes: [['B', c, H, W], ['B', c, h, w]], attrs: {}, domains: ['any', 'index'], indexRange: H * W };
};
/** y [B, C, h, w] scattered to random plane indices of [H, W]; repeated indices add up. */
const unpoolGen: Gen = (pick) => {
  const [c, H, W, h, w] = [pick(1, 3), pick(1, 5), pick(1, 5), pick(1, 4), pick(1, 4)];
  return { shapes: [['B', c, h, w], ['B', c, h, w]], attrs: { size: [H, W] }, domains: ['any', 'index'], indexRange: H * W };
};

const sampled = (tag: OpTag): Gen | null => {
  const sample = opDef(tag).sample;
  if (sample) {
    return (pick) => {
      const s = sample(pick);
      return { shapes: s.shapes, attrs: s.attrs, domains: tag === 'topkMask' ? ['distinctRows'] : s.domains };
    };
  }
  switch (tag) {
    case 'input':
      return null; // a leaf: nothing to compute
    case 'constant':
      return constantGen;
    case 'greater':
      return (pick) => {
        const [a, b] = broadcastShapes(pick, 2, 3);
        return { shapes: [a, b], attrs: {}, domains: ['coarse', 'coarse'] };
      };
    case 'where':
      return (pick) => ({ shapes: broadcastShapes(pick, 3, 3), attrs: {}, domains: ['bool', 'any', 'any'] });
    case 'gatherPlanes':
      return gatherGen;
    case 'maxUnpool2d':
      return unpoolGen;
    default:
      throw new Error(`${tag} has no sample and no generator in this test`);
  }
};

const ALL_TAGS = Object.keys(OPS) as OpTag[];
const SAMPLED: [OpTag, Gen][] = ALL_TAGS.flatMap((t) => {
  const g = sampled(t);
  return g ? [[t, g] as [OpTag, Gen]] : [];
});

// ---------------------------------------------------------------------------------------------
// Wider generators: attributes and shapes the samples never draw.

const subsetOf = (n: number, pick: Pick): number[] => [...Array(n).keys()].filter(() => pick(0, 1) === 1);
const maybeNegative = (a: number, rank: number, pick: Pick): number => (pick(0, 1) === 1 ? a - rank : a);
const elementwise = (domains: Domain[]): Gen => (pick) => ({
  shapes: domains.length === 1 ? [randomShape(pick, 0, 4, pick(0, 3) !== 0)] : broadcastShapes(pick, domains.length),
  attrs: {},
  domains,
});
const reduceGen: Gen = (pick) => {
  const s = randomShape(pick, 1, 4);
  const axes = shuffle(subsetOf(s.length, pick), pick).map((a) => maybeNegative(a, s.length, pick));
  return { shapes: [s], attrs: { axes: axes.length ? axes : [maybeNegative(pick(0, s.length - 1), s.length, pick)], keepdims: pick(0, 1) === 1 }, domains: ['any'] };
};
/** A static (non-batch) axis of `s`, or null. */
const staticAxis = (s: readonly Dim[], pick: Pick): number | null => {
  const axes = s.flatMap((d, i) => (d === 'B' ? [] : [i]));
  return axes.length ? axes[pick(0, axes.length - 1)] : null;
};

/** Convolutions with pads beyond the dilated kernel (cropping in the f64 ConvTranspose) and wide strides. */
const wideConvAttrs = (pick: Pick, k: readonly [number, number]) => ({
  stride: [pick(1, 4), pick(1, 4)] as const,
  pads: [pick(0, 3), pick(0, 3), pick(0, 3), pick(0, 3)] as const,
  dilation: [pick(1, 3), pick(1, 3)] as const,
  k,
});
const convWide: Gen = (pick) => {
  const { k, ...attrs } = wideConvAttrs(pick, [pick(1, 4), pick(1, 4)]);
  const [c, o] = [pick(1, 3), pick(1, 3)];
  const size = (i: 0 | 1) => Math.max(1, attrs.dilation[i] * (k[i] - 1) + 1 - attrs.pads[i] - attrs.pads[i + 2]) + pick(0, 4);
  // Half the cases put the batch where the weight gradient does: in the channel position.
  const swapped = pick(0, 1) === 1;
  const x: Dim[] = swapped ? [pick(1, 3), 'B', size(0), size(1)] : ['B', c, size(0), size(1)];
  const w: Dim[] = swapped ? [o, 'B', k[0], k[1]] : [o, c, k[0], k[1]];
  return { shapes: [x, w], attrs, domains: ['any', 'any'] };
};
const convTransposeWide: Gen = (pick) => {
  const { k, ...attrs } = wideConvAttrs(pick, [pick(1, 4), pick(1, 4)]);
  const [o, c] = [pick(1, 3), pick(1, 3)];
  const outputPadding = [pick(0, attrs.stride[0] - 1), pick(0, attrs.stride[1] - 1)] as const;
  const size = (i: 0 | 1) => pick(1, 4) + Math.ceil(Math.max(0, attrs.pads[i] + attrs.pads[i + 2] - attrs.dilation[i] * (k[i] - 1) - outputPadding[i]) / attrs.stride[i]);
  return { shapes: [['B', o, size(0), size(1)], [o, c, k[0], k[1]]], attrs: { ...attrs, outputPadding }, domains: ['any', 'any'] };
};
const poolWide: Gen = (pick) => {
  const kernel = [pick(1, 4), pick(1, 4)] as const;
  const pads = [pick(0, kernel[0] - 1), pick(0, kernel[1] - 1), pick(0, kernel[0] - 1), pick(0, kernel[1] - 1)] as const;
  const shape: Dim[] = ['B', pick(1, 3), kernel[0] + pick(0, 5), kernel[1] + pick(0, 5)];
  return { shapes: [shape], attrs: { kernel, stride: [pick(1, 4), pick(1, 4)], pads }, domains: ['any'] };
};

const WIDE: Partial<Record<OpTag, Gen>> = {
  conv2d: convWide,
  convTranspose2d: convTransposeWide,
  maxPool2d: poolWide,
  maxPoolIndices: poolWide,
  gatherPlanes: gatherGen,
  maxUnpool2d: unpoolGen,
  constant: constantGen,
  add: elementwise(['any', 'any']),
  sub: elementwise(['any', 'any']),
  mul: elementwise(['any', 'any']),
  div: elementwise(['any', 'awayFromZero']),
  neg: elementwise(['any']),
  exp: elementwise(['any']),
  log: elementwise(['positive']),
  sqrt: elementwise(['positive']),
  relu: elementwise(['any']),
  sigmoid: elementwise(['any']),
  tanh: elementwise(['any']),
  softplus: elementwise(['any']),
  powc: (pick) => ({
    shapes: [randomShape(pick, 0, 3)],
    attrs: { p: [0, 1, 2, 3, 4, -1, -2, 0.5, 1.5, -0.5, 0.25, 2.5, 1 / 3][pick(0, 12)] },
    domains: ['positive'],
  }),
  matmul: (pick) => {
    const [m, k, n] = [pick(1, 5), pick(1, 5), pick(1, 5)];
    const form = pick(0, 3);
    const forms: Dim[][][] = [
      [['B', k], [k, n]],
      [[m, 'B'], ['B', n]],
      [[m, k], [k, 'B']],
      [[m, k], [k, n]],
    ];
    const shapes = forms[form];
    return { shapes, attrs: {}, domains: ['any', 'any'] };
  },
  reduceSum: reduceGen,
  reduceMean: reduceGen,
  transpose: (pick) => {
    const s = randomShape(pick, 1, 4);
    return { shapes: [s], attrs: { perm: shuffle([...s.keys()], pick) }, domains: ['any'] };
  },
  reshape: (pick) => {
    // [B, a, b, c] to a random grouping of a, b, c with the batch at a random position.
    const parts = [pick(1, 3), pick(1, 3), pick(1, 3)];
    const cut1 = pick(0, 3);
    const cut2 = pick(cut1, 3);
    const groups = [parts.slice(0, cut1), parts.slice(cut1, cut2), parts.slice(cut2)].filter((g) => g.length).map((g) => g.reduce((a, b) => a * b, 1));
    const target: Dim[] = [...groups];
    target.splice(pick(0, target.length), 0, 'B');
    return { shapes: [['B', ...parts]], attrs: { shape: target }, domains: ['any'] };
  },
  concat: (pick) => {
    const s = randomShape(pick, 1, 3);
    const ax = staticAxis(s, pick) ?? s.push(pick(1, 3)) - 1;
    const shapes = Array.from({ length: pick(1, 3) }, () => s.map((d, i) => (i === ax ? pick(1, 3) : d)));
    return { shapes, attrs: { axis: maybeNegative(ax, s.length, pick) }, domains: shapes.map(() => 'any' as const) };
  },
  slice: (pick) => {
    const s = randomShape(pick, 1, 3).map((d) => (d === 'B' ? d : d + 1));
    const ax = staticAxis(s, pick) ?? s.push(pick(2, 5)) - 1;
    const n = s[ax] as number;
    const start = pick(0, n - 1);
    return { shapes: [s], attrs: { axis: maybeNegative(ax, s.length, pick), start, end: pick(start + 1, n) }, domains: ['any'] };
  },
  topkMask: (pick) => {
    const s: Dim[] = [...randomShape(pick, 0, 2), pick(1, 6)];
    return { shapes: [s], attrs: { k: pick(1, s[s.length - 1] as number) }, domains: ['distinctRows'] };
  },
  greater: (pick) => ({ shapes: broadcastShapes(pick, 2), attrs: {}, domains: ['coarse', 'coarse'] }),
  where: (pick) => ({ shapes: broadcastShapes(pick, 3), attrs: {}, domains: ['bool', 'any', 'any'] }),
  expandLike: (pick) => {
    const like = randomShape(pick, 0, 4, pick(0, 3) !== 0);
    return { shapes: [broadcastable(like, pick), like], attrs: { meanAxes: subsetOf(like.length, pick) }, domains: ['any', 'any'] };
  },
};

// ---------------------------------------------------------------------------------------------
// Build, lower, run, compare

const show = (c: Case, B: number) =>
  `${c.tag} shapes ${c.shapes.map((s) => `[${s.join(', ')}]`).join(' ')} (B = ${B}) attrs ${JSON.stringify(c.attrs)}`;

const fmt = (xs: ArrayLike<number>, max = 12) => {
  const a = Array.from(xs).slice(0, max);
  return `[${a.map((v) => (Object.is(v, -0) ? '-0' : String(v))).join(', ')}${xs.length > max ? ', …' : ''}]`;
};

const runOnnx = async (g: Graph, out: Val, names: string[], feeds: Record<string, ort.Tensor>) => {
  const bytes = lowerToBytes(g, [{ name: 'y', val: out }], { graphName: 'reference', inputs: names });
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'disabled',
    intraOpNumThreads: 1,
    logSeverityLevel: 3, // the known-disagreement rows make onnxruntime warn about output shapes
  });
  try {
    const r = await session.run(feeds);
    return { data: Float64Array.from(r.y.data as ArrayLike<number | bigint>, Number), dims: r.y.dims.map(Number) };
  } finally {
    await session.release();
  }
};

/** Lower `c` as a one-op graph, run it on random inputs and compare with the reference; returns a failure message or null. */
const inDtype = (d: InDomain, float: 'f32' | 'f64') => (d === 'bool' ? 'bool' : d === 'index' ? 'i64' : float);
const ortTensor = (d: InDomain, float: 'f32' | 'f64', v: Float64Array, dims: number[]) =>
  d === 'bool'
    ? new ort.Tensor('bool', Uint8Array.from(v), dims)
    : d === 'index'
      ? new ort.Tensor('int64', BigInt64Array.from(v, (x) => BigInt(x)), dims)
      : float === 'f32'
        ? new ort.Tensor('float32', Float32Array.from(v), dims)
        : new ort.Tensor('float64', Float64Array.from(v), dims);

/** `float` 'f32' checks the f32 lowering (onnxruntime's Conv kernels) at `rtol`, with f32-rounded inputs. */
const checkCase = async (c: Case, B: number, seed: number, float: 'f32' | 'f64' = 'f64', rtol = RTOL): Promise<string | null> => {
  const what = show(c, B);
  const g = new Graph(float);
  const names = c.shapes.map((_, i) => `x${i}`);
  const ins = c.shapes.map((s, i) => {
    const v = g.input(names[i], s, 'data', inDtype(c.domains[i], float));
    if (E.isLeft(v)) throw new Error(`${what}: ${showError(v.left)}`);
    return v.right;
  });
  const built = g.op(c.tag, ins, c.attrs as OpAttrs[OpTag], `ref.${c.tag}`);
  if (E.isLeft(built)) throw new Error(`${what}: the case does not type: ${showError(built.left)}`);
  const out = built.right;

  const rand = rng(seed);
  const scale = rand() < 0.25 ? 10 : 1;
  const dims = c.shapes.map((s) => bindShape(s, B));
  const values = dims.map((d, i) => drawValues(sizeOf(d), c.domains[i], rand, scale));
  values.forEach((v, i) => c.domains[i] === 'distinctRows' && makeDistinctRows(v, dims[i][dims[i].length - 1] ?? 1, rand));
  values.forEach((v, i) => c.domains[i] === 'index' && v.forEach((u, j) => (v[j] = Math.floor(u * (c.indexRange ?? 1)))));
  if (float === 'f32') values.forEach((v, i) => c.domains[i] !== 'index' && v.set(Float32Array.from(v)));
  const feeds = Object.fromEntries(values.map((v, i) => [names[i], ortTensor(c.domains[i], float, v, dims[i])]));

  const expected: RefTensor = evalRef(c.tag, c.attrs as never, dims, values);
  const got = await runOnnx(g, out, names, feeds);
  const inputs = values.map((v, i) => `x${i} = ${fmt(v)}`).join('; ');

  const declared = bindShape(out.type.shape, B);
  if (JSON.stringify(expected.dims) !== JSON.stringify(declared))
    return `${what}: reference shape [${expected.dims.join(', ')}] but infer declares [${declared.join(', ')}]`;
  if (JSON.stringify(got.dims) !== JSON.stringify(expected.dims))
    return `${what}: onnxruntime shape [${got.dims.join(', ')}], reference [${expected.dims.join(', ')}]; ${inputs}`;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < got.data.length; i++) {
    const a = got.data[i];
    const b = expected.data[i];
    const excess = a === b ? 0 : Number.isNaN(a) || Number.isNaN(b) ? (Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity) : Math.abs(a - b) / Math.max(1, Math.abs(b));
    if (excess > rtol && excess > worstExcess) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst < 0) return null;
  return `${what}: element ${worst} differs by ${worstExcess.toExponential(3)} (relative, floor 1): onnxruntime ${got.data[worst]}, reference ${expected.data[worst]}; ${inputs}; onnxruntime ${fmt(got.data)}; reference ${fmt(expected.data)}`;
};

const arb = {
  picks: fc.array(fc.nat({ max: 1_000_000 }), { minLength: 16, maxLength: 16 }),
  B: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer(),
};

const check = async (tag: OpTag, gen: Gen, { picks, B, seed }: { picks: number[]; B: number; seed: number }) => {
  const msg = await checkCase({ tag, ...gen(picker(picks), rng(seed ^ 0x5bd1e995)) }, B, seed);
  expect(msg, msg ?? '').toBeNull();
};

// ---------------------------------------------------------------------------------------------

// f64 graphs lower convolutions to im2col (onnxruntime's Conv kernels are f32 only); this checks the
// f32 lowerings, the Conv/ConvTranspose nodes training uses, against the same reference.
const F32_RUNS = 60;
const F32_RTOL = 1e-4;
describe('f32 Conv and ConvTranspose lowerings vs f64 reference', () => {
  const gens: [OpTag, Gen][] = [
    ['conv2d', sampled('conv2d')!],
    ['conv2d', convWide],
    ['convTranspose2d', sampled('convTranspose2d')!],
    ['convTranspose2d', convTransposeWide],
  ];
  gens.forEach(([tag, gen], i) => {
    test.prop(arb, { numRuns: F32_RUNS, seed: SEED + 2000 + i })(`${tag} (${i % 2 ? 'wide' : 'sampled'})`, async ({ picks, B, seed }) => {
      const msg = await checkCase({ tag, ...gen(picker(picks), rng(seed ^ 0x5bd1e995)) }, B, seed, 'f32', F32_RTOL);
      expect(msg, msg ?? '').toBeNull();
    });
  });
});

test('the reference table covers exactly the registry; every op but the input leaf is exercised', () => {
  expect(Object.keys(REF).sort()).toEqual(Object.keys(OPS).sort());
  const leaves = ALL_TAGS.filter((t) => 'leaf' in REF[t]);
  expect(leaves).toEqual(['input']);
  const computing = ALL_TAGS.filter((t) => !leaves.includes(t)).sort();
  expect(SAMPLED.map(([t]) => t).sort()).toEqual(computing);
  expect(Object.keys(WIDE).sort()).toEqual(computing);
});

describe("ONNX lowering vs f64 reference: shapes and attrs from each op's sample", () => {
  SAMPLED.forEach(([tag, gen], i) => {
    test.prop(arb, { numRuns: RUNS, seed: SEED + i })(tag, (a) => check(tag, gen, a));
  });
});

describe('ONNX lowering vs f64 reference: wider shapes and attrs', () => {
  (Object.entries(WIDE) as [OpTag, Gen][]).forEach(([tag, gen], i) => {
    test.prop(arb, { numRuns: WIDE_RUNS, seed: SEED + 1000 + i })(tag, (a) => check(tag, gen, a));
  });
});

/** One fixed case with fixed inputs; returns the failure message or null. */
const fixedCase = async (c: Case, dims: number[][], values: number[][]): Promise<string | null> => {
  const g = new Graph('f64');
  const names = c.shapes.map((_, i) => `x${i}`);
  const ins = c.shapes.map((s, i) => g.input(names[i], s, 'data', c.domains[i] === 'bool' ? 'bool' : 'f64'));
  const built = g.op(c.tag, ins.map((v) => (E.isLeft(v) ? fail(showError(v.left)) : v.right)), c.attrs as OpAttrs[OpTag], `ref.${c.tag}`);
  if (E.isLeft(built)) return `${c.tag} ${JSON.stringify(c.attrs)}: rejected by infer: ${showError(built.left)}`;
  const feeds = Object.fromEntries(
    values.map((v, i) => [names[i], c.domains[i] === 'bool' ? new ort.Tensor('bool', Uint8Array.from(v), dims[i]) : new ort.Tensor('float64', Float64Array.from(v), dims[i])]),
  );
  const expected = evalRef(c.tag, c.attrs as never, dims, values.map((v) => Float64Array.from(v)));
  const got = await runOnnx(g, built.right, names, feeds);
  const same =
    JSON.stringify(got.dims) === JSON.stringify(expected.dims) &&
    got.data.every((a, i) => a === expected.data[i] || Math.abs(a - expected.data[i]) <= RTOL * Math.max(1, Math.abs(expected.data[i])) || (Number.isNaN(a) && Number.isNaN(expected.data[i])));
  return same ? null : `${c.tag} ${JSON.stringify(c.attrs)} on ${fmt(values.flat())}: onnxruntime [${got.dims.join(', ')}] ${fmt(got.data)}, reference [${expected.dims.join(', ')}] ${fmt(expected.data)}`;
};

const fail = (msg: string): never => {
  throw new Error(msg);
};

const edgeRows: [string, Case, number[][], number[][]][] = [
  ['topkMask ties: the lower index wins', { tag: 'topkMask', shapes: [[4, 4]], attrs: { k: 2 }, domains: ['any'] }, [[4, 4]], [[1, 1, 1, 0, 0, 2, 2, 2, 5, 5, 5, 5, -1, 3, -1, 3]]],
  ['greater on equal values is false', { tag: 'greater', shapes: [[4], []], attrs: {}, domains: ['any', 'any'] }, [[4], []], [[-1, 0, -0, 1], [0]]],
  ['softplus far from 0 (absolute floor)', { tag: 'softplus', shapes: [[8]], attrs: {}, domains: ['any'] }, [[8]], [[800, -800, 40, -40, 1e-20, -1e-20, 0, 36]]],
  ['sigmoid far from 0 (absolute floor)', { tag: 'sigmoid', shapes: [[6]], attrs: {}, domains: ['any'] }, [[6]], [[800, -800, 40, -40, 0, 1e-20]]],
  ['powc with integer p on negative bases', { tag: 'powc', shapes: [[5]], attrs: { p: 3 }, domains: ['any'] }, [[5]], [[-2, -0.5, 0, 1, 2]]],
  ['powc p = 2 (lowered as x * x) on negative bases', { tag: 'powc', shapes: [[4]], attrs: { p: 2 }, domains: ['any'] }, [[4]], [[-3, -0.5, 0, 1e-200]]],
  ['relu on signed zeros and infinities', { tag: 'relu', shapes: [[4]], attrs: {}, domains: ['any'] }, [[4]], [[-0, 0, -Infinity, Infinity]]],
  ['expandLike from a scalar with a mean over every axis', { tag: 'expandLike', shapes: [[], ['B', 3]], attrs: { meanAxes: [0, 1] }, domains: ['any', 'any'] }, [[], [2, 3]], [[6], [0, 0, 0, 0, 0, 0]]],
];

describe('fixed edge rows', () => {
  for (const [name, c, dims, values] of edgeRows)
    test(name, async () => {
      const msg = await fixedCase(c, dims, values);
      expect(msg, msg ?? '').toBeNull();
    });
});

// Found by this test: with axes [] the shape rule keeps the input's shape, but ONNX ReduceSum /
// ReduceMean (noop_with_empty_axes = 0) reduce over every axis. The lowering now emits Identity.
describe('reduce with an empty axis list', () => {
  for (const tag of ['reduceSum', 'reduceMean'] as const)
    for (const keepdims of [false, true])
      test(`${tag} axes [] keepdims ${keepdims}: reduces nothing, as the shape rule says`, async () => {
        const msg = await fixedCase({ tag, shapes: [['B', 3]], attrs: { axes: [], keepdims }, domains: ['any'] }, [[2, 3]], [[1, 2, 3, 4, 5, 6]]);
        expect(msg, msg ?? '').toBeNull();
      });
});
