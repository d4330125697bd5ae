// The real `hourglass` binary on real files, for the CLI regression tests: a spawn helper, a tiny
// VAE spec and a small data set in [0, 1] (160 examples: 128 train, 32 held out at the default split).
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, expect } from 'vitest';
import { join, resolve } from 'node:path';
import { encodeNpy } from '../../runtime/host/data/npy';

export const repo = resolve(__dirname, '..', '..');
export const bin = join(repo, 'bin', 'hourglass.js');

export const hourglass = (args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: opts.cwd ?? repo, encoding: 'utf8', env: { ...process.env, CI: '1', ...opts.env } });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
};

/** A VAE 784-h-2-h-784 (Bernoulli) named `name`, written as `<name>.ts` in `dir`. */
export const writeVaeSpec = (dir: string, name: string, hidden: number): string => {
  const spec = join(dir, `${name}.ts`);
  writeFileSync(
    spec,
    `import { autoencoder, bernoulli, dense, flow, relu, gaussianHead, kl, reparameterise, standardNormal } from '${join(repo, 'dsl')}';
export default autoencoder({ name: '${name}', input: [784], encoder: flow(dense(${hidden}), relu, gaussianHead(2)), decoder: flow(dense(${hidden}), relu, dense(784)), likelihood: bernoulli })
  .objective(({ x, code: q, decoder }) => ({ reconstruction: bernoulli(decoder(reparameterise(q)), x), kl: kl(q, standardNormal(2)) }));
`,
  );
  return spec;
};

/** The CLI tests' tiny VAE, 784-16-2-16-784, as `tiny.ts` in `dir`. */
export const writeTinyVae = (dir: string): string => writeVaeSpec(dir, 'tiny', 16);

/** Deterministic values in [0, 1), `n` examples of 784. */
export const smallValues = (n = 160) => new Float32Array(n * 784).map((_, i) => ((i * 2654435761) % 1000) / 1000);

/** `small.npy` in `dir`: smallValues(160). */
export const writeSmallData = (dir: string): string => {
  const data = join(dir, 'small.npy');
  writeFileSync(data, encodeNpy(smallValues(), [160, 784]));
  return data;
};

/**
 * One run trained once (before the file's tests) by `args(dir)`, and fresh copies of it: each
 * case that damages or resumes a run works on its own copy.
 */
export const finishedRun = (tmp: string, args: (dir: string) => string[]) => {
  const finished = join(tmp, 'finished');
  beforeAll(() => {
    const r = hourglass(args(finished));
    expect(r.code, r.err).toBe(0);
  });
  let copies = 0;
  const copyRun = () => {
    const dir = join(tmp, `run-${++copies}`);
    cpSync(finished, dir, { recursive: true });
    return dir;
  };
  return { finished, copyRun };
};

/** The command is refused with `code` in one line matching `mention`, and the files `unchanged` keep every byte. */
export const refusedBy = (args: string[], code: number, mention: RegExp, unchanged: string[]): void => {
  const before = unchanged.map((f) => readFileSync(f));
  const r = hourglass(args);
  expect(r.code, r.err).toBe(code);
  expect(r.err.split('\n'), r.err).toHaveLength(1);
  expect(r.err).toMatch(mention);
  unchanged.forEach((f, i) => expect(readFileSync(f).equals(before[i]), f).toBe(true));
};
