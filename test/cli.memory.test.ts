// The memory estimate at the door of `train`: printed on the first line, and a run that cannot
// fit is refused in one line naming its largest tensors (exit 71), before the big allocations.
// The estimate is stdout's first line (stderr keeps an error to one line). Real CLI, real files.
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EXIT } from '../runtime/core/failure';
import { hourglass, repo, writeSmallData, writeTinyVae } from './support/cliHarness';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-memory-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const spec = writeTinyVae(tmp);
const data = writeSmallData(tmp);
const trainArgs = (s: string, out: string, ...more: string[]) => ['train', s, '--data', data, '--out', join(tmp, out), '--epochs', '1', '--batch', '32', '--threads', '1', '--no-typecheck', ...more];
const MEMORY_LINE = /^memory: ~[\d.]+ [KMGT]?B \(parameters [\d.]+ [KMGT]?B, optimizer [\d.]+ [KMGT]?B, copies [\d.]+ [KMGT]?B, activations [\d.]+ [KMGT]?B, inputs .*, data .*, runtime .*\)$/;

/** The estimate on stdout, the refusal as stderr's one line; nothing written at --out. */
const refused = (r: ReturnType<typeof hourglass>, out: string, ...mentions: (string | RegExp)[]) => {
  expect(r.out.trim()).toMatch(MEMORY_LINE);
  expect(r.err.split('\n'), r.err).toHaveLength(1);
  for (const m of mentions) expect(r.err).toMatch(m);
  expect(r.code, r.err).toBe(EXIT.noMemory);
  expect(existsSync(join(tmp, out))).toBe(false);
};

describe('train estimates its memory', () => {
  test('a normal run prints the estimate as its first line', () => {
    const r = hourglass(trainArgs(spec, 'normal'));
    expect(r.code, r.err).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(MEMORY_LINE);
  });

  test('a 100,000-wide dense model is refused in one line, never exit 70', () => {
    const wide = join(tmp, 'wide.ts');
    writeFileSync(
      wide,
      `import { autoencoder, bernoulli, dense, flow, relu } from '${join(repo, 'dsl')}';
export default autoencoder({ name: 'wide', input: [784], encoder: flow(dense(100000), relu, dense(100000), relu, dense(2)), decoder: flow(dense(100000), relu, dense(784)), likelihood: bernoulli })
  .objective(({ x, code, decoder }) => ({ reconstruction: bernoulli(decoder(code), x) }));
`,
    );
    const r = hourglass(trainArgs(wide, 'wide'));
    // 10^10 weights: 40 GB for the parameters alone, more than any test machine has free.
    refused(r, 'wide', /^hourglass: wide: this run needs ~[\d.]+ [GT]B, more than the [\d.]+ [KMGT]?B of memory available; the largest tensors: encoder\.dense\d\.W \[100000×100000\] 40\.0 GB, /);
    expect(r.err).not.toMatch(/Invalid typed array length/);
  });

  test('a 30,000-wide model is refused under --max-memory 8GB instead of growing past it', () => {
    const wide = join(tmp, 'wide30k.ts');
    writeFileSync(
      wide,
      `import { autoencoder, bernoulli, dense, flow, relu } from '${join(repo, 'dsl')}';
export default autoencoder({ name: 'wide30k', input: [784], encoder: flow(dense(30000), relu, dense(30000), relu, dense(2)), decoder: flow(dense(784)), likelihood: bernoulli })
  .objective(({ x, code, decoder }) => ({ reconstruction: bernoulli(decoder(code), x) }));
`,
    );
    refused(hourglass(trainArgs(wide, 'wide30k', '--max-memory', '8GB')), 'wide30k', /^hourglass: wide30k: this run needs ~[\d.]+ [GT]B, more than --max-memory 8\.00 GB; the largest tensors: \S+ \[30000×30000\] 3\.60 GB, /);
  });

  test('--max-memory 1MB refuses the default VAE, naming the largest tensors', () => {
    const out = 'vae';
    const r = hourglass(['train', join(repo, 'examples', 'vae.ts'), '--data', data, '--out', join(tmp, out), '--epochs', '1', '--threads', '1', '--no-typecheck', '--max-memory', '1MB']);
    refused(r, out, /^hourglass: vae: this run needs ~\d+ MB, more than --max-memory 1\.00 MB; the largest tensors: \S+ \[\d+×\d+\] [\d.]+ MB, /);
  });

  test('--max-memory has a range and a unit', () => {
    for (const bad of ['0', '1KB', 'lots', '2PB', '-5MB']) {
      const r = hourglass(trainArgs(spec, 'bad', '--max-memory', bad));
      expect(r.code, r.err).toBe(EXIT.usage);
      expect(r.err).toMatch(/--max-memory.*1MB to 1PB/);
    }
  });
});
