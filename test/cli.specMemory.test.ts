// A spec that allocates without end (at import, in params(…, build), in the objective) is stopped
// in the probe's worker before it takes the machine: the worker's heap is capped (V8 ends the
// worker, not the process: no abort, exit 134) and the memory the process asks for is watched
// (typed arrays live outside the heap and are not resident until written). It ends in one line
// naming the spec, exit 71, and nothing is written. Real CLI, real files.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EXIT } from '../runtime/core/failure';
import { hourglass, repo, writeSmallData, writeTinyVae } from './support/cliHarness';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-specmem-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const data = writeSmallData(tmp);
const head = `import { autoencoder, bernoulli, dense, flow, relu, gaussianHead, kl, reparameterise, standardNormal, params } from '${join(repo, 'dsl')}';`;
const model = (objective: string) =>
  `autoencoder({ name: 'm', input: [784], encoder: flow(dense(16), relu, gaussianHead(2)), decoder: flow(dense(16), relu, dense(784)), likelihood: bernoulli }).objective(${objective})`;
const good = `({ x, code: q, decoder }) => ({ reconstruction: bernoulli(decoder(reparameterise(q)), x), kl: kl(q, standardNormal(2)) })`;

const spec = (name: string, body: string) => {
  const p = join(tmp, `${name}.ts`);
  writeFileSync(p, `${head}\n${body}\n`);
  return p;
};

const typedArrays = 'const hoard: Float64Array[] = [];\nfor (;;) hoard.push(new Float64Array(1e6));';
const heapArrays = 'const hoard: number[][] = [];\nfor (;;) hoard.push(new Array(1e5).fill(1.5));';

const refusedForMemory = (r: ReturnType<typeof hourglass>, file: string, limit: RegExp) => {
  expect(r.code, r.err).toBe(EXIT.noMemory);
  expect(r.err.split('\n'), r.err).toHaveLength(1);
  expect(r.err).toContain(file);
  expect(r.err).toMatch(limit);
  expect(r.err).not.toMatch(/internal error|heap out of memory|FATAL/);
};

describe('a spec that allocates itself', () => {
  const cases: [string, string][] = [
    ['typed arrays at import', `${typedArrays}\nexport default ${model(good)};`],
    ['the JavaScript heap at import', `${heapArrays}\nexport default ${model(good)};`],
    ['typed arrays in params(…, build)', `export default params({ h: 16 }, (p) => { ${typedArrays} return ${model(good)}; });`],
    ['the heap in .objective()', `export default ${model(`(t) => { ${heapArrays} return (${good})(t); }`)};`],
  ];
  for (const [what, body] of cases)
    test(`train: ${what} ends in exit 71 under --max-memory, not a V8 abort`, () => {
      const file = spec(what.replace(/\W+/g, '-'), body);
      const out = join(tmp, `run-${what.replace(/\W+/g, '-')}`);
      const r = hourglass(['train', file, '--data', data, '--out', out, '--epochs', '1', '--no-typecheck', '--max-memory', '400MB']);
      refusedForMemory(r, file, /used more than 400 MB of memory while loading and building/);
      expect(existsSync(out)).toBe(false);
    }, 120_000);

  test('compile: without --max-memory the cap is half the free memory, at most 2 GiB', () => {
    const file = spec('compile-typed', `${typedArrays}\nexport default ${model(good)};`);
    const out = join(tmp, 'compiled');
    refusedForMemory(hourglass(['compile', file, '--out', out, '--no-typecheck']), file, /used more than \d+ MB of memory/);
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  test('compile --max-memory caps the heap too; an ordinary spec loads under the smallest cap', () => {
    const file = spec('compile-heap', `${heapArrays}\nexport default ${model(good)};`);
    refusedForMemory(hourglass(['compile', file, '--out', join(tmp, 'c2'), '--no-typecheck', '--max-memory', '300MB']), file, /used more than 300 MB/);
    const tiny = writeTinyVae(tmp);
    const r = hourglass(['compile', tiny, '--out', join(tmp, 'c3'), '--no-typecheck', '--max-memory', '1MB']);
    expect(r.code, r.err).toBe(0);
  }, 120_000);
});
