// Does onnxruntime-node's session.run leave the main thread free? (Lever 1 of issue 25 assumed
// so.) A 1 ms interval counts its ticks during one fused call: a free main thread ticks about once
// per millisecond; onnxruntime-node 1.30 (native run inside setImmediate) gives ~1 tick.
// Usage: tsx bench/runBlocking.ts [BATCH=1024] [S=16]
import * as E from 'fp-ts/Either';
import { compileModel } from '../compiler/compile';
import { openTrainer } from '../runtime/host/trainer';
import { BENCH_MODELS } from './models';

const [batch, steps] = process.argv.slice(2).map(Number);
const B = batch || 1024;
const S = steps || 16;
const c = compileModel(BENCH_MODELS.vae.def(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
if (E.isLeft(c)) throw new Error(c.left.message);
const t = await openTrainer(c.right, { seed: 0, threads: 2 });
const xs = new Float32Array(S * B * 784).fill(0.5);
await t.stepMany(xs, B, S);
let ticks = 0;
const iv = setInterval(() => ticks++, 1);
const t0 = performance.now();
await t.stepMany(xs, B, S);
const ms = performance.now() - t0;
clearInterval(iv);
console.log(`one fused call (VAE b${B}, S ${S}): ${ms.toFixed(0)} ms; a 1 ms interval ticked ${ticks} times during it`);
