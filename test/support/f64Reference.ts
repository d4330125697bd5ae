// An independent f64 reference for every primitive: each op's meaning written out in plain
// TypeScript (numpy-style broadcasting, index arithmetic, stable formulas), so the ONNX lowering
// can be checked against a second implementation. Nothing here calls an op's `infer` or `lower`.
// Bool tensors are carried as 0/1 in a Float64Array.
import type { OpAttrs, OpTag } from '../../compiler/ops/tags';

export interface RefTensor {
  readonly data: Float64Array;
  readonly dims: readonly number[];
}

/** Computes an op's output from concrete inputs (batch already bound to a number). */
export type RefRule<K extends OpTag> = (ins: readonly RefTensor[], attrs: OpAttrs[K]) => RefTensor;

/** An op with nothing to compute: the value is bound from outside the graph. */
export interface RefLeaf {
  readonly leaf: string;
}

export class RefError extends Error {
  constructor(message: string) {
    super(`f64 reference: ${message}`);
    this.name = 'RefError';
  }
}

const fail = (msg: string): never => {
  throw new RefError(msg);
};

// ---------------------------------------------------------------------------------------------
// Index arithmetic

const sizeOf = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** Row-major strides. */
const stridesOf = (dims: readonly number[]): number[] => {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
};

/** Multi-index of flat position `flat` in `dims`. */
const unravel = (flat: number, dims: readonly number[]): number[] => {
  const idx = new Array<number>(dims.length);
  for (let i = dims.length - 1; i >= 0; i--) {
    idx[i] = flat % dims[i];
    flat = Math.floor(flat / dims[i]);
  }
  return idx;
};

const normAxis = (axis: number, rank: number): number => {
  const a = axis < 0 ? axis + rank : axis;
  if (!(Number.isInteger(a) && a >= 0 && a < rank)) fail(`axis ${axis} out of range for rank ${rank}`);
  return a;
};

const tensor = (dims: readonly number[], data?: Float64Array): RefTensor => {
  const d = data ?? new Float64Array(sizeOf(dims));
  if (d.length !== sizeOf(dims)) fail(`${d.length} values for dims [${dims.join(', ')}]`);
  return { data: d, dims: [...dims] };
};

// ---------------------------------------------------------------------------------------------
// Numpy broadcasting

/** Numpy broadcast of several shapes, aligned on the right; a 1 stretches, anything else must match. */
export const broadcastDims = (...shapes: (readonly number[])[]): number[] => {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const di = s[s.length - rank + i] ?? 1;
      if (di === d || di === 1) continue;
      if (d === 1) d = di;
      else fail(`cannot broadcast ${shapes.map((x) => `[${x.join(', ')}]`).join(' with ')}`);
    }
    out.push(d);
  }
  return out;
};

/** Flat index into a tensor of `dims` for the output multi-index `outIdx` (broadcast to the output's rank). */
const broadcastIndex = (dims: readonly number[], strides: readonly number[], outIdx: readonly number[]): number => {
  const lead = outIdx.length - dims.length;
  let flat = 0;
  for (let i = 0; i < dims.length; i++) flat += (dims[i] === 1 ? 0 : outIdx[lead + i]) * strides[i];
  return flat;
};

/** Elementwise map of any arity under numpy broadcasting. */
const broadcastMap = (ins: readonly RefTensor[], f: (...xs: number[]) => number, outDims?: readonly number[]): RefTensor => {
  const dims = outDims ?? broadcastDims(...ins.map((t) => t.dims));
  const out = tensor(dims);
  const strides = ins.map((t) => stridesOf(t.dims));
  const xs = new Array<number>(ins.length);
  for (let flat = 0; flat < out.data.length; flat++) {
    const idx = unravel(flat, dims);
    for (let j = 0; j < ins.length; j++) xs[j] = ins[j].data[broadcastIndex(ins[j].dims, strides[j], idx)];
    out.data[flat] = f(...xs);
  }
  return out;
};

/** A rule for the attribute-free ops (assignable to any of their RefRule types). */
type NoAttrRule = (ins: readonly RefTensor[]) => RefTensor;
const unary = (f: (x: number) => number): NoAttrRule => ([x]) => tensor(x.dims, x.data.map(f));
const binary = (f: (a: number, b: number) => number): NoAttrRule => ([a, b]) => broadcastMap([a, b], f);

// ---------------------------------------------------------------------------------------------
// Scalar functions, in their numerically stable forms

/** log(1 + e^x) without overflow: x + log1p(e^-x) for x > 0, log1p(e^x) otherwise. */
export const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** 1 / (1 + e^-x), evaluated on the side where the exponential cannot overflow. */
export const sigmoid = (x: number): number => {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
};

// ---------------------------------------------------------------------------------------------
// Structural ops

/** Numpy matmul: rank-1 operands are promoted (and the promoted axis dropped), leading axes broadcast. */
const matmul: RefRule<'matmul'> = ([a0, b0]) => {
  if (a0.dims.length === 0 || b0.dims.length === 0) fail('matmul of a scalar');
  const a = a0.dims.length === 1 ? tensor([1, a0.dims[0]], a0.data) : a0;
  const b = b0.dims.length === 1 ? tensor([b0.dims[0], 1], b0.data) : b0;
  const [m, k] = a.dims.slice(-2);
  const [k2, n] = b.dims.slice(-2);
  if (k !== k2) fail(`matmul inner dimensions differ: [${a0.dims.join(', ')}] x [${b0.dims.join(', ')}]`);
  const batchA = a.dims.slice(0, -2);
  const batchB = b.dims.slice(0, -2);
  const batch = broadcastDims(batchA, batchB);
  const out = tensor([...batch, m, n]);
  const sa = stridesOf(batchA);
  const sb = stridesOf(batchB);
  const nb = sizeOf(batch);
  for (let bi = 0; bi < nb; bi++) {
    const idx = unravel(bi, batch);
    const offA = broadcastIndex(batchA, sa, idx) * m * k;
    const offB = broadcastIndex(batchB, sb, idx) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.data[offA + i * k + p] * b.data[offB + p * n + j];
        out.data[bi * m * n + i * n + j] = s;
      }
  }
  const dims = [...batch, ...(a0.dims.length === 1 ? [] : [m]), ...(b0.dims.length === 1 ? [] : [n])];
  return tensor(dims, out.data);
};

/**
 * Sum (or mean) over `axes` (negative axes count from the end). As the IR defines it, an empty
 * axis list reduces nothing; keepdims leaves a 1 where each reduced axis was.
 */
const reduce =
  (mean: boolean) =>
  ([x]: readonly RefTensor[], { axes, keepdims }: OpAttrs['reduceSum'] | OpAttrs['reduceMean']): RefTensor => {
    const rank = x.dims.length;
    const ax = axes.map((a) => normAxis(a, rank));
    if (new Set(ax).size !== ax.length) fail(`repeated axes [${axes.join(', ')}]`);
    const keptDims = x.dims.map((d, i) => (ax.includes(i) ? 1 : d));
    const acc = new Float64Array(sizeOf(keptDims));
    const ks = stridesOf(keptDims);
    for (let flat = 0; flat < x.data.length; flat++) {
      const idx = unravel(flat, x.dims);
      let o = 0;
      for (let i = 0; i < rank; i++) o += (ax.includes(i) ? 0 : idx[i]) * ks[i];
      acc[o] += x.data[flat];
    }
    const count = ax.reduce((c, a) => c * x.dims[a], 1);
    if (mean) for (let i = 0; i < acc.length; i++) acc[i] /= count;
    return tensor(keepdims ? keptDims : x.dims.filter((_, i) => !ax.includes(i)), acc);
  };

/** out[i_0, …, i_{r−1}] = x[j] with j[perm[a]] = i_a. */
const transpose: RefRule<'transpose'> = ([x], { perm }) => {
  const rank = x.dims.length;
  if (perm.length !== rank || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) fail(`bad perm [${perm.join(', ')}]`);
  const dims = perm.map((p) => x.dims[p]);
  const out = tensor(dims);
  const xs = stridesOf(x.dims);
  for (let flat = 0; flat < out.data.length; flat++) {
    const idx = unravel(flat, dims);
    let src = 0;
    for (let a = 0; a < rank; a++) src += idx[a] * xs[perm[a]];
    out.data[flat] = x.data[src];
  }
  return out;
};

/** Same values in row-major order; the batch entry `B` takes whatever size is left over. */
const reshape: RefRule<'reshape'> = ([x], { shape }) => {
  const known = shape.reduce<number>((p, d) => (d === 'B' ? p : p * d), 1);
  const dims = shape.map((d) => (d === 'B' ? x.data.length / known : d));
  if (dims.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(dims) !== x.data.length)
    fail(`cannot reshape [${x.dims.join(', ')}] to [${shape.join(', ')}]`);
  return tensor(dims, Float64Array.from(x.data));
};

const concat: RefRule<'concat'> = (ins, { axis }) => {
  if (ins.length === 0) fail('concat of nothing');
  const rank = ins[0].dims.length;
  const ax = normAxis(axis, rank);
  const dims = ins[0].dims.map((d, i) => (i === ax ? ins.reduce((s, t) => s + t.dims[ax], 0) : d));
  const out = tensor(dims);
  for (let flat = 0; flat < out.data.length; flat++) {
    const idx = unravel(flat, dims);
    let pos = idx[ax];
    let j = 0;
    while (pos >= ins[j].dims[ax]) pos -= ins[j++].dims[ax];
    const src = ins[j];
    const srcIdx = idx.map((v, i) => (i === ax ? pos : v));
    out.data[flat] = src.data[srcIdx.reduce((s, v, i) => s + v * stridesOf(src.dims)[i], 0)];
  }
  return out;
};

/** x[start:end] along one axis. */
const slice: RefRule<'slice'> = ([x], { axis, start, end }) => {
  const ax = normAxis(axis, x.dims.length);
  if (!(0 <= start && start < end && end <= x.dims[ax])) fail(`slice [${start}, ${end}) of axis ${axis}`);
  const dims = x.dims.map((d, i) => (i === ax ? end - start : d));
  const xs = stridesOf(x.dims);
  const out = tensor(dims);
  for (let flat = 0; flat < out.data.length; flat++) {
    const idx = unravel(flat, dims);
    out.data[flat] = x.data[idx.reduce((s, v, i) => s + (i === ax ? v + start : v) * xs[i], 0)];
  }
  return out;
};

/** 1 at the k largest entries of each last-axis row, 0 elsewhere; among equal values the lower index wins. */
const topkMask: RefRule<'topkMask'> = ([x], { k }) => {
  const n = x.dims[x.dims.length - 1];
  if (!(Number.isInteger(k) && 1 <= k && k <= n)) fail(`k = ${k} for a last axis of ${n}`);
  const out = tensor(x.dims);
  for (let row = 0; row < x.data.length / n; row++) {
    const base = row * n;
    const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => {
      const d = x.data[base + j] - x.data[base + i];
      return d !== 0 ? d : i - j;
    });
    for (const i of order.slice(0, k)) out.data[base + i] = 1;
  }
  return out;
};

/** x broadcast to the shape of `like`, divided by the number of elements of `like` along `meanAxes`. */
const expandLike: RefRule<'expandLike'> = ([x, like], { meanAxes }) => {
  const count = meanAxes.reduce((c, a) => c * like.dims[normAxis(a, like.dims.length)], 1);
  const dims = broadcastDims(x.dims, like.dims);
  if (dims.length !== like.dims.length || dims.some((d, i) => d !== like.dims[i]))
    fail(`cannot expand [${x.dims.join(', ')}] to [${like.dims.join(', ')}]`);
  return broadcastMap([x], (v) => v / count, like.dims);
};

const constant: RefRule<'constant'> = (_, { values, shape }) => {
  if (shape.some((d) => d === 'B')) fail('constant with a batch dimension');
  return tensor(shape as readonly number[], Float64Array.from(values));
};

// ---------------------------------------------------------------------------------------------
// Convolutions and pooling, NCHW, written from their definitions (no im2col, no flipping).

const dims4 = (t: RefTensor, what: string): [number, number, number, number] => {
  if (t.dims.length !== 4) fail(`${what} must be rank 4, got [${t.dims.join(', ')}]`);
  return t.dims as [number, number, number, number];
};

/** y[n, o, i, j] = Σ_{c, p, q} x[n, c, i·s + p·d − pad_top, j·s + q·d − pad_left] · w[o, c, p, q] (zeros outside x). */
const conv2d: RefRule<'conv2d'> = ([x, w], { stride: [sh, sw], pads: [pt, pl, pb, pr], dilation: [dh, dw] }) => {
  const [N, C, H, W] = dims4(x, 'x');
  const [O, C2, KH, KW] = dims4(w, 'w');
  if (C !== C2) fail('conv2d channels differ');
  const Ho = Math.floor((H + pt + pb - dh * (KH - 1) - 1) / sh) + 1;
  const Wo = Math.floor((W + pl + pr - dw * (KW - 1) - 1) / sw) + 1;
  if (Ho < 1 || Wo < 1) fail('conv2d kernel does not fit');
  const out = tensor([N, O, Ho, Wo]);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < Ho; i++)
        for (let j = 0; j < Wo; j++) {
          let acc = 0;
          for (let c = 0; c < C; c++)
            for (let p = 0; p < KH; p++)
              for (let q = 0; q < KW; q++) {
                const r = i * sh + p * dh - pt;
                const k = j * sw + q * dw - pl;
                if (r >= 0 && r < H && k >= 0 && k < W) acc += x.data[((n * C + c) * H + r) * W + k] * w.data[((o * C + c) * KH + p) * KW + q];
              }
          out.data[((n * O + o) * Ho + i) * Wo + j] = acc;
        }
  return out;
};

/** Scatter form: x[n, o, i, j] · w[o, c, p, q] lands on y[n, c, i·s + p·d − pad_top, j·s + q·d − pad_left]. */
const convTranspose2d: RefRule<'convTranspose2d'> = ([x, w], { stride: [sh, sw], pads: [pt, pl, pb, pr], dilation: [dh, dw], outputPadding: [oph, opw] }) => {
  const [N, O, h, wd] = dims4(x, 'x');
  const [O2, C, KH, KW] = dims4(w, 'w');
  if (O !== O2) fail('convTranspose2d channels differ');
  const H = (h - 1) * sh + dh * (KH - 1) + 1 + oph - pt - pb;
  const W = (wd - 1) * sw + dw * (KW - 1) + 1 + opw - pl - pr;
  if (H < 1 || W < 1) fail('convTranspose2d output is empty');
  const out = tensor([N, C, H, W]);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < wd; j++) {
          const v = x.data[((n * O + o) * h + i) * wd + j];
          for (let c = 0; c < C; c++)
            for (let p = 0; p < KH; p++)
              for (let q = 0; q < KW; q++) {
                const r = i * sh + p * dh - pt;
                const k = j * sw + q * dw - pl;
                if (r >= 0 && r < H && k >= 0 && k < W) out.data[((n * C + c) * H + r) * W + k] += v * w.data[((o * C + c) * KH + p) * KW + q];
              }
        }
  return out;
};

/** Max of each window over the unpadded positions, and the plane index r·W + k of the first maximum. */
const pool = ([x]: readonly RefTensor[], { kernel: [KH, KW], stride: [sh, sw], pads: [pt, pl, pb, pr] }: OpAttrs['maxPool2d']): [RefTensor, RefTensor] => {
  const [N, C, H, W] = dims4(x, 'x');
  const Ho = Math.floor((H + pt + pb - KH) / sh) + 1;
  const Wo = Math.floor((W + pl + pr - KW) / sw) + 1;
  if (Ho < 1 || Wo < 1) fail('maxPool window does not fit');
  const vals = tensor([N, C, Ho, Wo]);
  const idx = tensor([N, C, Ho, Wo]);
  for (let nc = 0; nc < N * C; nc++)
    for (let i = 0; i < Ho; i++)
      for (let j = 0; j < Wo; j++) {
        let best = -Infinity;
        let at = -1;
        for (let p = 0; p < KH; p++)
          for (let q = 0; q < KW; q++) {
            const r = i * sh + p - pt;
            const k = j * sw + q - pl;
            if (r < 0 || r >= H || k < 0 || k >= W) continue;
            const v = x.data[(nc * H + r) * W + k];
            if (at < 0 || v > best) [best, at] = [v, r * W + k];
          }
        vals.data[(nc * Ho + i) * Wo + j] = best;
        idx.data[(nc * Ho + i) * Wo + j] = at;
      }
  return [vals, idx];
};

/** y[n, c, i, j] = x[n, c, plane position idx[n, c, i, j]]. */
const gatherPlanes: RefRule<'gatherPlanes'> = ([x, idx]) => {
  const [N, C, H, W] = dims4(x, 'x');
  const [, , h, w] = dims4(idx, 'idx');
  const out = tensor([N, C, h, w]);
  for (let nc = 0; nc < N * C; nc++)
    for (let t = 0; t < h * w; t++) {
      const at = idx.data[nc * h * w + t];
      if (!(Number.isInteger(at) && at >= 0 && at < H * W)) fail(`gather index ${at} outside a ${H}×${W} plane`);
      out.data[nc * h * w + t] = x.data[nc * H * W + at];
    }
  return out;
};

/** Zeros [N, C, H, W] with y added at the plane positions idx (repeated positions add up). */
const maxUnpool2d: RefRule<'maxUnpool2d'> = ([y, idx], { size: [H, W] }) => {
  const [N, C, h, w] = dims4(y, 'y');
  const out = tensor([N, C, H, W]);
  for (let nc = 0; nc < N * C; nc++)
    for (let t = 0; t < h * w; t++) {
      const at = idx.data[nc * h * w + t];
      if (!(Number.isInteger(at) && at >= 0 && at < H * W)) fail(`unpool index ${at} outside a ${H}×${W} plane`);
      out.data[nc * H * W + at] += y.data[nc * h * w + t];
    }
  return out;
};

// ---------------------------------------------------------------------------------------------
// The table: one entry per primitive, so a new OpTag without a reference is a type error.

export const REF: { readonly [K in OpTag]: RefRule<K> | RefLeaf } = {
  input: { leaf: 'bound by name from the feeds; nothing to compute' },
  constant,
  matmul,
  add: binary((a, b) => a + b),
  sub: binary((a, b) => a - b),
  mul: binary((a, b) => a * b),
  div: binary((a, b) => a / b),
  neg: unary((x) => -x),
  exp: unary(Math.exp),
  log: unary(Math.log),
  sqrt: unary(Math.sqrt),
  powc: ([x], { p }) => tensor(x.dims, x.data.map((v) => Math.pow(v, p))),
  relu: unary((x) => (x > 0 || Number.isNaN(x) ? x : 0)), // max(x, 0), NaN propagating
  sigmoid: unary(sigmoid),
  tanh: unary(Math.tanh),
  softplus: unary(softplus),
  reduceSum: reduce(false),
  reduceMean: reduce(true),
  transpose,
  reshape,
  concat,
  slice,
  topkMask,
  greater: binary((a, b) => (a > b ? 1 : 0)),
  where: ([c, a, b]) => broadcastMap([c, a, b], (ci, ai, bi) => (ci !== 0 ? ai : bi)),
  expandLike,
  conv2d,
  convTranspose2d,
  maxPool2d: (ins, attrs) => pool(ins, attrs)[0],
  maxPoolIndices: (ins, attrs) => pool(ins, attrs)[1],
  gatherPlanes,
  maxUnpool2d,
};

export const isLeaf = (r: RefRule<never> | RefLeaf): r is RefLeaf => 'leaf' in r;

/**
 * Evaluate `tag` on concrete inputs. `dims` are the inputs' shapes with the batch bound to a
 * number; `inputs` their row-major values (bools as 0/1).
 */
export const evalRef = <K extends OpTag>(
  tag: K,
  attrs: OpAttrs[K],
  dims: readonly (readonly number[])[],
  inputs: readonly Float64Array[],
): RefTensor => {
  const rule = REF[tag] as RefRule<K> | RefLeaf;
  if ('leaf' in rule) return fail(`${tag} is a leaf: ${rule.leaf}`);
  if (dims.length !== inputs.length) fail(`${tag}: ${dims.length} shapes for ${inputs.length} inputs`);
  return rule(
    inputs.map((data, i) => tensor(dims[i], data)),
    attrs,
  );
};
