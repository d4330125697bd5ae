// The TensorFlow.js peer for bench/web.ts: the same VAE (784-400-20-400-784, Bernoulli decoder,
// ELBO = reconstruction + KL, Adam 1e-3, batch 128) written in tfjs-core and trained on its wasm
// backend in Node: what a browser page gets from tfjs's CPU path without rewriting for WebGL.
// Usage: tsx bench/peer_tfjs.ts BATCH STEPS REPS → one JSON line with steps/s per repetition.
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../runtime/core/random';

const [batch, steps, reps] = process.argv.slice(2).map(Number);
setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend unavailable');
await tf.ready();

const rng = Rng.seeded(0);
const glorot = (fanIn: number, fanOut: number) => {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const v = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < v.length; i++) v[i] = (2 * rng.uniform() - 1) * limit;
  return tf.variable(tf.tensor2d(v, [fanIn, fanOut]));
};
const zeros = (n: number) => tf.variable(tf.zeros([n]));
const LATENT = 20;
const W1 = glorot(784, 400), b1 = zeros(400);
const Wm = glorot(400, LATENT), bm = zeros(LATENT);
const Wv = glorot(400, LATENT), bv = zeros(LATENT);
const W2 = glorot(LATENT, 400), b2 = zeros(400);
const W3 = glorot(400, 784), b3 = zeros(784);
const vars = [W1, b1, Wm, bm, Wv, bv, W2, b2, W3, b3];
const opt = tf.train.adam(1e-3);

const data = new Float32Array(8 * batch * 784);
for (let i = 0; i < data.length; i++) data[i] = rng.uniform();

const step = (i: number) => {
  const x = tf.tensor2d(data.subarray((i % 8) * batch * 784, ((i % 8) + 1) * batch * 784), [batch, 784]);
  const eps = tf.randomNormal([batch, LATENT]);
  const cost = opt.minimize(
    () => {
      const h = tf.relu(tf.add(tf.matMul(x, W1), b1));
      const mu = tf.add(tf.matMul(h, Wm), bm);
      const logVar = tf.add(tf.matMul(h, Wv), bv);
      const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
      const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(z, W2), b2)), W3), b3);
      // Bernoulli negative log-likelihood from logits, summed over pixels: max(l,0) - l·x + log(1 + e^-|l|).
      const nll = tf.sum(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))), 1);
      const kl = tf.mul(tf.sum(tf.sub(tf.sub(tf.add(logVar, 1), tf.square(mu)), tf.exp(logVar)), 1), -0.5);
      return tf.mean(tf.add(nll, kl)) as tf.Scalar;
    },
    true,
    vars,
  );
  const value = cost!.dataSync()[0];
  tf.dispose([x, eps, cost!]);
  return value;
};

for (let i = 0; i < 5; i++) step(i);
const rates: number[] = [];
let last = 0;
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) last = step(i);
  rates.push(steps / ((performance.now() - t0) / 1000));
}
if (!Number.isFinite(last)) throw new Error(`tfjs VAE diverged: ${last}`);
console.log(JSON.stringify({ steps_per_s: rates, backend: tf.getBackend(), last_loss: last }));
