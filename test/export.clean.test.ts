// Exported graphs carry only the weights they use (no onnxruntime warnings about unused
// initializers), and a Gaussian encoder exports both μ (`code`) and log σ² (`logVar`).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, test } from 'vitest';
import { compileModel } from '../compiler/compile';
import { onnx } from '../compiler/onnx/emitter';
import { vae } from '../examples/vae';
import { linearAutoencoder } from '../examples/linear-ae';
import { Rng } from '../runtime/core/random';
import { exportForward } from '../runtime/run/export';

const dir = mkdtempSync(join(tmpdir(), 'hourglass-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exported = async (def: Parameters<typeof compileModel>[0], sub: string) => {
  const c = compileModel(def, { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
  if (E.isLeft(c)) throw new Error(c.left.message);
  const rng = Rng.seeded(3);
  const tensors = Object.fromEntries(
    c.right.manifest.params.map((p) => {
      const t = new Float32Array(p.shape.reduce((a, b) => a * b, 1));
      rng.fillNormal(t);
      return [p.name, t.map((v) => v * 0.05)];
    }),
  );
  await exportForward(c.right, tensors, join(dir, sub));
  return join(dir, sub);
};

const unusedInitializers = (file: string) => {
  const g = onnx.ModelProto.decode(readFileSync(file)).graph!;
  const used = new Set((g.node ?? []).flatMap((n) => n.input ?? []));
  return (g.initializer ?? []).map((t) => t.name!).filter((n) => !used.has(n));
};

describe('exported graphs', () => {
  test('every initializer of encode, decode and reconstruct is used (VAE and a plain autoencoder)', async () => {
    for (const [def, sub] of [[vae(4).def, 'vae'], [linearAutoencoder(3, 16).def, 'linear']] as const) {
      const out = await exported(def, sub);
      for (const g of ['encode', 'decode', 'reconstruct']) expect(unusedInitializers(join(out, `${g}.onnx`)), `${sub}/${g}`).toEqual([]);
    }
  });

  test('a Gaussian encoder returns μ as code and log σ² as logVar; the manifest lists both', async () => {
    const out = await exported(vae(4).def, 'vae2');
    const s = await ort.InferenceSession.create(join(out, 'encode.onnx'));
    expect(s.outputNames).toEqual(['code', 'logVar']);
    const x = new Float32Array(3 * 784).map((_, i) => (i % 7) / 7);
    const r = await s.run({ x: new ort.Tensor('float32', x, [3, 784]) });
    expect(r.code.dims).toEqual([3, 4]);
    expect(r.logVar.dims).toEqual([3, 4]);
    expect(Array.from(r.logVar.data as Float32Array)).not.toEqual(Array.from(r.code.data as Float32Array));
    const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    expect(model.graphs.encode.outputs.map((o: { name: string }) => o.name)).toEqual(['code', 'logVar']);
  });

  test('a deterministic encoder returns code alone', async () => {
    const out = await exported(linearAutoencoder(3, 16).def, 'linear2');
    const s = await ort.InferenceSession.create(join(out, 'encode.onnx'));
    expect(s.outputNames).toEqual(['code']);
  });
});
