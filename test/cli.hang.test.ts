// Nothing hangs: the whole spec evaluation (import, params build, layers, objective) runs under
// --spec-timeout in a worker; a spec calling process.exit is an error, not a silent exit 0; a
// FIFO or a device as spec or data is refused before it is opened. Real CLI, real files.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EXIT } from '../runtime/core/failure';
import { hourglass, repo, writeTinyVae } from './support/cliHarness';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-hang-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const dsl = join(repo, 'dsl');
const head = `import { autoencoder, bernoulli, dense, flow, relu, gaussianHead, kl, reparameterise, standardNormal, params } from '${dsl}';`;
const model = (objective: string, layer = 'dense(16)') =>
  `autoencoder({ name: 'm', input: [784], encoder: flow(${layer}, relu, gaussianHead(2)), decoder: flow(dense(16), relu, dense(784)), likelihood: bernoulli }).objective(${objective})`;
const good = `({ x, code: q, decoder }) => ({ reconstruction: bernoulli(decoder(reparameterise(q)), x), kl: kl(q, standardNormal(2)) })`;

const spec = (name: string, body: string) => {
  const p = join(tmp, `${name}.ts`);
  writeFileSync(p, `${head}\n${body}\n`);
  return p;
};

const oneLine = (r: ReturnType<typeof hourglass>, code: number, mention: RegExp) => {
  expect(r.err.split('\n'), r.err).toHaveLength(1);
  expect(r.err).toMatch(mention);
  expect(r.code, r.err).toBe(code);
};

describe('--spec-timeout covers the whole spec evaluation', () => {
  const cases: [string, string][] = [
    ['an endless .objective()', `export default ${model('() => { for (;;) {} }')};`],
    ['an endless params(…, build)', `export default params({ h: 16 }, (p) => { for (;;) {} });`],
    ['an endless layer', `const slow = (() => { for (;;) {} }) as unknown as typeof relu;\nexport default autoencoder({ name: 'm', input: [784], encoder: flow(dense(16), slow, gaussianHead(2)), decoder: flow(dense(16), relu, dense(784)), likelihood: bernoulli }).objective(${good});`],
  ];
  for (const [what, body] of cases)
    test(`${what} ends with a one-line error within the timeout`, () => {
      const out = join(tmp, `out-${what.replace(/\W+/g, '-')}`);
      const r = hourglass(['compile', spec(what.replace(/\W+/g, '-'), body), '--out', out, '--no-typecheck', '--spec-timeout', '3']);
      oneLine(r, EXIT.dataErr, /did not finish loading and building within 3 s/);
      expect(existsSync(join(out, 'manifest.json'))).toBe(false);
    });

  test('process.exit(0) in a spec is an error, not a silent success', () => {
    const out = join(tmp, 'out-exit');
    const r = hourglass(['compile', spec('exits', `process.exit(0);\nexport default ${model(good)};`), '--out', out, '--no-typecheck']);
    oneLine(r, EXIT.dataErr, /called process\.exit\(0\) while loading or building/);
    const inObjective = hourglass(['compile', spec('exits-late', `export default ${model('() => process.exit(0)')};`), '--out', out, '--no-typecheck']);
    oneLine(inObjective, EXIT.dataErr, /called process\.exit\(0\)/);
  }, 600_000);
});

describe('spec loading errors', () => {
  test('a syntax error names the file, line and column', () => {
    const p = join(tmp, 'syntax.ts');
    writeFileSync(p, `const a = 1;\nexport default {{ a: ;\n`);
    oneLine(hourglass(['compile', p, '--out', join(tmp, 'c-syntax'), '--no-typecheck']), EXIT.dataErr, /syntax\.ts:2:17: syntax error: /);
  });
});

describe('non-regular files are refused before they are opened', () => {
  const fifo = join(tmp, 'pipe.npy');
  let why: string | null = null;
  try {
    execFileSync('mkfifo', [fifo]);
  } catch (err) {
    why = String(err);
    console.log(`skipping the FIFO cases: mkfifo failed (${why})`);
  }
  test.skipIf(why !== null)('a FIFO as train --data, as data input and as the spec', () => {
    const s = writeTinyVae(tmp);
    oneLine(hourglass(['train', s, '--data', fifo, '--out', join(tmp, 'r1'), '--no-typecheck']), EXIT.dataErr, /pipe\.npy: is not a regular file/);
    oneLine(hourglass(['data', fifo, '--out', join(tmp, 'd1')]), EXIT.dataErr, /pipe\.npy: is not a regular file/);
    const fifoSpec = join(tmp, 'spec-pipe.ts');
    execFileSync('mkfifo', [fifoSpec]);
    oneLine(hourglass(['compile', fifoSpec, '--out', join(tmp, 'c1'), '--no-typecheck']), EXIT.dataErr, /spec-pipe\.ts: is not a regular file/);
  }, 600_000);
  test('/dev/zero as data', () => {
    oneLine(hourglass(['data', '/dev/zero', '--out', join(tmp, 'd2')]), EXIT.dataErr, /\/dev\/zero: is not a regular file/);
  });
});
