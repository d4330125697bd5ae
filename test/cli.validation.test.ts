// State and data that are wrong are refused before they are used: damaged or implausible
// checkpoints, non-finite held-out losses, data outside a likelihood's range, oversized exported
// shapes, malformed .npy files and flags. Each: one line, a documented exit that is not 70.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { afterAll, describe, expect, test } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../runtime/host/checkpoint';
import { EXIT } from '../runtime/core/failure';
import { encodeNpy, parseNpy } from '../runtime/host/data/npy';
import { Rng } from '../runtime/core/random';
import { hourglass, repo, finishedRun } from './support/cliHarness';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-valid-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const oneLine = (r: ReturnType<typeof hourglass>, code: number, ...mentions: (string | RegExp)[]) => {
  expect(r.err.split('\n'), r.err).toHaveLength(1);
  for (const m of mentions) expect(r.err).toMatch(m);
  expect(r.code, r.err).toBe(code);
};

const writeSpec = (name: string, likelihood: 'bernoulli' | 'mse') => {
  const path = join(tmp, name);
  writeFileSync(
    path,
    `import { autoencoder, ${likelihood}, dense, flow, relu } from '${join(repo, 'dsl')}';
export default autoencoder({ name: '${likelihood}_ae', input: [784], encoder: flow(dense(16), relu, dense(2)), decoder: flow(dense(16), relu, dense(784)), likelihood: ${likelihood} })
  .objective(({ x, code, decoder }) => ({ reconstruction: ${likelihood}(decoder(code), x) }));
`,
  );
  return path;
};
const bernoulliSpec = writeSpec('bernoulli.ts', 'bernoulli');
const mseSpec = writeSpec('mse.ts', 'mse');
const N = 160;
const npy = (name: string, values: Float32Array) => {
  const path = join(tmp, name);
  writeFileSync(path, encodeNpy(values, [values.length / 784, 784]));
  return path;
};
const data = npy('small.npy', new Float32Array(N * 784).map((_, i) => ((i * 2654435761) % 1000) / 1000));
const train = (spec: string, d: string, out: string, ...more: string[]) => ['train', spec, '--data', d, '--out', out, '--batch', '32', '--threads', '1', '--no-typecheck', ...more];

// One finished run; each case works on its own copy.
const { finished, copyRun } = finishedRun(tmp, (dir) => train(bernoulliSpec, data, dir, '--epochs', '1'));

describe('checkpoints are checked before they are restored', () => {
  const tamper = (edit: (c: Checkpoint) => Checkpoint) => {
    const run = copyRun();
    const file = join(run, 'checkpoint.hgck');
    const c = decodeCheckpoint(readFileSync(file), file);
    if (E.isLeft(c)) throw new Error(c.left);
    writeFileSync(file, Buffer.concat(encodeCheckpoint(edit(c.right))));
    return { run, file };
  };
  const resume = (run: string) => hourglass(train(bernoulliSpec, data, run, '--resume', '--epochs', '2'));

  test('a negative epoch is refused, naming the field', () => {
    const { run } = tamper((c) => ({ ...c, meta: { ...c.meta, epoch: -1e6 } }));
    oneLine(resume(run), EXIT.dataErr, /checkpoint\.hgck: bad checkpoint header: epoch = -1000000/);
  });

  test("1e30 in Adam's state is refused, naming the tensor", () => {
    const { run } = tamper((c) => {
      const name = Object.keys(c.tensors).find((k) => k.startsWith('adam.m.'))!;
      const t = Float32Array.from(c.tensors[name]);
      t[0] = 1e30;
      return { ...c, tensors: { ...c.tensors, [name]: t } };
    });
    oneLine(resume(run), EXIT.dataErr, /bad checkpoint content: tensor adam\.m\.\S+\[0\] = 1\.0\d*e\+30/);
  });

  test("a negative second moment is refused", () => {
    const { run } = tamper((c) => {
      const name = Object.keys(c.tensors).find((k) => k.startsWith('adam.v.'))!;
      const t = Float32Array.from(c.tensors[name]);
      t[3] = -0.5;
      return { ...c, tensors: { ...c.tensors, [name]: t } };
    });
    oneLine(resume(run), EXIT.dataErr, /tensor adam\.v\.\S+\[3\] = -0\.5 \(a running mean of squares must be ≥ 0\)/);
  });

  test('a flipped byte fails the checksum', () => {
    const run = copyRun();
    const file = join(run, 'checkpoint.hgck');
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] ^= 0x40;
    writeFileSync(file, bytes);
    oneLine(resume(run), EXIT.dataErr, /checkpoint\.hgck: checksum mismatch/);
  });

  test('a tensor the model does not have is refused', () => {
    const { run } = tamper((c) => ({ ...c, tensors: { ...c.tensors, 'stray.W': new Float32Array(4) } }));
    oneLine(resume(run), EXIT.dataErr, /tensor stray\.W is not part of this model/);
  });
});

describe('data and losses', () => {
  test('a non-finite held-out loss is divergence: exit non-zero, no null in metrics.jsonl', () => {
    // Huge values only in the held-out examples (the split's own permutation): the training
    // losses stay finite, the held-out squared error overflows.
    const values = new Float32Array(N * 784).map((_, i) => ((i * 2654435761) % 1000) / 1000);
    const held = Rng.seeded(0x5eed).permutation(N).slice(0, Math.round(N * 0.2));
    for (const i of held) values.fill(1e30, i * 784, (i + 1) * 784);
    const out = join(tmp, 'held-out-inf');
    const r = hourglass(train(mseSpec, npy('held-huge.npy', values), out, '--epochs', '1'));
    expect(r.code, r.err).toBe(EXIT.dataErr);
    expect(r.err).toMatch(/training diverged at step \d+: held-out (loss|reconstruction) = (Infinity|NaN)/);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).not.toContain('null');
  });

  test('Bernoulli data outside [0, 1] is refused with the range and a hint; --binarise still works', () => {
    const raw = npy('raw255.npy', new Float32Array(N * 784).map((_, i) => (i * 7) % 256));
    oneLine(hourglass(train(bernoulliSpec, raw, join(tmp, 'r255'), '--epochs', '1')), EXIT.dataErr, /raw255\.npy: values range over \[0, 255\]/, /\[0, 1\]/, /divide .* by 255|--binarise/);
    const r = hourglass(train(bernoulliSpec, raw, join(tmp, 'r255b'), '--epochs', '1', '--binarise'));
    expect(r.code, r.err).toBe(0);
  });

  test('an exported model.json with a huge codeShape is refused before anything is allocated', () => {
    const run = copyRun();
    const meta = join(run, 'exported', 'model.json');
    writeFileSync(meta, JSON.stringify({ ...JSON.parse(readFileSync(meta, 'utf8')), codeShape: [1e6, 1e6] }));
    oneLine(hourglass(['sample', run, '--n', '4', '--out', join(tmp, 's.npy')]), EXIT.dataErr, /model\.json: codeShape \[1000000,1000000\] has 1000000000000 values/);
  });
});

describe('parsers', () => {
  const npyBytes = (header: string, body: Buffer, version = 1) => {
    let h = header;
    h += ' '.repeat(63 - ((10 + h.length) % 64)) + '\n';
    const pre = Buffer.alloc(10);
    pre.write('\x93NUMPY', 0, 'latin1');
    pre[6] = version;
    pre.writeUInt16LE(h.length, 8);
    return Buffer.concat([pre, Buffer.from(h, 'latin1'), body]);
  };
  const body = Buffer.alloc(2 * 3 * 4);
  const ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const msg = (b: Buffer) => {
    const r = parseNpy('x.npy', b);
    return E.isLeft(r) ? r.left.message : 'parsed';
  };

  test('.npy: well-formed parses; trailing bytes, a float size and version 9 do not', () => {
    expect(msg(npyBytes(ok, body))).toBe('parsed');
    expect(msg(npyBytes(ok, Buffer.concat([body, Buffer.alloc(5)])))).toMatch(/5 unexpected bytes after the data/);
    expect(msg(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2.0, 3), }", body))).toMatch(/corrupt \.npy shape .*non-negative integers/);
    expect(msg(npyBytes(ok, body, 9))).toMatch(/unsupported \.npy version 9\.0/);
  });

  test('.npy through the CLI: version 9 is "unsupported version", not "truncated"', () => {
    const f = join(tmp, 'v9.npy');
    writeFileSync(f, npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 784), }", Buffer.alloc(2 * 784 * 4), 9));
    oneLine(hourglass(train(bernoulliSpec, f, join(tmp, 'r-v9'))), EXIT.dataErr, /v9\.npy: unsupported \.npy version 9/);
  });

  test('--seed outside [0, 2^32) and non-decimal integers are usage errors', () => {
    for (const [flag, value] of [['--seed', '4294967296'], ['--seed', '-1'], ['--epochs', '0x1'], ['--batch', '1e2'], ['--epochs', ' 2']]) {
      const r = hourglass(train(bernoulliSpec, data, join(tmp, 'r-flags'), flag, value));
      expect(r.code, `${flag} ${value}: ${r.err}`).toBe(EXIT.usage);
      expect(r.err).toContain(flag);
    }
  });
});
