// Splits: the held-out fraction (0 = train on everything), a separate held-out set, the split
// exported by `hourglass data` for outside tools, and labels written beside encoded codes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { splitIndices } from '../runtime/core/dataset';
import { loadNpy } from '../runtime/host/data/npy';
import { generateShapes } from '../runtime/host/data/shapes';
import { loadMnistDigits } from '../runtime/host/data/mnist';

const repo = resolve(__dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'hourglass-splits-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hourglass = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(repo, 'bin', 'hourglass.js'), ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
};
const npy = (path: string) => {
  const a = loadNpy(path);
  if (E.isLeft(a)) throw new Error(a.left.message);
  return a.right;
};
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const train = (...extra: string[]) => ['train', 'examples/linear-ae.ts', '--set', 'r=2', '--epochs', '1', '--batch', '500', '--threads', '1', '--no-typecheck', ...extra];

describe('splitIndices', () => {
  test('train and held-out partition the rows; the held-out size is round(n·f), at least 1 for f > 0, none for 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 3000 }), fc.double({ min: 0, max: 0.99, noNaN: true }), (n, f) => {
        const { train, heldOut } = splitIndices(n, f);
        const all = [...train, ...heldOut].sort((a, b) => a - b);
        expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
        const want = f === 0 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * f)));
        expect(heldOut.length).toBe(want);
        expect(splitIndices(n, f)).toEqual({ train, heldOut });
      }),
    );
    expect(() => splitIndices(10, 1)).toThrow(RangeError);
  });
});

describe('hourglass data', () => {
  test('shapes: x, labels, factors and the split, matching the set and splitIndices', () => {
    const out = join(tmp, 'shapes');
    const r = hourglass('data', 'shapes:40', '--held-out', '0.25', '--out', out);
    expect(r.code, r.err).toBe(0);
    const ref = generateShapes(40, 0);
    const x = npy(join(out, 'x.npy'));
    expect(x.shape).toEqual([40, 4096]);
    expect(Float32Array.from(x.values)).toEqual(ref.images);
    const labels = npy(join(out, 'labels.npy'));
    expect(labels.type).toBe('uint8');
    expect(Array.from(labels.values)).toEqual(Array.from(ref.labels!));
    expect(npy(join(out, 'factors.npy')).shape).toEqual([40, 5]);
    const split = json(join(out, 'split.json'));
    expect(split.factors).toEqual(['shape', 'scale', 'orientation', 'posX', 'posY']);
    const idx = splitIndices(40, 0.25);
    expect(split.train).toEqual(Array.from(idx.train));
    expect(split.heldOut).toEqual(Array.from(idx.heldOut));
    expect(split.heldOut).toHaveLength(10);
    // Refuses to overwrite without --force; bad fractions are usage errors.
    expect(hourglass('data', 'shapes:40', '--out', out).code).toBe(73);
    expect(hourglass('data', 'shapes:40', '--out', out, '--force').code).toBe(0);
    const foreign = join(tmp, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'x.npy'), 'not ours');
    expect(hourglass('data', 'shapes:40', '--out', foreign, '--force').code).toBe(73);
    expect(readFileSync(join(foreign, 'x.npy'), 'utf8')).toBe('not ours');
    const bad = hourglass('data', 'shapes:40', '--held-out', '1', '--out', join(tmp, 'x'));
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('must be a fraction in [0, 1)');
  });
});

describe('train splits, encode labels', () => {
  const mnist = loadMnistDigits();

  test('--held-out 0 trains on everything and records it; the held-out report is empty', () => {
    const run = join(tmp, 'all');
    const r = hourglass(...train('--data', 'mnist', '--held-out', '0', '--out', run));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('no held-out set');
    const split = json(join(run, 'run.json')).split;
    expect(split).toMatchObject({ data: 'mnist', heldOut: 0, train: mnist.n, heldOutN: 0 });
    expect(json(join(run, 'metrics.jsonl')).heldOut).toEqual({});
    expect(hourglass('encode', run, '--data', 'mnist', '--split', 'held-out', '--out', join(tmp, 'c.npy')).code).toBe(2);
  });

  test('--held-out 0.3: run.json records the split; encode --split held-out gives exactly those rows, labels beside', () => {
    const run = join(tmp, 'f30');
    expect(hourglass(...train('--data', 'mnist', '--held-out', '0.3', '--out', run)).code).toBe(0);
    const { heldOut } = splitIndices(mnist.n, 0.3);
    expect(json(join(run, 'run.json')).split).toMatchObject({ heldOut: 0.3, train: mnist.n - heldOut.length, heldOutN: heldOut.length });
    const codes = join(tmp, 'held.npy');
    const e = hourglass('encode', run, '--data', 'mnist', '--split', 'held-out', '--out', codes);
    expect(e.code, e.err).toBe(0);
    expect(npy(codes).shape).toEqual([heldOut.length, 2]);
    const labels = npy(join(tmp, 'held.labels.npy'));
    expect(Array.from(labels.values)).toEqual(Array.from(heldOut, (i) => mnist.labels![i]));
    // A resumed run keeps its split.
    const resumed = hourglass(...train('--data', 'mnist', '--held-out', '0.2', '--resume', '--out', run));
    expect(resumed.code).toBe(2);
    expect(resumed.err).toContain('--held-out 0.2 contradicts the run being resumed');
    expect(resumed.err).toContain('heldOut = 0.3');
    // A data set the run never saw has no train / held-out rows.
    expect(hourglass('encode', run, '--data', 'shapes:10', '--split', 'train', '--out', join(tmp, 's.npy')).code).toBe(2);
  });

  test('--held-out-data: all of --data trains, the separate set is held out; contradictory flags exit 2', () => {
    const dir = join(tmp, 'sep');
    expect(hourglass('data', 'mnist', '--held-out', '0.1', '--out', dir).code).toBe(0);
    const x = join(dir, 'x.npy');
    const run = join(tmp, 'sep-run');
    const r = hourglass(...train('--data', 'mnist', '--held-out-data', x, '--out', run));
    expect(r.code, r.err).toBe(0);
    expect(json(join(run, 'run.json')).split).toMatchObject({ data: 'mnist', heldOutData: x, heldOut: 0, train: mnist.n, heldOutN: mnist.n });
    expect(Object.keys(json(join(run, 'metrics.jsonl')).heldOut)).toContain('loss');
    // The separate set is the run's held-out rows, all of them; it has no training rows.
    const e = hourglass('encode', run, '--data', x, '--split', 'held-out', '--limit', '30', '--out', join(tmp, 'sep.npy'));
    expect(e.code, e.err).toBe(0);
    expect(npy(join(tmp, 'sep.npy')).shape).toEqual([30, 2]);
    expect(hourglass('encode', run, '--data', x, '--split', 'train', '--out', join(tmp, 'sep2.npy')).code).toBe(2);
    const bad = hourglass(...train('--data', 'mnist', '--held-out', '0.5', '--held-out-data', x, '--out', join(tmp, 'bad')));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^hourglass: --held-out 0.5 and --held-out-data .* contradict/);
  });
});
