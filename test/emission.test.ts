// Emitted artifacts, for the dense autoencoder under every optimizer and both dtypes: they pass
// onnx.checker (full_check), load and run in onnxruntime, are byte-for-byte reproducible, pin
// opset 17 / IR 8, and match what the manifest declares, names, dtypes and shapes alike.
import * as E from 'fp-ts/Either';
import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { compileModel, type Artifacts } from '../compiler/compile';
import { showError, type DType, type Shape } from '../compiler/ir/types';
import type { IOSpec, Manifest } from '../compiler/manifest';
import { onnx, onnxDType } from '../compiler/onnx/emitter';
import type onnxProto from 'onnx-proto';
import type { OptimizerKind } from '../compiler/optim/optimizer';
import { denseAutoencoder } from '../examples/dense-ae';
import { checkerUnavailable, checkModels } from './support/onnxChecker';

const KINDS: OptimizerKind[] = ['sgd', 'adam', 'adagrad', 'rmsprop'];
const CONFIGS = KINDS.flatMap((kind) => (['f32', 'f64'] as const).map((dtype) => [kind, dtype] as const));
const ARTIFACTS = ['train_step', 'evaluate', 'encode', 'decode', 'reconstruct'];
const BATCH = 3;

const compile = (kind: OptimizerKind, dtype: 'f32' | 'f64'): Artifacts => {
  const r = compileModel(denseAutoencoder(kind === 'adam' || kind === 'sgd' ? 'mse' : 'bernoulli'), { optimizer: { kind, lr: 1e-3, hyper: {} }, dtype });
  if (E.isLeft(r)) throw new Error(showError(r.left));
  return r.right;
};

const checkerMissing = checkerUnavailable();
if (checkerMissing) console.warn(`onnx.checker tests ${process.env.CI ? 'fail (CI)' : 'skipped'}: ${checkerMissing}`);

const ortType = (d: DType) => ({ f32: 'float32', f64: 'float64', bool: 'bool', i64: 'int64' })[d];
const bind = (s: Shape): number[] => s.map((d) => (d === 'B' ? BATCH : d));

/** Deterministic pseudo-random values in [-0.05, 0.05). */
const noise = (n: number, seed: number): number[] => {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) / 10);
};

/** A feed for every input: optimizer state at its initial value (t at 4), lr from the manifest,
 *  small random values for data and parameters. */
const feedsFor = (manifest: Manifest, inputs: readonly IOSpec[]): Record<string, ort.Tensor> =>
  Object.fromEntries(
    inputs.map((io, k) => {
      const dims = bind(io.shape);
      const size = dims.reduce((a, b) => a * b, 1);
      const init = manifest.optimizer.state.find((s) => s.name === io.name)?.init;
      const values =
        io.name === manifest.optimizer.lrInput ? [manifest.optimizer.lr]
        : io.name === 'opt.t' ? [4]
        : init ? new Array(size).fill(init.kind === 'constant' ? init.value : NaN)
        : io.role === 'data' ? noise(size, k + 1).map((v) => v * 10 + 0.5)
        : noise(size, k + 1);
      const data = io.dtype === 'f64' ? Float64Array.from(values) : Float32Array.from(values);
      return [io.name, new ort.Tensor(ortType(io.dtype) as 'float32', data, dims)];
    }),
  );

describe.each(CONFIGS)('dense AE, %s, %s', (kind, dtype) => {
  const { manifest, files } = compile(kind, dtype);

  test('emits exactly the five artifacts and the fused multi-step graph the manifest describes', () => {
    expect(Object.keys(files).sort()).toEqual([...ARTIFACTS.map((a) => `${a}.onnx`), manifest.multiStep.file].sort());
    expect(Object.keys(manifest.artifacts).sort()).toEqual([...ARTIFACTS].sort());
    for (const a of ARTIFACTS) expect(manifest.artifacts[a].file).toBe(`${a}.onnx`);
  });

  test.skipIf(checkerMissing !== null && !process.env.CI)('every artifact passes onnx.checker full_check', () => {
    if (checkerMissing) throw new Error(checkerMissing);
    expect(checkModels(files)).toBeNull();
  });

  test('compiling again gives byte-identical files and an identical manifest', () => {
    const again = compile(kind, dtype);
    expect(JSON.stringify(again.manifest)).toBe(JSON.stringify(manifest));
    for (const name of Object.keys(files)) expect(Buffer.from(again.files[name]).equals(Buffer.from(files[name])), name).toBe(true);
  });

  test('each graph pins opset 17 and IR version 8 and declares the manifest I/O', () => {
    for (const a of ARTIFACTS) {
      const m = onnx.ModelProto.decode(files[`${a}.onnx`]);
      expect(Number(m.irVersion)).toBe(8);
      expect(m.opsetImport.map((o) => [o.domain ?? '', Number(o.version)])).toEqual([['', 17]]);
      const declared = (vs: readonly onnxProto.onnx.IValueInfoProto[]) =>
        vs.map((v) => ({
          name: v.name,
          elemType: v.type?.tensorType?.elemType,
          dims: v.type?.tensorType?.shape?.dim?.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue))),
        }));
      const expected = (ios: readonly IOSpec[]) =>
        ios.map((io) => ({ name: io.name, elemType: onnxDType(io.dtype), dims: io.shape.map((d) => (d === 'B' ? 'batch' : d)) }));
      expect(declared(m.graph!.input ?? []), a).toEqual(expected(manifest.artifacts[a].inputs));
      expect(declared(m.graph!.output ?? []), a).toEqual(expected(manifest.artifacts[a].outputs));
    }
  });

  test('carry pairs connect train-step outputs to inputs of the same shape and dtype', () => {
    const ts = manifest.artifacts.train_step;
    const stateNames = [...manifest.params.map((p) => p.name), ...manifest.optimizer.state.map((s) => s.name)];
    expect(manifest.carry.map((c) => c.input).sort()).toEqual(stateNames.sort());
    for (const { output, input } of manifest.carry) {
      expect(output).toBe(`next.${input}`);
      const o = ts.outputs.find((io) => io.name === output)!;
      const i = ts.inputs.find((io) => io.name === input)!;
      expect([o.shape, o.dtype]).toEqual([i.shape, i.dtype]);
    }
  });

  test('sessions agree with the manifest, and a batch-3 run returns the declared shapes', async () => {
    for (const a of ARTIFACTS) {
      const spec = manifest.artifacts[a];
      const session = await ort.InferenceSession.create(files[spec.file], { executionProviders: ['cpu'], intraOpNumThreads: 1 });
      expect(session.inputNames, a).toEqual(spec.inputs.map((io) => io.name));
      expect(session.outputNames, a).toEqual(spec.outputs.map((io) => io.name));
      const meta = (ms: typeof session.inputMetadata) => ms.map((m) => (m.isTensor ? [m.name, m.type, m.shape] : [m.name, 'not a tensor']));
      const declared = (ios: readonly IOSpec[]) => ios.map((io) => [io.name, ortType(io.dtype), io.shape.map((d) => (d === 'B' ? 'batch' : d))]);
      expect(meta(session.inputMetadata), a).toEqual(declared(spec.inputs));
      expect(meta(session.outputMetadata), a).toEqual(declared(spec.outputs));

      const out = await session.run(feedsFor(manifest, spec.inputs));
      for (const io of spec.outputs) {
        const t = out[io.name];
        expect([io.name, t.type, t.dims]).toEqual([io.name, ortType(io.dtype), bind(io.shape)]);
        expect(Array.from(t.data as Float32Array).every(Number.isFinite), `${a}: ${io.name} finite`).toBe(true);
      }
      await session.release();
    }
  });
});
