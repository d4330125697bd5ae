// The real `hourglass` binary, spawned on temporary directories: the happy path end to end,
// and a one-line reason with a non-zero exit for each kind of bad input.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as E from 'fp-ts/Either';
import { afterAll, describe, expect, test } from 'vitest';
import { readCheckpoint } from '../runtime/host/checkpoint';
import { EXIT } from '../runtime/core/failure';
import { lockPath } from '../runtime/run/lock';

const repo = resolve(__dirname, '..');
const bin = join(repo, 'bin', 'hourglass.js');
const tmp = mkdtempSync(join(tmpdir(), 'hourglass-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hourglass = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
};

/** A spec in a temp folder, importing the DSL from this checkout. */
const writeSpec = (name: string, body: string) => {
  const path = join(tmp, name);
  writeFileSync(path, `import { autoencoder, bernoulli, dense, flow, relu, gaussianHead, kl, reparameterise, standardNormal } from '${join(repo, 'dsl')}';\n${body}\n`);
  return path;
};

const SMALL_VAE = `export default autoencoder({ name: 'tiny_vae', input: [784], encoder: flow(dense(32), relu, gaussianHead(2)), decoder: flow(dense(32), relu, dense(784)), likelihood: bernoulli })
  .objective(({ x, code: q, decoder }) => ({ reconstruction: bernoulli(decoder(reparameterise(q)), x), kl: kl(q, standardNormal(2)) }));`;

const spec = writeSpec('tiny-vae.ts', SMALL_VAE);

const expectOneLineFailure = (r: ReturnType<typeof hourglass>, ...mentions: (string | RegExp)[]) => {
  expect(r.code, r.err).not.toBe(0);
  expect(r.err.split('\n')).toHaveLength(1);
  expect(r.err).toMatch(/^hourglass: /);
  for (const m of mentions) expect(r.err).toMatch(m);
};

describe('hourglass, happy path', () => {
  const run = join(tmp, 'run');
  test('--help on every command', () => {
    for (const cmd of [[], ['compile'], ['train'], ['encode'], ['reconstruct'], ['sample']]) {
      const r = hourglass(...cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toContain('Usage: hourglass');
    }
  });

  test('compile writes the artifacts and the manifest and says so', () => {
    const out = join(tmp, 'compiled');
    const r = hourglass('compile', spec, '--out', out);
    expect(r.code, r.err).toBe(0);
    for (const f of ['train_step.onnx', 'evaluate.onnx', 'encode.onnx', 'decode.onnx', 'reconstruct.onnx', 'manifest.json']) {
      expect(existsSync(join(out, f))).toBe(true);
      expect(r.out).toContain(join(out, f));
    }
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).model).toBe('tiny_vae');
  });

  test('train → encode → reconstruct → sample', () => {
    const t = hourglass('train', spec, '--data', 'mnist', '--epochs', '1', '--batch', '200', '--threads', '1', '--out', run);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/epoch 1\/1 .*held-out: loss/);
    expect(readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);

    const codes = join(tmp, 'codes.npy');
    const e = hourglass('encode', run, '--data', 'mnist', '--limit', '50', '--out', codes);
    expect(e.code, e.err).toBe(0);
    const header = readFileSync(codes).subarray(0, 128).toString('latin1');
    expect(header).toContain("'shape': (50, 2)");

    const png = join(tmp, 'recon.png');
    expect(hourglass('reconstruct', run, '--data', 'mnist', '--n', '8', '--out', png).code).toBe(0);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    const samples = join(tmp, 'samples.png');
    expect(hourglass('sample', run, '--n', '16', '--out', samples).code).toBe(0);
    expect(readFileSync(samples).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('hourglass, bad input: one line, non-zero exit, nothing lost', () => {
  test('a spec that does not type-check', () => {
    const bad = writeSpec('ill-typed.ts', `const wrong: number = 'x';\n${SMALL_VAE}`);
    expectOneLineFailure(hourglass('compile', bad, '--out', join(tmp, 'never')), 'ill-typed.ts', /does not type-check/);
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  test('a spec that exports no model', () => {
    const none = writeSpec('no-model.ts', 'export default 42;');
    expectOneLineFailure(hourglass('compile', none, '--out', join(tmp, 'never')), 'no-model.ts', /default export is not a model/);
  });

  test('a missing spec', () => {
    expectOneLineFailure(hourglass('compile', join(tmp, 'nope.ts'), '--out', join(tmp, 'never')), 'nope.ts', /no such file/);
  });

  test('an unknown data set name', () => {
    expectOneLineFailure(hourglass('train', spec, '--data', 'cifar-1000', '--out', join(tmp, 'r-unknown')), 'cifar-1000', /mnist/);
  });

  const idxHeader = (magic: number, dims: number[]) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
    return b;
  };

  test('a truncated IDX file', () => {
    const f = join(tmp, 'trunc-images-idx3-ubyte');
    writeFileSync(f, Buffer.concat([idxHeader(0x803, [10, 28, 28]), Buffer.alloc(100)]));
    expectOneLineFailure(hourglass('train', spec, '--data', f, '--out', join(tmp, 'r-trunc')), 'trunc-images-idx3-ubyte', /truncated/);
  });

  test('a corrupt gzip file', () => {
    const f = join(tmp, 'corrupt-images-idx3-ubyte.gz');
    const gz = gzipSync(Buffer.concat([idxHeader(0x803, [2, 28, 28]), Buffer.alloc(2 * 784)]));
    writeFileSync(f, gz.subarray(0, gz.length - 20));
    expectOneLineFailure(hourglass('train', spec, '--data', f, '--out', join(tmp, 'r-gz')), 'corrupt-images-idx3-ubyte.gz');
  });

  test('a wrong magic number', () => {
    const f = join(tmp, 'magic-images-idx3-ubyte');
    writeFileSync(f, Buffer.concat([idxHeader(0x1234, [1, 28, 28]), Buffer.alloc(784)]));
    expectOneLineFailure(hourglass('train', spec, '--data', f, '--out', join(tmp, 'r-magic')), 'magic-images-idx3-ubyte', /magic/);
  });

  const npy = (path: string, values: Float32Array, shape: number[]) => {
    let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
    header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
    const pre = Buffer.alloc(10);
    pre.write('\x93NUMPY', 0, 'latin1');
    pre[6] = 1;
    pre.writeUInt16LE(header.length, 8);
    writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(values.buffer)]));
  };

  test('data whose dimension does not match the model', () => {
    const f = join(tmp, 'narrow.npy');
    npy(f, new Float32Array(20 * 100).fill(0.5), [20, 100]);
    expectOneLineFailure(hourglass('train', spec, '--data', f, '--out', join(tmp, 'r-dim')), 'narrow.npy', /\[100\]/, /\[784\]/);
  });

  test('NaN in the data', () => {
    const f = join(tmp, 'nan.npy');
    const v = new Float32Array(20 * 784).fill(0.5);
    v[7 * 784 + 3] = NaN;
    npy(f, v, [20, 784]);
    expectOneLineFailure(hourglass('train', spec, '--data', f, '--out', join(tmp, 'r-nan')), 'nan.npy', /NaN|not finite/, /7/);
  });

  test('a non-writable output folder', () => {
    const file = join(tmp, 'plain-file');
    writeFileSync(file, 'x');
    expectOneLineFailure(hourglass('train', spec, '--data', 'mnist', '--epochs', '1', '--out', join(file, 'run')), 'plain-file/run', /cannot write/);
  });

  test('an existing run directory without --resume or --force keeps its files', () => {
    const dir = join(tmp, 'existing');
    mkdirSync(dir);
    writeFileSync(join(dir, 'metrics.jsonl'), 'precious\n');
    const before = statSync(join(dir, 'metrics.jsonl')).mtimeMs;
    expectOneLineFailure(hourglass('train', spec, '--data', 'mnist', '--out', dir), 'existing', /--resume/, /--force/);
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')).toBe('precious\n');
    expect(statSync(join(dir, 'metrics.jsonl')).mtimeMs).toBe(before);
  });

  test('a bad option value', () => {
    const r = hourglass('train', spec, '--data', 'mnist', '--out', join(tmp, 'r-opt'), '--epochs', 'many');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('--epochs');
  });
});

describe('hourglass train --resume after SIGKILL', () => {
  test('ends with exactly the weights of an uninterrupted run', async () => {
    const args = (out: string) => ['train', spec, '--data', 'mnist', '--epochs', '2', '--batch', '100', '--threads', '1', '--checkpoint-every', '10', '--seed', '3', '--out', out];
    const straight = join(tmp, 'straight');
    expect(hourglass(...args(straight)).code).toBe(0);

    const killed = join(tmp, 'killed');
    const child = spawn(process.execPath, [bin, ...args(killed)], { cwd: repo, stdio: 'ignore' });
    // Kill it once a mid-run checkpoint exists (polling the file, bounded in time).
    const ckpt = join(killed, 'checkpoint.hgck');
    const started = Date.now();
    await new Promise<void>((done, fail) => {
      const poll = setInterval(() => {
        const c = existsSync(ckpt) ? readCheckpoint(ckpt) : null;
        if (c && E.isRight(c) && c.right.meta.step >= 20) {
          clearInterval(poll);
          child.kill('SIGKILL');
          done();
        } else if (Date.now() - started > 60_000) {
          clearInterval(poll);
          child.kill('SIGKILL');
          fail(new Error('no mid-run checkpoint within 60 s'));
        }
      }, 20);
    });
    await new Promise((r) => child.on('exit', r));
    expect(child.signalCode).toBe('SIGKILL');

    // SIGKILL leaves the run's lock: the next writer is refused with the command that clears it.
    const refused = hourglass(...args(killed), '--resume');
    expect(refused.code, refused.err).toBe(EXIT.busy);
    expect(refused.err).toContain(`no longer running`);
    expect(refused.err).toContain(`rm ${lockPath(killed)}`);
    rmSync(lockPath(killed));

    const resumed = hourglass(...args(killed), '--resume');
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toMatch(/resuming .* at step \d+/);
    const a = readCheckpoint(join(straight, 'checkpoint.hgck'));
    const b = readCheckpoint(ckpt);
    if (E.isLeft(a) || E.isLeft(b)) throw new Error('unreadable checkpoint');
    expect(b.right.meta.step).toBe(a.right.meta.step);
    for (const [name, t] of Object.entries(a.right.tensors))
      expect(Buffer.from(b.right.tensors[name].buffer).equals(Buffer.from(t.buffer)), name).toBe(true);
    const metrics = (dir: string) =>
      readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => ({ ...JSON.parse(l), seconds: 0 }));
    expect(metrics(killed)).toEqual(metrics(straight));
  });
});
