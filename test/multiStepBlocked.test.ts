// k train steps per Loop iteration (compiler/onnx/multiStepBlocked.ts, lever 3 of issue 25): the
// same computation as the one-step-per-iteration Loop, so every output is bit for bit the same,
// for any k dividing S; and it passes the onnx checker.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import * as ort from 'onnxruntime-node';
import { describe, expect } from 'vitest';
import { compileModel } from '../compiler/compile';
import { showError } from '../compiler/ir/types';
import { onnx } from '../compiler/onnx/emitter';
import { blockedMultiStepModel } from '../compiler/onnx/multiStepBlocked';
import { initialValues } from '../runtime/core/init';
import { Rng } from '../runtime/core/random';
import { vae } from '../examples/vae';
import { checkerUnavailable, checkModels } from './support/onnxChecker';

const art = (() => {
  const r = compileModel(vae(4).def, { optimizer: { kind: 'adam', lr: 2e-3, hyper: {} } });
  if (E.isLeft(r)) throw new Error(showError(r.left));
  return r.right;
})();
const m = art.manifest;
const blocked = (k: number) => {
  const spec = { stacked: m.multiStep.stacked.map((s) => s.input), shared: [m.optimizer.lrInput], carry: m.carry, perStep: m.multiStep.perStep.map((p) => p.output) };
  return onnx.ModelProto.encode(blockedMultiStepModel(onnx.ModelProto.decode(art.files[m.artifacts.train_step.file]), spec, k)).finish();
};
const feedsFor = (steps: number, batch: number, seed: number) => {
  const rng = Rng.seeded(seed);
  const f: Record<string, ort.Tensor> = {};
  for (const p of [...m.params, ...m.optimizer.state]) f[p.name] = new ort.Tensor('float32', initialValues(p.init, p.shape, 'f32', rng) as Float32Array, [...p.shape]);
  f[m.optimizer.lrInput] = new ort.Tensor('float32', Float32Array.of(2e-3), []);
  for (const st of m.multiStep.stacked) {
    const per = st.input === 'x' ? m.inputShape : m.noise.find((n) => `noise.${n.name}` === st.input)!.shape;
    const n = steps * batch * per.reduce((a, b) => a * b, 1);
    f[st.name] = new ort.Tensor('float32', Float32Array.from({ length: n }, () => (st.input === 'x' ? rng.uniform() : rng.normal())), [steps, batch, ...per]);
  }
  return f;
};
const bytesOf = (t: ort.Tensor) => Buffer.from((t.data as Float32Array).buffer, (t.data as Float32Array).byteOffset, (t.data as Float32Array).byteLength);

describe('k train steps per Loop iteration', () => {
  test.prop([fc.constantFrom(1, 2, 3, 4), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 1000 })], { numRuns: 8 })(
    'equals the one-step Loop bit for bit',
    async (k, blocks, batch, seed) => {
      const opts = { intraOpNumThreads: 1, interOpNumThreads: 1 };
      const [plain, kk] = [await ort.InferenceSession.create(art.files[m.multiStep.file], opts), await ort.InferenceSession.create(blocked(k), opts)];
      const feeds = feedsFor(k * blocks, batch, seed);
      const [a, b] = [await plain.run(feeds), await kk.run(feeds)];
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      for (const name of Object.keys(a)) {
        expect(b[name].dims, name).toEqual(a[name].dims);
        expect(bytesOf(b[name] as ort.Tensor).equals(bytesOf(a[name] as ort.Tensor)), name).toBe(true);
      }
    },
  );

  const missing = checkerUnavailable();
  test.skipIf(missing !== null && !process.env.CI)(`passes onnx.checker full_check${missing ? ` (skipped: ${missing})` : ''}`, () => {
    if (missing) throw new Error(missing);
    expect(checkModels({ 'k1.onnx': blocked(1), 'k4.onnx': blocked(4) })).toBeNull();
  });
});
