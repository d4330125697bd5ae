// Data files: IDX (plain and gzipped) and .npy round trips, and a clear Left for every way a
// file can be damaged. numpy (beside Debian's python3-onnx) reads what we write, independently.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/Either';
import { afterAll, describe, expect } from 'vitest';
import { showDataError } from '../runtime/host/data/errors';
import { loadIdx, parseIdx } from '../runtime/host/data/idx';
import { encodeNpy, loadNpy, parseNpy, saveNpy } from '../runtime/host/data/npy';
import { resolveDataset } from '../runtime/host/data/resolve';

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const idxBytes = (shape: readonly number[], values: Uint8Array, magic = 0x800 + shape.length) => {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head.writeUInt32BE(magic, 0);
  shape.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(values)]);
};

const arbImages = fc
  .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
  .chain(([n, h, w]) => fc.tuple(fc.constant([n, h, w]), fc.uint8Array({ minLength: n * h * w, maxLength: n * h * w })));

let file = 0;
const fresh = (name: string) => join(tmp, `${file++}-${name}`);

describe('IDX', () => {
  test.prop([arbImages, fc.boolean()])('round trip, gzipped or not; images scale to [0, 1]', ([shape, values], gz) => {
    const path = fresh(gz ? 'x-images-idx3-ubyte.gz' : 'x-images-idx3-ubyte');
    const raw = idxBytes(shape, values);
    writeFileSync(path, gz ? gzipSync(raw) : raw);
    const a = loadIdx(path);
    if (E.isLeft(a)) throw new Error(showDataError(a.left));
    expect(a.right.shape).toEqual(shape);
    expect(Array.from(a.right.values)).toEqual(Array.from(values));
    const d = resolveDataset(path);
    if (E.isLeft(d)) throw new Error(showDataError(d.left));
    expect(d.right.n).toBe(shape[0]);
    expect(d.right.shape).toEqual(shape.slice(1));
    d.right.images.forEach((v, i) => expect(v).toBeCloseTo(values[i] / 255, 6));
  });

  test.prop([arbImages, fc.nat()])('any truncation is a Left that says "truncated"', ([shape, values], cut) => {
    const raw = idxBytes(shape, values);
    const at = cut % raw.length;
    const r = parseIdx('f', raw.subarray(0, at));
    expect(E.isLeft(r)).toBe(true);
    if (E.isLeft(r)) expect(r.left.message).toMatch(at < 4 ? /truncated|magic/ : /truncated/);
  });

  test.prop([arbImages, fc.integer({ min: 0, max: 0xffffffff })])('a wrong magic number is named as such', ([shape, values], magic) => {
    fc.pre(magic >>> 16 !== 0 || ![0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e].includes((magic >>> 8) & 0xff) || (magic & 0xff) === 0);
    const r = parseIdx('f', idxBytes(shape, values, magic));
    expect(E.isLeft(r) && r.left.message).toMatch(/wrong magic number/);
  });

  test('a corrupt gzip stream names the file', () => {
    const path = fresh('bad-images-idx3-ubyte.gz');
    const gz = gzipSync(idxBytes([2, 3, 3], new Uint8Array(18)));
    gz[gz.length - 6] ^= 0xff; // damage the CRC
    writeFileSync(path, gz);
    const r = loadIdx(path);
    expect(E.isLeft(r) && showDataError(r.left)).toMatch(new RegExp(`^${path}: corrupt gzip`));
  });

  test('labels beside the images are read and checked against the image count', () => {
    const images = fresh('pair-images-idx3-ubyte');
    writeFileSync(images, idxBytes([3, 2, 2], new Uint8Array(12)));
    writeFileSync(images.replace('-images-idx3-', '-labels-idx1-'), idxBytes([3], Uint8Array.of(4, 0, 9)));
    const d = resolveDataset(images);
    expect(E.isRight(d) && Array.from(d.right.labels ?? [])).toEqual([4, 0, 9]);
    writeFileSync(images.replace('-images-idx3-', '-labels-idx1-'), idxBytes([2], Uint8Array.of(4, 0)));
    const bad = resolveDataset(images);
    expect(E.isLeft(bad) && showDataError(bad.left)).toMatch(/labels-idx1-ubyte: has shape \[2\], but .* holds 3 examples/);
  });
});

describe('.npy', () => {
  const arbArray = fc
    .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 7 }))
    .chain(([n, d]) => fc.tuple(fc.constant([n, d]), fc.float32Array({ minLength: n * d, maxLength: n * d, noDefaultInfinity: true, noNaN: true })));

  test.prop([arbArray])('what we encode, we decode bit for bit', ([shape, values]) => {
    const r = parseNpy('f', encodeNpy(values, shape));
    if (E.isLeft(r)) throw new Error(showDataError(r.left));
    expect(r.right.shape).toEqual(shape);
    expect(Buffer.from(r.right.values.buffer).equals(Buffer.from(values.buffer))).toBe(true);
  });

  test.prop([arbArray, fc.nat()])('any truncation is a Left', ([shape, values], cut) => {
    const raw = encodeNpy(values, shape);
    const r = parseNpy('f', raw.subarray(0, cut % raw.length));
    expect(E.isLeft(r)).toBe(true);
  });

  const numpy = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  if (!numpy) console.warn('skipping the numpy cross-check: python3-numpy is not installed (it comes with python3-onnx)');
  test.skipIf(!numpy)('numpy reads our files, and we read numpy\'s float32, float64 and uint8 files', () => {
    const ours = fresh('ours.npy');
    saveNpy(ours, Float32Array.of(0.5, -2, 3.25, 1e-7, 7, 8), [2, 3]);
    const theirs = fresh('theirs');
    const py = `
import numpy as np, sys
a = np.load(sys.argv[1]); assert a.dtype == np.float32 and a.shape == (2, 3), (a.dtype, a.shape)
print(repr(a.tolist()))
np.save(sys.argv[2] + '-f4.npy', np.arange(12, dtype=np.float32).reshape(3, 4) / 8)
np.save(sys.argv[2] + '-f8.npy', np.arange(12, dtype=np.float64).reshape(3, 4) / 8)
np.save(sys.argv[2] + '-u1.npy', np.arange(12, dtype=np.uint8).reshape(3, 2, 2) * 20)
np.save(sys.argv[2] + '-fortran.npy', np.asfortranarray(np.ones((3, 4), dtype=np.float32)))
`;
    const r = spawnSync('/usr/bin/python3', ['-c', py, ours, theirs], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('[[0.5, -2.0, 3.25], [1.0000000116860974e-07, 7.0, 8.0]]');
    const f4 = loadNpy(`${theirs}-f4.npy`);
    const f8 = loadNpy(`${theirs}-f8.npy`);
    const u1 = resolveDataset(`${theirs}-u1.npy`);
    expect(E.isRight(f4) && Array.from(f4.right.values)).toEqual(Array.from({ length: 12 }, (_, i) => i / 8));
    expect(E.isRight(f8) && Array.from(f8.right.values)).toEqual(Array.from({ length: 12 }, (_, i) => i / 8));
    expect(E.isRight(u1) && [u1.right.n, ...u1.right.shape]).toEqual([3, 2, 2]);
    expect(E.isRight(u1) && u1.right.images[11]).toBeCloseTo(220 / 255, 6);
    const fortran = loadNpy(`${theirs}-fortran.npy`);
    expect(E.isLeft(fortran) && fortran.left.message).toMatch(/Fortran-order/);
  });
});

describe('resolving --data', () => {
  test('an unknown name lists the built-in sets', () => {
    const r = resolveDataset('cifar-1000');
    expect(E.isLeft(r) && showDataError(r.left)).toMatch(/^cifar-1000: no such data set or file .*mnist, fashion-mnist/);
  });

  test.prop([fc.integer({ min: 0, max: 19 }), fc.integer({ min: 0, max: 9 }), fc.constantFrom(NaN, Infinity, -Infinity)])(
    'a non-finite value names the file and the example',
    (example, at, bad) => {
      const v = new Float32Array(20 * 10).fill(0.25);
      v[example * 10 + at] = bad;
      const path = fresh('nonfinite.npy');
      saveNpy(path, v, [20, 10]);
      const r = resolveDataset(path);
      expect(E.isLeft(r) && showDataError(r.left)).toBe(`${path}: example ${example} holds a non-finite value (${bad}); clean the data first`);
    },
  );

  test('binarise gives {0, 1} at the 0.5 threshold', () => {
    const path = fresh('grey.npy');
    saveNpy(path, Float32Array.of(0, 0.49, 0.5, 1), [2, 2]);
    const r = resolveDataset(path, { binarise: true });
    expect(E.isRight(r) && Array.from(r.right.images)).toEqual([0, 0, 1, 1]);
  });
});
