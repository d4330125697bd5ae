// What onnxruntime makes of a model's train step: the op types of its optimized graph (written
// by the session option optimizedModelFilePath), counted, so a fusion (FusedGemm = Gemm + ReLU)
// can be seen to fire. Usage: tsx bench/optimized.ts MODEL [single|fused] [COMPILER_DIR]
// COMPILER_DIR: another checkout's compiler (as bench/ab.ts's AB_REF), to compare before/after.
import { readFileSync, rmSync } from 'node:fs';
import * as E from 'fp-ts/Either';
import * as ort from 'onnxruntime-node';
import type onnxProto from 'onnx-proto';
import { compileModel } from '../compiler/compile';
import { onnx } from '../compiler/onnx/emitter';
import { BENCH_MODELS } from './models';

const [model = 'vae', which = 'single', dir] = process.argv.slice(2);
const compile = dir ? ((await import(`${dir}/compiler/compile.ts`)).compileModel as typeof compileModel) : compileModel;
const c = compile(BENCH_MODELS[model].def(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
if (E.isLeft(c)) throw new Error(c.left.message);
const m = c.right.manifest;
const bytes = c.right.files[which === 'fused' ? m.multiStep.file : m.artifacts.train_step.file];
const out = `/tmp/hourglass-optimized-${process.pid}.onnx`;
const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', optimizedModelFilePath: out });
await s.release();
const counts: Record<string, number> = {};
const walk = (g: onnxProto.onnx.IGraphProto) => {
  for (const n of g.node ?? []) {
    const key = `${n.domain ? `${n.domain}:` : ''}${n.opType}${n.opType === 'FusedGemm' ? `(${(n.attribute ?? []).find((a) => a.name === 'activation')?.s ? Buffer.from((n.attribute ?? []).find((a) => a.name === 'activation')!.s as Uint8Array).toString() : '?'})` : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
    for (const a of n.attribute ?? []) if (a.g) walk(a.g);
  }
};
walk(onnx.ModelProto.decode(readFileSync(out)).graph!);
rmSync(out);
console.log(`${model} ${which}${dir ? ` (compiler ${dir})` : ''}: ${Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
