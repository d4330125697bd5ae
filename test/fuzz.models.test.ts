// Random models against the whole compiler: every well-shaped spec compiles, every artifact
// passes onnx.checker (full_check), loads in onnxruntime with exactly the output shapes the
// manifest declares, and one training step is finite; every ill-shaped spec is a Left naming
// the combinator's path — never a throw, never an onnxruntime error.
// Replay a failure: HOURGLASS_FUZZ_SEED=<seed> [HOURGLASS_FUZZ_PATH=<path>] npx vitest run test/fuzz.models.test.ts
import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { compileModel } from '../compiler/compile';
import { showError, type DType, type Shape } from '../compiler/ir/types';
import type { IOSpec, Manifest } from '../compiler/manifest';
import { Rng } from '../runtime/core/random';
import { Trainer } from '../runtime/core/trainer';
import { openTrainer } from '../runtime/host/trainer';
import { checkerUnavailable, checkModels } from './support/onnxChecker';
import { breakage, breakSpec, buildModel, modelSpec, type ModelSpec } from './support/modelArbitraries';

const SEED = Number(process.env.HOURGLASS_FUZZ_SEED ?? 20261124);
const PATH = process.env.HOURGLASS_FUZZ_PATH;
const RUNS = Math.max(200, Number(process.env.HOURGLASS_FUZZ_RUNS ?? 200));
const params = { seed: SEED, path: PATH, numRuns: RUNS, endOnFailure: true };
const replay = `replay with HOURGLASS_FUZZ_SEED=${SEED}${PATH ? ` HOURGLASS_FUZZ_PATH=${PATH}` : ''} npx vitest run test/fuzz.models.test.ts`;
console.log(`fuzz: seed ${SEED}, ${RUNS} runs per property (${replay})`);

const BATCH = 3;
const STEPS = 2;
const ortType = (d: DType) => (d === 'f64' ? 'float64' : d === 'f32' ? 'float32' : d === 'i64' ? 'int64' : 'bool');
const bind = (s: Shape): number[] => s.map((d) => (d === 'B' ? BATCH : d));

/** Feeds for an artifact's inputs: data in [0, 1], noise N(0, 1), parameters small, state at its init, lr and t sensible. */
const feedsFor = (m: Manifest, inputs: readonly IOSpec[], rng: Rng, lead: number[] = []): Record<string, ort.Tensor> =>
  Object.fromEntries(
    inputs.map((io) => {
      const dims = [...lead, ...bind(io.shape)];
      const n = dims.reduce((a, b) => a * b, 1);
      const v = new Float64Array(n);
      const state = m.optimizer.state.find((s) => s.name === io.name);
      if (io.name === m.optimizer.lrInput) v.fill(m.optimizer.lr);
      else if (io.name === 'opt.t') v.fill(1);
      else if (state) v.fill(state.init.kind === 'constant' ? state.init.value : 0);
      else if (io.role === 'data') v.forEach((_, i) => (v[i] = rng.uniform()));
      else if (io.role === 'noise') v.forEach((_, i) => (v[i] = rng.normal()));
      else v.forEach((_, i) => (v[i] = (rng.uniform() - 0.5) / 4));
      const data = io.dtype === 'f64' ? v : Float32Array.from(v);
      return [io.name, new ort.Tensor(ortType(io.dtype) as 'float32', data, dims)];
    }),
  );

const checked: Record<string, Uint8Array> = {};
const describeSpec = (s: ModelSpec) => JSON.stringify(s);

describe('fuzz: well-shaped random models', () => {
  test(`compile, load with the declared output shapes, and take a finite step (${RUNS} runs)`, { timeout: Math.max(120_000, RUNS * 600) }, async () => {
    let index = 0;
    await fc.assert(
      fc.asyncProperty(modelSpec, fc.constantFrom<'f32' | 'f64'>('f32', 'f64'), async (spec, dtype) => {
        const where = `${describeSpec(spec)} ${dtype} — ${replay}`;
        const r = compileModel(buildModel(spec), { optimizer: { kind: spec.optimizer, lr: spec.lr, hyper: {} }, dtype });
        if (E.isLeft(r)) throw new Error(`did not compile: ${showError(r.left)} — ${where}`);
        const { manifest: m, files } = r.right;
        const id = index++;
        for (const [name, bytes] of Object.entries(files)) checked[`case${id}-${name}`] = bytes;
        const rng = Rng.seeded(id + 1);
        for (const [name, a] of Object.entries(m.artifacts)) {
          const s = await ort.InferenceSession.create(files[a.file], { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
          const out = await s.run(feedsFor(m, a.inputs, rng));
          for (const o of a.outputs) expect((out[o.name] as ort.Tensor).dims, `${name}.${o.name}: ${where}`).toEqual(bind(o.shape));
          await s.release();
        }
        // The fused graph: stacked inputs [S, ...], stacked per-step outputs [S].
        const multi = await ort.InferenceSession.create(files[m.multiStep.file], { intraOpNumThreads: 1 });
        const train = m.artifacts.train_step;
        const stacked = new Set(m.multiStep.stacked.map((s) => s.input));
        const feeds = {
          ...feedsFor(m, train.inputs.filter((i) => !stacked.has(i.name)), rng),
          ...Object.fromEntries(Object.entries(feedsFor(m, train.inputs.filter((i) => stacked.has(i.name)), rng, [STEPS])).map(([k, v]) => [`steps.${k}`, v])),
        };
        const mo = await multi.run(feeds);
        for (const p of m.multiStep.perStep) expect((mo[p.name] as ort.Tensor).dims, `${p.name}: ${where}`).toEqual([STEPS]);
        await multi.release();
        // One real training step through the runtime.
        const t = await openTrainer(r.right, { seed: id, threads: 1 });
        const x = dtype === 'f64' ? new Float64Array(BATCH * spec.input) : new Float32Array(BATCH * spec.input);
        x.forEach((_, i) => (x[i] = rng.uniform()));
        const losses = await t.step(x, BATCH);
        for (const [k, v] of Object.entries(losses)) expect(Number.isFinite(v), `${k} = ${v}: ${where}`).toBe(true);
        for (const [k, v] of Object.entries(t.snapshot())) expect(Array.from(v).every(Number.isFinite), `${k}: ${where}`).toBe(true);
      }),
      params,
    );
    expect(index).toBeGreaterThanOrEqual(RUNS);
  });

  const missing = checkerUnavailable();
  test.skipIf(missing !== null && !process.env.CI)('every artifact of every case passes onnx.checker full_check', () => {
    if (missing) throw new Error(missing);
    expect(Object.keys(checked).length).toBeGreaterThanOrEqual(RUNS * 6);
    expect(checkModels(checked)).toBeNull();
  });
});

describe('fuzz: ill-shaped random models', () => {
  test(`are a Left naming the combinator's path, never a throw (${RUNS} runs)`, { timeout: Math.max(120_000, RUNS * 100) }, () => {
    fc.assert(
      fc.property(modelSpec, breakage, (good, b) => {
        const { spec, path } = breakSpec(good, b);
        let r: ReturnType<typeof compileModel>;
        try {
          r = compileModel(buildModel(spec), { optimizer: { kind: spec.optimizer, lr: spec.lr, hyper: {} } });
        } catch (err) {
          throw new Error(`threw instead of a Left (${b}): ${String(err)} — ${describeSpec(spec)} — ${replay}`);
        }
        if (E.isRight(r)) throw new Error(`compiled although ${b} — ${describeSpec(spec)} — ${replay}`);
        expect(showError(r.left), `${b}: ${describeSpec(spec)} — ${replay}`).toMatch(path);
      }),
      params,
    );
  });
});
