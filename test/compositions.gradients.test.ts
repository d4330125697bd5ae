// Random compositions of primitives: fast-check draws a small DAG (2–6 steps) over [B, n] values,
// data inputs and parameters; the compiled gradient of its scalar loss must agree with central
// finite differences for every input. Steps are integer choices interpreted by `build`, so
// counterexamples shrink to short programs; `trace` spells the program out on failure.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { Graph } from '../compiler/ir/graph';
import type { Val } from '../compiler/ir/val';
import type { Shape } from '../compiler/ir/types';
import type { Domain } from '../compiler/ops/def';
import type { OpAttrs, OpTag } from '../compiler/ops/tags';
import { bindShape, drawValues, fcParams, gradCheck, ok, rng, sizeOf, type F64Feeds } from './support/finiteDiff';

const RUNS = 300;
const TOL = 1e-6;
/** Relu inputs closer to 0 than this are skipped: a finite-difference step could cross the kink. */
const KINK_MARGIN = 0.05;
/** Programs whose intermediates exceed this are skipped: f64 rounding in the loss would swamp the differences. */
const MAX_MAGNITUDE = 1e3;

interface Step {
  readonly kind: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

const stepArb = fc.record({ kind: fc.nat(8), a: fc.nat(15), b: fc.nat(15), c: fc.nat(15) });
const programArb = {
  B: fc.integer({ min: 1, max: 3 }),
  widths: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 2 }),
  steps: fc.array(stepArb, { minLength: 2, maxLength: 6 }),
  seed: fc.integer(),
};

/** A program under construction: every value has shape [B, n]; sinks (unused values) feed the loss. */
class Builder {
  readonly g = new Graph('f64');
  readonly vals: { v: Val; used: boolean }[] = [];
  readonly domains = new Map<string, Domain>();
  readonly reluInputs: Val[] = [];
  readonly trace: string[] = [];
  private nParams = 0;

  op<K extends OpTag>(tag: K, ins: readonly Val[], attrs: OpAttrs[K]): Val {
    return ok(this.g.op(tag, ins, attrs, `gen.${tag}`));
  }
  input(name: string, shape: Shape, domain: Domain): Val {
    this.domains.set(name, domain);
    return ok(this.g.input(name, shape, name.startsWith('x') ? 'data' : 'param'));
  }
  param(shape: Shape, domain: Domain = 'any'): Val {
    return this.input(`p${this.nParams++}`, shape, domain);
  }
  take(i: number): Val {
    const e = this.vals[i % this.vals.length];
    e.used = true;
    return e.v;
  }
  push(v: Val, what: string): void {
    this.trace.push(`v${this.vals.length} = ${what} : [${v.type.shape.join(', ')}]`);
    this.vals.push({ v, used: false });
  }
  width(i: number): number {
    return this.vals[i % this.vals.length].v.type.shape[1] as number;
  }
  scalar(x: number): Val {
    return this.g.scalar(x);
  }
}

type Unary = (b: Builder, v: Val) => Val;
const UNARY: [string, Unary][] = [
  ['exp(tanh)', (b, v) => b.op('exp', [b.op('tanh', [v], {})], {})],
  ['sigmoid', (b, v) => b.op('sigmoid', [v], {})],
  ['tanh', (b, v) => b.op('tanh', [v], {})],
  ['softplus', (b, v) => b.op('softplus', [v], {})],
  [
    'relu',
    (b, v) => {
      b.reluInputs.push(v);
      return b.op('relu', [v], {});
    },
  ],
  ['neg', (b, v) => b.op('neg', [v], {})],
  ['powc 2', (b, v) => b.op('powc', [v], { p: 2 })],
  ['sqrt(softplus + 0.5)', (b, v) => b.op('sqrt', [b.op('add', [b.op('softplus', [v], {}), b.scalar(0.5)], {})], {})],
  ['log(softplus + 0.5)', (b, v) => b.op('log', [b.op('add', [b.op('softplus', [v], {}), b.scalar(0.5)], {})], {})],
];
const BINARY = ['add', 'sub', 'mul', 'div'] as const;

const unaryStep = (b: Builder, { a, b: k }: Step) => {
  const i = a % b.vals.length;
  const [name, f] = UNARY[k % UNARY.length];
  b.push(f(b, b.take(i)), `${name}(v${i})`);
};

/** A value against a [n] or [1] parameter, either side (the divisor is always the parameter). */
const paramStep = (b: Builder, { a, b: k, c }: Step) => {
  const i = a % b.vals.length;
  const tag = BINARY[k % 4];
  const p = b.param([c % 2 === 0 ? b.width(i) : 1], tag === 'div' ? 'awayFromZero' : 'any');
  const v = b.take(i);
  const paramFirst = tag !== 'div' && c % 4 >= 2;
  b.push(b.op(tag, paramFirst ? [p, v] : [v, p], {}), paramFirst ? `${tag}(${p.type.shape}, v${i})` : `${tag}(v${i}, ${p.type.shape})`);
};

const STEPS: ((b: Builder, s: Step) => void)[] = [
  unaryStep,
  paramStep,
  // Two values (DAG reuse), broadcasting [B, 1] against [B, n]; otherwise fall back to a parameter.
  (b, s) => {
    const [i, j] = [s.a % b.vals.length, s.c % b.vals.length];
    const [wi, wj] = [b.width(i), b.width(j)];
    if (wi !== wj && wi !== 1 && wj !== 1) return paramStep(b, s);
    const tag = BINARY[s.b % 3];
    b.push(b.op(tag, [b.take(i), b.take(j)], {}), `${tag}(v${i}, v${j})`);
  },
  (b, { a, b: k }) => {
    const i = a % b.vals.length;
    const w = b.param([b.width(i), 1 + (k % 4)]);
    b.push(b.op('matmul', [b.take(i), w], {}), `matmul(v${i}, [${w.type.shape}])`);
  },
  // Reductions: over features to [B, 1], or over the batch and broadcast back.
  (b, { a, b: k }) => {
    const i = a % b.vals.length;
    const v = b.take(i);
    const variant = k % 4;
    if (variant < 2) {
      const tag = variant === 0 ? 'reduceSum' : 'reduceMean';
      return b.push(b.op(tag, [v], { axes: [1], keepdims: true }), `${tag}(v${i}, [1], keep)`);
    }
    if (variant === 2) return b.push(b.op('sub', [v, b.op('reduceMean', [v], { axes: [0], keepdims: true })], {}), `v${i} - reduceMean(v${i}, [0], keep)`);
    b.push(b.op('mul', [v, b.op('reduceSum', [v], { axes: [-2], keepdims: false })], {}), `v${i} * reduceSum(v${i}, [-2])`);
  },
  // Transpose to [n, B], broadcast against an [n, 1] parameter there, and back.
  (b, { a, b: k }) => {
    const i = a % b.vals.length;
    const p = b.param([b.width(i), 1]);
    const tag = k % 2 === 0 ? 'add' : 'mul';
    const t = b.op(tag, [b.op('transpose', [b.take(i)], { perm: [1, 0] }), p], {});
    b.push(b.op('transpose', [t], { perm: [1, 0] }), `transpose(${tag}(transpose(v${i}), [${p.type.shape}]))`);
  },
  // Reshape [B, r*q] to [B, r, q], then transpose back to [B, n] or reduce to [B, r].
  (b, { a, b: k }) => {
    const i = a % b.vals.length;
    const n = b.width(i);
    const r = [1, 2, 4].filter((d) => n % d === 0)[k % 3 === 2 && n % 4 === 0 ? 2 : k % 2 === 0 && n % 2 === 0 ? 1 : 0];
    const cube = b.op('reshape', [b.take(i)], { shape: ['B', r, n / r] });
    if (k % 2 === 0)
      return b.push(b.op('reshape', [b.op('transpose', [cube], { perm: [0, 2, 1] })], { shape: ['B', n] }), `reshape(transpose(reshape(v${i}, [B, ${r}, ${n / r}])))`);
    b.push(b.op('reduceSum', [cube], { axes: [2], keepdims: false }), `reduceSum(reshape(v${i}, [B, ${r}, ${n / r}]), [2])`);
  },
  (b, s) => {
    const i = s.a % b.vals.length;
    const n = b.width(i);
    if (n === 1) return unaryStep(b, s);
    const start = s.b % n;
    const end = start + 1 + (s.c % (n - start));
    b.push(b.op('slice', [b.take(i)], { axis: 1, start, end }), `slice(v${i}, ${start}:${end})`);
  },
  (b, s) => {
    const [i, j] = [s.a % b.vals.length, s.c % b.vals.length];
    if (b.width(i) + b.width(j) > 4) return unaryStep(b, s);
    b.push(b.op('concat', [b.take(i), b.take(j)], { axis: 1 }), `concat(v${i}, v${j})`);
  },
];

/** Build the program; the loss is the sum of reduceMean over both axes of every unused value. */
const build = (widths: readonly number[], steps: readonly Step[]) => {
  const b = new Builder();
  widths.forEach((w, i) => b.push(b.input(`x${i}`, ['B', w], 'any'), `x${i}`));
  steps.forEach((s) => STEPS[s.kind % STEPS.length](b, s));
  const sinks = b.vals.filter((e) => !e.used).map((e) => b.op('reduceMean', [e.v], { axes: [0, 1], keepdims: false }));
  const loss = sinks.reduce((acc, s) => b.op('add', [acc, s], {}));
  return { b, loss };
};

test.prop(programArb, fcParams(RUNS))('random DAGs: gradients w.r.t. every input match finite differences', async ({ B, widths, steps, seed }) => {
  const { b, loss } = build(widths, steps);
  const rand = rng(seed);
  const feeds: F64Feeds = {};
  for (const { name, id } of b.g.inputs) {
    const dims = bindShape(b.g.node(id).type.shape, B);
    feeds[name] = { data: drawValues(sizeOf(dims), b.domains.get(name)!, rand), dims };
  }
  const probes = Object.fromEntries([...b.vals.map((e, i) => [`v${i}`, e.v]), ...b.reluInputs.map((v, i) => [`reluIn${i}`, v])]);
  const wrt = b.g.inputs.map((i) => i.name);
  const r = await gradCheck(b.g, loss, wrt, feeds, probes);

  const values = (prefix: string) => Object.entries(r.outputs).filter(([k]) => k.startsWith(prefix)).flatMap(([, t]) => Array.from(t.data));
  fc.pre(values('reluIn').every((v) => Math.abs(v) > KINK_MARGIN));
  fc.pre(values('v').every((v) => Math.abs(v) <= MAX_MAGNITUDE));

  const program = b.trace.join('\n');
  b.vals.forEach((e, i) => expect(r.outputs[`v${i}`].dims, `shape of v${i} in\n${program}`).toEqual(bindShape(e.v.type.shape, B)));
  expect(Number.isFinite(r.outputs.loss.data[0])).toBe(true);
  r.errors.forEach((e, k) => expect(e, `d loss / d ${wrt[k]} in\n${program}`).toBeLessThan(TOL));
});

test('the generator reaches every step kind and the loss depends on every input', () => {
  // Deterministic sweep: each step kind applied to a two-input program must keep all inputs live.
  for (let kind = 0; kind < STEPS.length; kind++)
    for (let k = 0; k < 8; k++) {
      const { b, loss } = build([4, 1], [{ kind, a: k, b: k, c: k + 1 }, { kind, a: k + 1, b: k + 3, c: k }]);
      expect(loss.type.shape).toEqual([]);
      expect(b.trace.length).toBe(4);
      const live = new Set<number>([loss.id]);
      for (let id = loss.id; id >= 0; id--) if (live.has(id)) b.g.node(id).inputs.forEach((i) => live.add(i));
      b.g.inputs.forEach((i) => expect(live.has(i.id), `${i.name} unused by\n${b.trace.join('\n')}`).toBe(true));
    }
});
