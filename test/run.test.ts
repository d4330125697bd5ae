// Training runs in a directory: files written, exact resume after a crash at any step, no
// overwriting without --force, divergence stops with the last good checkpoint kept.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, test } from 'vitest';
import { compileModel } from '../compiler/compile';
import { readCheckpoint } from '../runtime/host/checkpoint';
import type { Dataset } from '../runtime/core/dataset';
import { loadMnistDigits } from '../runtime/host/data/mnist';
import { trainRun, type RunRequest, type TrainSettings } from '../runtime/run/trainRun';
import { vae } from '../examples/vae';

const root = mkdtempSync(join(tmpdir(), 'hourglass-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const all = loadMnistDigits();
// A small, shuffled-by-construction slice keeps each run to a second or two.
const data: Dataset = { ...all, n: 600, images: all.images.filter((_, i) => Math.floor(i / 784) % 16 === 0).slice(0, 600 * 784) };

const settings: TrainSettings = {
  epochs: 2, batch: 32, lr: 1e-3, seed: 5, optimizer: 'adam', provider: 'cpu', dtype: 'f32', data: 'mnist-slice', checkpointEvery: 4, threads: 1,
};
const model = () => vae(4).def;
const request = (dir: string, extra: Partial<RunRequest> = {}): RunRequest => ({
  model: model(), specPath: 'examples/vae.ts', dir, settings, data, log: () => {}, ...extra,
});
const finalTensors = (dir: string) => {
  const c = readCheckpoint(join(dir, 'checkpoint.hgck'));
  if (E.isLeft(c)) throw new Error(c.left);
  return c.right;
};

describe('a training run', () => {
  const dir = join(root, 'plain');
  test('writes settings, artifacts, one metrics line per epoch, a checkpoint and exported graphs', async () => {
    const r = await trainRun(request(dir));
    if (E.isLeft(r)) throw new Error(r.left.message);
    for (const f of ['run.json', 'artifacts/manifest.json', 'artifacts/train_step.onnx', 'checkpoint.hgck', 'exported/encode.onnx', 'exported/decode.onnx', 'exported/reconstruct.onnx', 'exported/model.json'])
      expect(existsSync(join(dir, f)), f).toBe(true);
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.epoch)).toEqual([1, 2]);
    for (const l of lines) expect(Object.keys(l.heldOut).sort()).toEqual(['kl', 'loss', 'reconstruction']);
    expect(finalTensors(dir).meta.step).toBe(2 * Math.floor(480 / 32));
  });

  test("the exported encode.onnx, on a bare session, gives the trainer's own encoder's codes", async () => {
    const c = compileModel(model(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
    if (E.isLeft(c)) throw new Error(c.left.message);
    const own = await ort.InferenceSession.create(c.right.files['encode.onnx']);
    const bare = await ort.InferenceSession.create(join(dir, 'exported', 'encode.onnx'));
    expect(bare.inputNames).toEqual(['x']);
    const tensors = finalTensors(dir).tensors;
    const x = new ort.Tensor('float32', data.images.slice(0, 10 * 784), [10, 784]);
    const feeds: Record<string, ort.Tensor> = { x };
    for (const p of c.right.manifest.params) feeds[p.name] = new ort.Tensor('float32', tensors[p.name] as Float32Array, [...p.shape]);
    const a = (await own.run(feeds)).code.data as Float32Array;
    const b = (await bare.run({ x })).code.data as Float32Array;
    // Weights as initializers let onnxruntime pre-pack the products, so the sums may round
    // differently: equal to f32 rounding, not bit for bit.
    expect(b.length).toBe(a.length);
    const worst = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]) / Math.max(1, Math.abs(v))));
    expect(worst).toBeLessThan(1e-5);
  });

  test('refuses an existing run directory without --resume or --force, and changes nothing', async () => {
    const before = statSync(join(dir, 'checkpoint.hgck')).mtimeMs;
    const r = await trainRun(request(dir));
    expect(E.isLeft(r) && r.left.message).toMatch(/run directory exists and is not empty; pass --resume .* or --force/);
    expect(statSync(join(dir, 'checkpoint.hgck')).mtimeMs).toBe(before);
  });

  test('a non-writable output folder is a one-line error', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const r = await trainRun(request(join(file, 'run')));
    expect(E.isLeft(r) && r.left.message).toMatch(/a-file\/run: cannot write here \(.*a-file is not a directory\)/);
  });

  test('data of the wrong dimension is refused, naming the data and both shapes', async () => {
    const r = await trainRun(request(join(root, 'wrongdim'), { data: { ...data, shape: [100], dim: 100 } }));
    expect(E.isLeft(r) && r.left.message).toBe('mnist-slice: examples have shape [100], but vae expects [784]');
  });
});

describe('an f64 run', () => {
  test('trains on f32 data (converted), with fused steps, and exports f64 graphs', async () => {
    const dir = join(root, 'f64');
    const r = await trainRun(request(dir, { settings: { ...settings, dtype: 'f64', epochs: 1 } }));
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(r.right.reports[0].heldOut.loss).toBeGreaterThan(0);
    expect(Number.isFinite(r.right.reports[0].heldOut.loss)).toBe(true);
    const bare = await ort.InferenceSession.create(join(dir, 'exported', 'encode.onnx'));
    const out = await bare.run({ x: new ort.Tensor('float64', Float64Array.from(data.images.subarray(0, 784)), [1, 784]) });
    expect(out.code.type).toBe('float64');
  });
});

describe('resume', () => {
  test('a run that crashes at any step and resumes ends with bit-identical weights', async () => {
    const straight = join(root, 'straight');
    const r = await trainRun(request(straight));
    if (E.isLeft(r)) throw new Error(r.left.message);
    const expected = finalTensors(straight);
    // Crash mid-epoch (step 11, after the checkpoint at step 8) and across an epoch boundary.
    for (const crashAt of [11, 17]) {
      const dir = join(root, `crash-${crashAt}`);
      await expect(
        trainRun(request(dir, { onStep: (step) => { if (step === crashAt) throw new Error('simulated crash'); } })),
      ).rejects.toThrow('simulated crash');
      const resumed = await trainRun(request(dir, { resume: true }));
      if (E.isLeft(resumed)) throw new Error(resumed.left.message);
      expect(resumed.right.resumedFrom).toBeLessThan(crashAt);
      const got = finalTensors(dir);
      expect(got.meta.step).toBe(expected.meta.step);
      for (const [name, t] of Object.entries(expected.tensors))
        expect(Buffer.from(got.tensors[name].buffer).equals(Buffer.from(t.buffer)), `${name} after a crash at step ${crashAt}`).toBe(true);
      expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').length).toBe(2);
    }
  });

  test('resuming where there is no checkpoint is a one-line error', async () => {
    const r = await trainRun(request(join(root, 'empty'), { resume: true }));
    expect(E.isLeft(r) && r.left.message).toMatch(/checkpoint\.hgck: nothing to resume/);
  });
});

describe('divergence', () => {
  test('stops at the first non-finite term, names it, and keeps the last good checkpoint', async () => {
    const dir = join(root, 'diverge');
    const r = await trainRun(request(dir, { settings: { ...settings, optimizer: 'sgd', lr: 1e4 } }));
    // It names a checkpoint only when one exists, and the command to go on from there.
    const said = E.isLeft(r) ? r.left.message : '';
    if (existsSync(join(dir, 'checkpoint.hgck')))
      expect(said).toMatch(/^training diverged at step \d+: \w+ = (NaN|Infinity|-Infinity); the last good checkpoint is .*checkpoint\.hgck \(step \d+\).* --resume --lr/);
    // The advice repeats every flag of the run (issue 26), the lower rate last.
    else expect(said).toMatch(/^training diverged at step \d+: \w+ = (NaN|Infinity|-Infinity) before the first checkpoint, so nothing was saved .* --force --epochs 2 --batch \d+ --seed \d+ --optimizer sgd .*--lr/);
    if (existsSync(join(dir, 'checkpoint.hgck'))) {
      for (const t of Object.values(finalTensors(dir).tensors)) expect(t.every(Number.isFinite)).toBe(true);
    }
  });
});
