// Spec parameters: `params(defaults, build)` resolution (names, types, required ones) as
// properties, and `--set` through the real binary: the manifest and run.json record the values,
// a bad or unknown name exits 2 naming the accepted ones.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { describeParams, parseSets, resolveParams } from '../dsl/params';

const repo = resolve(__dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'hourglass-params-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hourglass = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(repo, 'bin', 'hourglass.js'), ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
};

const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);

describe('resolveParams', () => {
  test('every numeric default is overridden by a numeric --set and kept otherwise', () => {
    fc.assert(
      fc.property(fc.dictionary(name, fc.double({ noNaN: true, noDefaultInfinity: true }), { minKeys: 1 }), fc.func(fc.boolean()), (defaults, pick) => {
        const set: Record<string, string> = {};
        const want: Record<string, number> = {};
        for (const [k, v] of Object.entries(defaults)) {
          const override = pick(k);
          if (override) set[k] = String(v + 1);
          want[k] = override ? Number(String(v + 1)) : v;
        }
        expect(resolveParams(defaults, set)).toEqual(E.right(want));
      }),
    );
  });

  test('an unknown name is refused, naming every accepted one', () => {
    fc.assert(
      fc.property(fc.dictionary(name, fc.integer()), name, (defaults, extra) => {
        fc.pre(!Object.hasOwn(defaults, extra));
        const r = resolveParams(defaults, { [extra]: '1' });
        expect(E.isLeft(r)).toBe(true);
        if (E.isLeft(r)) {
          expect(r.left).toContain(extra);
          for (const k of Object.keys(defaults)) expect(r.left).toContain(k);
        }
      }),
    );
  });

  test('required parameters (Number, String), strings and non-numbers', () => {
    const d = { latent: Number, act: String, beta: 4 };
    expect(describeParams(d)).toBe('latent (number, required), act (string, required), beta (number, default 4)');
    expect(resolveParams(d, { act: 'relu' })).toEqual(E.left(expect.stringContaining('parameter latent has no default')));
    expect(resolveParams(d, { latent: '3', act: 'relu' })).toEqual(E.right({ latent: 3, act: 'relu', beta: 4 }));
    expect(resolveParams(d, { latent: 'ten', act: 'x' })).toEqual(E.left(expect.stringContaining('latent must be a number, got "ten"')));
    expect(resolveParams(d, { latent: '', act: 'x' })).toEqual(E.left(expect.stringContaining('latent must be a number')));
  });

  test('parseSets: name=value, values may hold "="; malformed and repeated names are refused', () => {
    expect(parseSets(['a=1', 'b=x=y'])).toEqual(E.right({ a: '1', b: 'x=y' }));
    expect(E.isLeft(parseSets(['novalue']))).toBe(true);
    expect(parseSets(['a=1', 'a=2'])).toEqual(E.left('--set a is given twice'));
  });
});

describe('--set through the binary', () => {
  test('compile records the parameters in the manifest and builds with them', () => {
    const out = join(tmp, 'vae');
    const r = hourglass('compile', 'examples/vae.ts', '--set', 'latent=3', '--set', 'hidden=16', '--no-typecheck', '--out', out);
    expect(r.code, r.err).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.specParams).toEqual({ latent: 3, beta: 1, hidden: 16, init: 'glorot-uniform' });
    expect(m.codeShape).toEqual([3]);
    expect(m.params.find((p: { name: string }) => p.name === 'encoder.dense0.W').shape).toEqual([784, 16]);
  });

  test('unknown, malformed or non-numeric parameters exit 2 naming the accepted ones', () => {
    for (const set of ['latnt=3', 'latent=three', 'latent']) {
      const r = hourglass('compile', 'examples/vae.ts', '--set', set, '--no-typecheck', '--out', join(tmp, 'bad'));
      expect(r.code, r.err).toBe(2);
      expect(r.err.split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^hourglass: /);
      if (set !== 'latent') expect(r.err).toContain('latent (number, default 20), beta (number, default 1), hidden (number, default 400), init (string, default "glorot-uniform")');
    }
  });

  test('a spec without parameters refuses --set with exit 2', () => {
    const r = hourglass('compile', 'test/support/noParamsSpec.ts', '--set', 'x=1', '--no-typecheck', '--out', join(tmp, 'np'));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain('takes no parameters');
  });

  test('train writes the parameters to run.json and the run manifest', () => {
    const run = join(tmp, 'run');
    const r = hourglass('train', 'examples/linear-ae.ts', '--set', 'r=3', '--data', 'mnist', '--epochs', '1', '--batch', '200', '--threads', '1', '--no-typecheck', '--out', run);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')).params).toEqual({ r: 3, width: 784 });
    expect(JSON.parse(readFileSync(join(run, 'artifacts', 'manifest.json'), 'utf8')).specParams).toEqual({ r: 3, width: 784 });
  });
});
