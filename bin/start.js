#!/usr/bin/env node
// Quick start (`npm start`): train an example family on the embedded MNIST digits through the
// `hourglass` command, into runs/<family> (replaced on each run).
//   npm start                      the VAE, 5 epochs
//   npm start -- k-sparse 3        another family, 3 epochs
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [family = 'vae', epochs = '5', ...rest] = process.argv.slice(2);
const spec = fileURLToPath(new URL(`../examples/${family}.ts`, import.meta.url));
if (!/^[a-z][a-z0-9-]*$/.test(family) || !existsSync(spec) || !/^[1-9]\d*$/.test(epochs)) {
  console.error('usage: npm start -- [vae|beta-vae|mmd-vae|k-sparse|deep-ae|linear-ae|dense-ae|conv-ae] [epochs ≥ 1] [more hourglass train options]');
  process.exit(2);
}
process.argv = [process.argv[0], 'hourglass', 'train', spec, '--data', 'mnist', '--epochs', epochs, '--out', `runs/${family}`, '--force', ...rest];
await import('./hourglass.js');
