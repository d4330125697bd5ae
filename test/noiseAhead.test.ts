// The draw order of a fused call's noise (core/noiseStacks.ts) is the single steps' order, for
// one step graph or several (a GAN round), and the worker draws it bit for bit.
// Noise drawn ahead in a worker thread (host/noiseAhead.ts, lever 1 of issue 25) changes no bit:
// fused calls with the worker equal single steps without it (losses, every tensor, the stream's
// state), whatever mix of fused calls, single steps, rewinds and restores comes in between; the
// prefetch is used exactly when the stream is back where it started (always after a fused call of
// the same shape, so the overlap really happens), and a run resumed from any checkpoint ends where
// an uninterrupted one ends.
import { fc, test } from '@fast-check/vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { compileModel, type Artifacts } from '../compiler/compile';
import { buildArtifacts, bytes, sameTensors } from './support/tensors';
import type { ModelDef } from '../compiler/model';
import type { Engine } from '../runtime/core/engine';
import type { FloatArray } from '../runtime/core/init';
import { drawNoiseStacks, stackSizes, type NoiseAhead, type NoiseLayout } from '../runtime/core/noiseStacks';
import { Rng } from '../runtime/core/random';
import { workerNoiseAhead } from '../runtime/host/noiseAhead';
import { splitHeldOut, type Split } from '../runtime/core/dataset';
import { trainEpochs, type LoopPosition } from '../runtime/core/loop';
import { Trainer, type Losses, type TrainerMark } from '../runtime/core/trainer';
import { initialState, noiseRng } from '../runtime/core/trainState';
import { loadMnistDigits } from '../runtime/host/data/mnist';
import { nodeEngine } from '../runtime/host/session';
import { mmdVae } from '../examples/mmd-vae';
import { vae } from '../examples/vae';

const build = (def: ModelDef, dtype: 'f32' | 'f64' = 'f32'): Artifacts => buildArtifacts(def, 'adam', dtype);

/** An engine whose noise is drawn ahead in a worker, counting the calls that found their prefetch. */
const aheadEngine = () => {
  const base = nodeEngine({ threads: 1, noiseAhead: true });
  const counter = { hits: 0 };
  const engine: Engine = {
    ...base,
    noiseAhead: (): NoiseAhead => {
      const inner = base.noiseAhead!();
      return {
        take: async (state, layout) => {
          const got = await inner.take(state, layout);
          if (got) counter.hits++;
          return got;
        },
        ahead: (state, layout) => inner.ahead(state, layout),
        close: () => inner.close(),
      };
    },
  };
  return { engine, counter };
};

let digits: Float32Array;
let data: Split;
const opened: Trainer[] = [];
const open = async (engine: Engine, art: Artifacts, seed: number) => {
  const t = await Trainer.create(engine, art, { seed, eager: ['multi'] });
  opened.push(t);
  return t;
};
beforeAll(() => {
  digits = loadMnistDigits().images.subarray(0, 600 * 784);
  data = splitHeldOut({ name: 'slice', images: digits.slice(0, 300 * 784), n: 300, shape: [784], dim: 784 });
});
afterAll(async () => {
  for (const t of opened) await t.release();
});

// One noise input (the VAE's ε) and two (the MMD-VAE's ε and prior samples, drawn interleaved per step).
const MODELS: Record<string, () => ModelDef> = { vae: () => vae(2, 1, 'vae', 16).def, mmdVae: () => mmdVae(3, 10, 16).def };

type Op = { readonly kind: 'fused'; readonly steps: number } | { readonly kind: 'single' } | { readonly kind: 'rewind' };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 2, max: 4 }).map((steps) => ({ kind: 'fused' as const, steps })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'single' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'rewind' as const }) },
);

// Layouts with several groups (a GAN round: the discriminator's step `times` times, then the
// generator's), each with 0–2 noise inputs.
const layoutArb: fc.Arbitrary<NoiseLayout> = fc.record({
  dtype: fc.constantFrom('f32' as const, 'f64' as const),
  iterations: fc.integer({ min: 1, max: 4 }),
  groups: fc.array(fc.record({ times: fc.integer({ min: 1, max: 3 }), per: fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 2 }) }), { minLength: 1, maxLength: 3 }),
});

describe('the draw order of a fused call', () => {
  test.prop({ layout: layoutArb, seed: fc.integer() })('is the single steps\' order: per iteration, each group `times` times, its inputs in turn', ({ layout, seed }) => {
    const got = drawNoiseStacks(Rng.seeded(seed), layout);
    // One normal at a time, into the slot (iteration, repeat) of the (group, input) stack.
    const rng = Rng.seeded(seed);
    const want = stackSizes(layout).map((n) => (layout.dtype === 'f64' ? new Float64Array(n) : new Float32Array(n)));
    for (let s = 0; s < layout.iterations; s++) {
      let first = 0;
      for (const g of layout.groups) {
        for (let j = 0; j < g.times; j++) g.per.forEach((per, i) => { for (let e = 0; e < per; e++) want[first + i][(s * g.times + j) * per + e] = rng.normal(); });
        first += g.per.length;
      }
    }
    expect(got.map(bytes)).toEqual(want.map(bytes));
  });

  test.prop({ layouts: fc.array(layoutArb, { minLength: 1, maxLength: 4 }), seed: fc.integer() }, { numRuns: 8 })(
    'the worker draws it bit for bit, and hands back the state after it',
    async ({ layouts, seed }) => {
      const ahead = workerNoiseAhead();
      try {
        let state = Rng.seeded(seed).state();
        for (const layout of layouts) {
          ahead.ahead(state, layout);
          const got = await ahead.take(state, layout);
          const rng = Rng.fromState(state);
          const want = drawNoiseStacks(rng, layout);
          expect(got?.stacks.map(bytes)).toEqual(want.map(bytes));
          expect(got?.state).toEqual(rng.state());
          state = rng.state();
        }
      } finally {
        await ahead.close();
      }
    },
    60_000,
  );
});

describe('noise drawn ahead in a worker thread', () => {
  /** Where the worker's last prefetch started (the stream after the last fused call) and its shape. */
  type Prefetch = { readonly state: readonly number[]; readonly steps: number; readonly batch: number };
  const trainers: Record<string, Promise<{ art: Artifacts; ahead: Trainer; plain: Trainer; counter: { hits: number }; last: { prefetch?: Prefetch } }>> = {};
  const pair = (name: string) =>
    (trainers[name] ??= (async () => {
      const art = build(MODELS[name]());
      const { engine, counter } = aheadEngine();
      return { art, ahead: await open(engine, art, 1), plain: await open(nodeEngine({ threads: 1 }), art, 1), counter, last: {} };
    })());

  test.prop({ model: fc.constantFrom(...Object.keys(MODELS)), batch: fc.integer({ min: 1, max: 6 }), seed: fc.integer({ min: 0, max: 1 << 30 }), ops: fc.array(op, { minLength: 1, maxLength: 7 }) }, { numRuns: 14 })(
    'fused calls with the worker equal single steps bit for bit, and use the prefetch exactly when the stream is where it started',
    async ({ model, batch, seed, ops }) => {
      const { art, ahead, plain, counter, last } = await pair(model);
      // Both start from `seed`'s initial state and stream (a restore: any prefetch left is stale).
      const start = initialState(art.manifest, seed);
      for (const t of [ahead, plain]) t.restore(start, noiseRng(seed).state());
      const hits0 = counter.hits;
      // The prefetch is keyed by the stream state and the call's shape, so it is used whenever a
      // fused call starts where the last one ended with the same shape: after a fused call of the
      // same shape, but also after single steps that were rewound (fused, single, rewind, fused),
      // and, the trainers being shared by the property's runs, after a restore to that very state.
      let expectedHits = 0;
      let afterSameShape = 0;
      let prev: Op | undefined;
      let marks: [TrainerMark, TrainerMark] | undefined;
      let at = 0;
      const xs = (n: number) => {
        const v = digits.subarray(at * batch * 784, (at + n) * batch * 784);
        at = (at + n) % 20;
        return v;
      };
      for (const o of ops) {
        if (o.kind === 'rewind') {
          if (marks) {
            ahead.rewind(marks[0]);
            plain.rewind(marks[1]);
          }
          prev = o;
          continue;
        }
        marks = [ahead.mark(), plain.mark()];
        const n = o.kind === 'fused' ? o.steps : 1;
        const x = xs(n);
        const from = ahead.noiseState();
        const p = last.prefetch;
        if (o.kind === 'fused' && p && p.steps === n && p.batch === batch && p.state.every((v, i) => v === from[i])) expectedHits++;
        const got = o.kind === 'fused' ? await ahead.stepMany(x, batch, n) : [await ahead.step(x, batch)];
        if (o.kind === 'fused') last.prefetch = { state: ahead.noiseState(), steps: n, batch };
        const want: Losses[] = [];
        for (let i = 0; i < n; i++) want.push(await plain.step(x.subarray(i * batch * 784, (i + 1) * batch * 784), batch));
        expect(got).toEqual(want);
        if (o.kind === 'fused' && prev?.kind === 'fused' && prev.steps === o.steps) afterSameShape++;
        prev = o;
      }
      sameTensors(plain.snapshot(), ahead.snapshot(), 'after the ops');
      expect(ahead.noiseState()).toEqual(plain.noiseState());
      expect(counter.hits - hits0).toBe(expectedHits);
      expect(expectedHits).toBeGreaterThanOrEqual(afterSameShape);
    },
    120_000,
  );

  test('single steps rewound put the stream back where the prefetch started: the next fused call uses it', async () => {
    const art = build(MODELS.vae());
    const { engine, counter } = aheadEngine();
    const [ahead, plain] = [await open(engine, art, 7), await open(nodeEngine({ threads: 1 }), art, 7)];
    const x = digits.subarray(0, 2 * 3 * 784);
    const fused = async () => expect(await ahead.stepMany(x, 3, 2)).toEqual([await plain.step(x.subarray(0, 3 * 784), 3), await plain.step(x.subarray(3 * 784), 3)]);
    await fused();
    const marks = [ahead.mark(), plain.mark()] as const;
    for (const t of [ahead, plain]) await t.step(x.subarray(0, 3 * 784), 3);
    ahead.rewind(marks[0]);
    plain.rewind(marks[1]);
    await fused();
    sameTensors(plain.snapshot(), ahead.snapshot(), 'after fused, single, rewind, fused');
    expect(counter.hits).toBe(1);
  });

  test('f64 graphs: the worker draws float64 stacks, bit-identical to drawing in line', async () => {
    const art = build(MODELS.mmdVae(), 'f64');
    const { engine, counter } = aheadEngine();
    const [ahead, plain] = [await open(engine, art, 5), await open(nodeEngine({ threads: 1 }), art, 5)];
    const xs = Float64Array.from(digits.subarray(0, 3 * 4 * 784));
    for (let i = 0; i < 3; i++) expect(await ahead.stepMany(xs, 4, 3)).toEqual(await plain.stepMany(xs, 4, 3));
    sameTensors(plain.snapshot(), ahead.snapshot(), 'after three fused calls');
    expect(counter.hits).toBe(2);
  });
});

describe('closing the worker', () => {
  test('a close() while a draw\'s answer is queued settles before the process ends', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures/noise/close.ts')], { cwd: join(__dirname, '..'), encoding: 'utf8', timeout: 60_000 });
    expect({ status: r.status, stdout: r.stdout.trim().split('\n') }).toEqual({ status: 0, stdout: ['drawn', 'closed'] });
  }, 70_000);
});

describe('resume with the worker', () => {
  test.prop({ seed: fc.integer({ min: 0, max: 1 << 30 }), fuse: fc.integer({ min: 2, max: 6 }), every: fc.integer({ min: 3, max: 9 }), pick: fc.nat() }, { numRuns: 4 })(
    'a run resumed from any checkpoint ends where an uninterrupted one ends, and both where a run without the worker ends',
    async ({ seed, fuse, every, pick }) => {
      const art = build(MODELS.vae());
      const opts = { epochs: 2, batch: 12, seed, fuse, checkpointEvery: every };
      const run = async (engine: Engine, from?: { p: LoopPosition; tensors: Record<string, FloatArray>; noise: number[] }) => {
        const t = await open(engine, art, seed);
        if (from) t.restore(from.tensors, from.noise);
        const saved: { p: LoopPosition; tensors: Record<string, FloatArray>; noise: number[] }[] = [];
        const reports = await trainEpochs(t, data.train, data.heldOut, {
          ...opts,
          resumeFrom: from?.p,
          onCheckpoint: (p) => void saved.push({ p, tensors: structuredClone(t.snapshot()), noise: t.noiseState() }),
        });
        return { saved, reports, final: t.snapshot(), noise: t.noiseState() };
      };
      const whole = await run(aheadEngine().engine);
      const plain = await run(nodeEngine({ threads: 1 }));
      sameTensors(plain.final, whole.final, 'uninterrupted, with and without the worker');
      expect(whole.noise).toEqual(plain.noise);
      expect(whole.reports.map((r) => r.train)).toEqual(plain.reports.map((r) => r.train));
      const from = whole.saved[pick % whole.saved.length];
      const resumed = await run(aheadEngine().engine, from);
      sameTensors(whole.final, resumed.final, `resumed at step ${from.p.step}`);
      expect(resumed.noise).toEqual(whole.noise);
      // The epochs it ran report what the uninterrupted run reported (a mid-epoch resume carries the partial sums).
      expect(resumed.reports.map((r) => r.train)).toEqual(whole.reports.filter((r) => r.epoch >= from.p.epoch).map((r) => r.train));
    },
    240_000,
  );
});
