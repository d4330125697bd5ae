// Checks at the door: wrong results are refused before they are computed or accepted. A data file
// changed under a run, data outside a Bernoulli likelihood's [0, 1], a loss past 1e30, checkpoint
// fields edited with the checksum recomputed, a version-1 header, a run.json with a wrong type,
// out-of-range flags and sweep values: each one line with a documented code. Real CLI, real files.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { afterAll, describe, expect, test } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../runtime/host/checkpoint';
import { EXIT } from '../runtime/core/failure';
import { encodeNpy } from '../runtime/host/data/npy';
import { finishedRun, hourglass, smallValues, writeSmallData, writeTinyVae } from './support/cliHarness';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-door-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const spec = writeTinyVae(tmp);
const data = writeSmallData(tmp);
const trainArgs = (out: string, ...more: string[]) => ['train', spec, '--data', data, '--out', out, '--epochs', '1', '--batch', '32', '--threads', '1', '--no-typecheck', ...more];
const { copyRun } = finishedRun(tmp, (dir) => trainArgs(dir, '--data', join(tmp, 'own.npy')));
// The finished run trains on its own copy of the data, so a case may change it.
writeFileSync(join(tmp, 'own.npy'), readFileSync(data));

const oneLine = (r: ReturnType<typeof hourglass>, code: number, ...mentions: (string | RegExp)[]) => {
  expect(r.err.split('\n'), r.err).toHaveLength(1);
  for (const m of mentions) expect(r.err).toMatch(m);
  expect(r.code, r.err).toBe(code);
};

/** Rewrite the run's checkpoint with `edit` applied and a correct checksum (a deliberate edit). */
const editCheckpoint = (run: string, edit: (c: Checkpoint) => Checkpoint) => {
  const path = join(run, 'checkpoint.hgck');
  const c = decodeCheckpoint(readFileSync(path), path);
  if (E.isLeft(c)) throw new Error(c.left);
  writeFileSync(path, Buffer.concat(encodeCheckpoint(edit(c.right))));
};

describe('resume checks the data file against run.json', () => {
  test('fewer rows at the same path are refused', () => {
    const run = copyRun();
    const own = join(tmp, 'own.npy');
    const keep = readFileSync(own);
    writeFileSync(own, encodeNpy(smallValues(150), [150, 784]));
    try {
      oneLine(hourglass(trainArgs(run, '--data', own, '--resume', '--epochs', '2')), EXIT.usage, /own\.npy: changed since the run started \(\d+ bytes; run\.json recorded \d+\)/);
      // Same size, one value changed: the hash tells.
      const edited = Buffer.from(keep);
      edited[edited.length - 1] ^= 1;
      writeFileSync(own, edited);
      oneLine(hourglass(trainArgs(run, '--data', own, '--resume', '--epochs', '2')), EXIT.usage, /changed since the run started \(SHA-256/);
    } finally {
      writeFileSync(own, keep);
    }
    expect(hourglass(trainArgs(run, '--data', own, '--resume', '--epochs', '2')).code).toBe(0);
  }, 600_000);
});

describe('a Bernoulli likelihood refuses data outside [0, 1]', () => {
  const pixels = join(tmp, 'pixels.npy');
  writeFileSync(pixels, encodeNpy(smallValues().map((v) => Math.round(v * 255)), [160, 784]));
  test('at train, for --data and for --held-out-data', () => {
    oneLine(hourglass(trainArgs(join(tmp, 'b1'), '--data', pixels)), EXIT.dataErr, /pixels\.npy: values range over \[0, 255\].*needs data in \[0, 1\]/);
    oneLine(hourglass(trainArgs(join(tmp, 'b2'), '--held-out-data', pixels)), EXIT.dataErr, /pixels\.npy: values range over \[0, 255\]/);
  });
  test('at evaluate', () => {
    const run = copyRun();
    oneLine(hourglass(['evaluate', run, '--data', pixels, '--split', 'all']), EXIT.dataErr, /pixels\.npy: values range over \[0, 255\]/);
  });
});

describe('divergence', () => {
  test('a loss beyond 1e30 is divergence; the advice repeats every flag of the run', () => {
    const run = join(tmp, 'huge-lr');
    const r = hourglass(trainArgs(run, '--lr', '1e6', '--seed', '4', '--checkpoint-every', '2', '--epochs', '3'));
    expect(r.code, r.err).toBe(EXIT.dataErr);
    const last = r.err.split('\n').at(-1)!;
    expect(last).toMatch(/training diverged at step \d+: .* = [-\d.e+]+|Infinity|NaN/);
    for (const flag of ['--epochs 3', '--batch 32', '--seed 4', '--checkpoint-every 2', '--optimizer adam', '--dtype f32', '--fuse 16', '--threads 1', '--held-out 0.2']) expect(last).toContain(flag);
    // What it saved (if anything) the reader accepts: resume with a lower rate reads it.
    if (existsSync(join(run, 'checkpoint.hgck'))) {
      const again = hourglass(trainArgs(run, '--resume', '--lr', '1e-3', '--epochs', '3'));
      expect(again.err).not.toMatch(/bad checkpoint/);
    }
  });
});

describe('checkpoint fields are range-checked after the checksum', () => {
  const cases: [string, (c: Checkpoint) => Checkpoint, RegExp][] = [
    ['epoch = 1e6', (c) => ({ ...c, meta: { ...c.meta, epoch: 1e6 } }), /bad checkpoint position: epoch 1000000/],
    ['stepInEpoch beyond an epoch', (c) => ({ ...c, meta: { ...c.meta, epoch: 1, stepInEpoch: 9, step: 9 } }), /bad checkpoint position/],
    ['t = 2.5', (c) => ({ ...c, tensors: { ...c.tensors, 'opt.t': Float32Array.of(2.5) } }), /opt\.t\[0\] = 2\.5 \(a step count must be an integer\)/],
    ['an all-zero random state', (c) => ({ ...c, meta: { ...c.meta, noiseState: c.meta.noiseState.map(() => 0) } }), /noiseState is not a random-stream state/],
  ];
  for (const [what, edit, mention] of cases)
    test(what, () => {
      const run = copyRun();
      editCheckpoint(run, edit);
      oneLine(hourglass(trainArgs(run, '--data', join(tmp, 'own.npy'), '--resume', '--epochs', '2')), EXIT.dataErr, mention);
    });

  test('a header claiming version 1 (no checksum) is read only with --legacy', () => {
    const run = copyRun();
    const path = join(run, 'checkpoint.hgck');
    const bytes = readFileSync(path);
    bytes.writeUInt32LE(1, 4);
    writeFileSync(path, bytes);
    const args = trainArgs(run, '--data', join(tmp, 'own.npy'), '--resume', '--epochs', '2');
    oneLine(hourglass(args), EXIT.dataErr, /checkpoint version 1 carries no checksum; .* --legacy/);
    const r = hourglass([...args, '--legacy']);
    expect(r.code, r.err).toBe(0);
  });
});

describe('run.json is schema-checked', () => {
  test('batch: "abc" is refused naming the field', () => {
    const run = copyRun();
    const rec = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8'));
    writeFileSync(join(run, 'run.json'), JSON.stringify({ ...rec, settings: { ...rec.settings, batch: 'abc' } }));
    oneLine(hourglass(trainArgs(run, '--data', join(tmp, 'own.npy'), '--resume', '--epochs', '2')), EXIT.dataErr, /settings\.batch = "abc" \(must be a positive integer\)/);
  });
});

describe('numeric flags name their range', () => {
  test('--threads beyond 4 × the cores, figures --scale 300, sweep --set lr=abc', () => {
    const t = hourglass(trainArgs(join(tmp, 'threads'), '--threads', '100000'));
    expect(t.code).toBe(EXIT.usage);
    expect(t.err).toMatch(/'--threads <n>' argument '100000' is invalid\. must be an integer in \[1, \d+\] \(4 × the \d+ cores\)/);
    expect(existsSync(join(tmp, 'threads'))).toBe(false);
    const run = copyRun();
    const f = hourglass(['figures', run, '--scale', '300']);
    expect(f.code).toBe(EXIT.usage);
    expect(f.err).toMatch(/--scale must be an integer in \[1, 32\]/);
    const sweepOut = join(tmp, 'sweep');
    const s = hourglass(['sweep', spec, '--data', data, '--out', sweepOut, '--set', 'lr=0.01,abc', '--epochs', '1']);
    oneLine(s, EXIT.usage, /--set lr=0\.01,abc: --lr must be a positive number, got "abc"/);
    expect(existsSync(sweepOut)).toBe(false);
  }, 600_000);
});

describe('exported/model.json edited by hand', () => {
  test('a code shape that does not fit the graphs is a one-line error, not onnxruntime\'s', () => {
    for (const codeShape of [[3], [1]]) {
      const run = copyRun();
      const path = join(run, 'exported', 'model.json');
      writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), codeShape }));
      oneLine(hourglass(['encode', run, '--data', data, '--out', join(tmp, `codes-${codeShape[0]}.npy`)]), EXIT.dataErr, /model\.json: its shapes .* do not fit the exported graphs/);
      oneLine(hourglass(['sample', run, '--n', '4', '--out', join(tmp, `s-${codeShape[0]}.npy`)]), EXIT.dataErr, /model\.json: its shapes .* do not fit the exported graphs/);
    }
  }, 600_000);
});
