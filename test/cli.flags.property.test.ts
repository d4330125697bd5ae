// A property over random flag vectors of `hourglass train`: whatever the flags (valid, out of
// range, malformed, contradicting), the real CLI ends with 0 or a documented code, never 70 (a
// bug) and never a signal. Few runs: the CLI takes seconds to start.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, test } from 'vitest';
import { EXIT } from '../runtime/core/failure';
import { encodeNpy } from '../runtime/host/data/npy';
import { bin, repo, smallValues, writeSmallData, writeTinyVae } from './support/cliHarness';
import { spawnSync } from 'node:child_process';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-flags-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const spec = writeTinyVae(tmp);
const data = writeSmallData(tmp);
const pixels = join(tmp, 'pixels.npy');
writeFileSync(pixels, encodeNpy(smallValues().map((v) => v * 255), [160, 784]));

const DOCUMENTED = new Set<number>([0, ...Object.values(EXIT).filter((c) => c !== EXIT.software)]);

const value = (...xs: string[]) => fc.constantFrom(...xs);
const FLAGS: Record<string, fc.Arbitrary<string | null>> = {
  '--epochs': value('1', '2', '0', '-1', 'abc', '1e3', '1.5'),
  '--batch': value('32', '1', '0', '1000', 'x', '99999999999999999999'),
  '--lr': value('1e-3', '0.01', '0', '-1', '1e6', 'NaN', 'Infinity'),
  '--threads': value('1', '0', '100000', 'two'),
  '--held-out': value('0', '0.2', '1', '-0.1', '0.999'),
  '--fuse': value('1', '4', '0', '100000'),
  '--checkpoint-every': value('1', '2', '0'),
  '--seed': value('0', '5', '-1', '4294967296'),
  '--optimizer': value('adam', 'sgd', 'bogus'),
  '--dtype': value('f32', 'f64', 'f16'),
  '--data': value(data, pixels, join(tmp, 'missing.npy'), 'shapes:10'),
  '--lr-schedule': value('constant', 'cosine', 'step:1:0.5', 'exp:x'),
  '--resume': fc.constant(null),
  '--force': fc.constant(null),
  '--binarise': fc.constant(null),
};

const vector = fc.dictionary(fc.constantFrom(...Object.keys(FLAGS)), fc.constant(0), { maxKeys: 6 }).chain((keys) =>
  fc.tuple(...Object.keys(keys).map((k) => FLAGS[k].map((v) => (v === null ? [k] : [k, v])))).map((pairs) => pairs.flat()),
);

test('every train flag vector ends with 0 or a documented code, never 70, never a signal', () => {
  let i = 0;
  fc.assert(
    fc.property(vector, fc.constantFrom('fresh', 'same'), (flags, where) => {
      const out = join(tmp, where === 'fresh' ? `run-${i++}` : 'shared');
      const args = ['train', spec, '--data', data, '--out', out, '--epochs', '1', '--batch', '32', '--threads', '1', '--no-typecheck', ...flags];
      const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 120_000 });
      expect(r.signal, `${flags.join(' ')}: ${r.stderr}`).toBe(null);
      expect(DOCUMENTED.has(r.status ?? -1), `${flags.join(' ')} → ${r.status}: ${r.stderr}`).toBe(true);
    }),
    { numRuns: 8, seed: 26 },
  );
}, 900_000);
