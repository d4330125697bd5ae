// A/B of emission or session variants of one model's train step, interleaved in one process so
// a shared machine slows them alike: each repetition times every variant in turn; the report is
// each variant's median steps/s and its median paired ratio to the first. Usage:
// tsx bench/ab.ts MODEL BATCH FUSE STEPS REPS VARIANT[,VARIANT...]
// (GAN models: bench/abGan.ts, variants single, fused.)
import * as E from 'fp-ts/Either';
import * as ort from 'onnxruntime-node';
import { compileModel } from '../compiler/compile';
import type onnxProto from 'onnx-proto';
import { onnx } from '../compiler/onnx/emitter';
import { foldTransposedMatMuls } from './gemmFold';
import { blockedMultiStepModel } from '../compiler/onnx/multiStepBlocked';
import { residentData, ROWS_INPUT } from './residentData';
import { initialValues } from '../runtime/core/init';
import { Rng } from '../runtime/core/random';
import { BENCH_MODELS } from './models';
import { abGan, GAN_AB_MODELS } from './abGan';

const [model = 'vae', batchS = '128', fuseS = '1', stepsS = '50', repsS = '5', variantsS = 'base'] = process.argv.slice(2);
const [batch, fuse, steps, reps] = [batchS, fuseS, stepsS, repsS].map(Number);
// GAN models (bench/abGan.ts): FUSE is rounds per call, STEPS rounds per repetition.
if (model in GAN_AB_MODELS) {
  await abGan(model, batch, fuse, steps, reps, variantsS.split(','));
  process.exit(0);
}
const c = compileModel(BENCH_MODELS[model].def(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
if (E.isLeft(c)) throw new Error(c.left.message);
const m = c.right.manifest;
const baseBytes = fuse === 1 ? c.right.files[m.artifacts.train_step.file] : c.right.files[m.multiStep.file];
// The same model under SGD (no optimizer state): how much of a step Adam's elementwise work is.
const sgd = compileModel(BENCH_MODELS[model].def(), { optimizer: { kind: 'sgd', lr: 1e-3, hyper: {} } });
if (E.isLeft(sgd)) throw new Error(sgd.left.message);
const sgdM = sgd.right.manifest;
const sgdBytes = () => (fuse === 1 ? sgd.right.files[sgdM.artifacts.train_step.file] : sgd.right.files[sgdM.multiStep.file]);

const gemm = (bytes: Uint8Array): Uint8Array => {
  const mp = onnx.ModelProto.decode(bytes);
  const fix = (g: onnxProto.onnx.GraphProto) => {
    g.node = foldTransposedMatMuls(g.node as onnxProto.onnx.NodeProto[], new Set(g.output.map((o) => o.name as string)));
    for (const n of g.node) for (const a of n.attribute ?? []) if (a.g) fix(a.g as onnxProto.onnx.GraphProto);
  };
  fix(mp.graph as onnxProto.onnx.GraphProto);
  return onnx.ModelProto.encode(mp).finish();
};
const base: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: 2, interOpNumThreads: 1 };
// `ref`: the same model compiled by another checkout's compiler (AB_REF=/path/to/checkout), so a
// compiler change is measured against its parent interleaved in one process.
const refBytes = async (): Promise<Uint8Array> => {
  const dir = process.env.AB_REF;
  if (!dir) throw new Error('variant ref needs AB_REF=/path/to/checkout');
  const cm = (await import(`${dir}/compiler/compile.ts`)).compileModel as typeof compileModel;
  const r = cm(BENCH_MODELS[model].def(), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
  if (E.isLeft(r)) throw new Error(r.left.message);
  return fuse === 1 ? r.right.files[r.right.manifest.artifacts.train_step.file] : r.right.files[r.right.manifest.multiStep.file];
};
// `unroll`: the fused graph with the S steps written out one after another (no Loop), so
// onnxruntime plans every step's memory once instead of setting up the body per iteration.
const unrolled = (): Uint8Array => {
  const step = onnx.ModelProto.decode(c.right.files[m.artifacts.train_step.file]);
  const multi = onnx.ModelProto.decode(baseBytes);
  const g = step.graph as onnxProto.onnx.GraphProto;
  const inputs = new Set(g.input.map((i) => i.name as string));
  const inits = new Set(g.initializer.map((t) => t.name as string));
  const cur = new Map<string, string>([...inputs].map((n) => [n, n]));
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const perStep = new Map<string, string[]>(m.multiStep.perStep.map((p) => [p.output, []]));
  const i64 = (name: string, v: number[], dims: number[]) => onnx.TensorProto.create({ name, dims, dataType: 7, int64Data: v });
  const extra: onnxProto.onnx.ITensorProto[] = [i64('unroll/axes0', [0], [1])];
  for (let i = 0; i < fuse; i++) {
    extra.push(i64(`s${i}/idx`, [i], []));
    for (const st of m.multiStep.stacked) {
      nodes.push({ opType: 'Gather', input: [st.name, `s${i}/idx`], output: [`s${i}/${st.input}`], attribute: [{ name: 'axis', type: 2, i: 0 }] });
      cur.set(st.input, `s${i}/${st.input}`);
    }
    const name = (n: string) => (n === '' ? n : inputs.has(n) ? cur.get(n)! : inits.has(n) ? n : `s${i}/${n}`);
    for (const n of g.node) nodes.push({ ...n, name: `s${i}/${n.name}`, input: (n.input ?? []).map(name), output: (n.output ?? []).map(name) });
    for (const cr of m.carry) cur.set(cr.input, `s${i}/${cr.output}`);
    for (const [o, xs] of perStep) xs.push(`s${i}/${o}`);
  }
  for (const cr of m.carry) nodes.push({ opType: 'Identity', input: [cur.get(cr.input)!], output: [cr.output] });
  for (const p of m.multiStep.perStep) {
    const parts = perStep.get(p.output)!.map((x) => { nodes.push({ opType: 'Unsqueeze', input: [x, 'unroll/axes0'], output: [`${x}/u`] }); return `${x}/u`; });
    nodes.push({ opType: 'Concat', input: parts, output: [p.name], attribute: [{ name: 'axis', type: 2, i: 0 }] });
  }
  const mg = multi.graph as onnxProto.onnx.GraphProto;
  const graph = onnx.GraphProto.create({ name: 'unrolled', node: nodes.map((n) => onnx.NodeProto.create(n)), initializer: [...g.initializer, ...extra], input: mg.input, output: mg.output });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ ...multi, graph })).finish();
};
// `k4` etc.: k steps written out per Loop iteration (compiler/onnx/multiStepBlocked.ts), the
// condition passed straight through; FUSE must be a multiple of k.
const blocked = (k: number): Uint8Array => {
  if (fuse % k !== 0) throw new Error(`k${k} needs FUSE a multiple of ${k}`);
  const step = onnx.ModelProto.decode(c.right.files[m.artifacts.train_step.file]);
  const spec = { stacked: m.multiStep.stacked.map((st) => st.input), shared: [m.optimizer.lrInput], carry: m.carry, perStep: m.multiStep.perStep.map((p) => p.output) };
  return onnx.ModelProto.encode(blockedMultiStepModel(step, spec, k)).finish();
};
const REF = process.argv[7]?.includes('ref') || process.argv.slice(2).join(' ').includes('ref') ? await refBytes() : new Uint8Array();

type Variant = { bytes: Uint8Array; opts: ort.InferenceSession.SessionOptions; sgd?: boolean; prealloc?: boolean; noout?: boolean; resident?: boolean };
// A variant is a '+'-joined list of these, applied in turn to the base.
const CHANGES: Record<string, (v: Variant) => Variant> = {
  base: (v) => v,
  ref: (v) => ({ ...v, bytes: REF }),
  unroll: (v) => ({ ...v, bytes: unrolled() }),
  // `resident`: the batch stack gathered in-graph from the training set (an initializer) by int64
  // row indices [S, B] (bench/residentData.ts); here the 'training set' is the stack itself.
  resident: (v) => ({ ...v, bytes: residentData(v.bytes, feeds0[stackedName('x')].data as Float32Array, 784), resident: true }),
  k1: (v) => ({ ...v, bytes: blocked(1) }),
  k2: (v) => ({ ...v, bytes: blocked(2) }),
  k4: (v) => ({ ...v, bytes: blocked(4) }),
  k8: (v) => ({ ...v, bytes: blocked(8) }),
  k16: (v) => ({ ...v, bytes: blocked(16) }),
  gemm: (v) => ({ ...v, bytes: gemm(v.bytes) }),
  nospin: (v) => ({ ...v, opts: { ...v.opts, extra: { session: { ...((v.opts.extra as { session?: object } | undefined)?.session ?? {}), 'intra_op.allow_spinning': '0' } } } }),
  // onnxruntime's dynamic block scheduling of parallel loops (threads take blocks as they finish).
  dyn: (v) => ({ ...v, opts: { ...v.opts, extra: { session: { ...((v.opts.extra as { session?: object } | undefined)?.session ?? {}), 'dynamic_block_base': '4' } } } }),
  noarena: (v) => ({ ...v, opts: { ...v.opts, enableCpuMemArena: false } }),
  nopattern: (v) => ({ ...v, opts: { ...v.opts, enableMemPattern: false } }),
  extended: (v) => ({ ...v, opts: { ...v.opts, graphOptimizationLevel: 'extended' } }),
  sgd: (v) => ({ ...v, bytes: sgdBytes(), sgd: true }),
  // Diagnostic only (the state does not advance): the carried outputs are not fetched, so
  // onnxruntime skips the optimizer update too; the difference is update + output cost together.
  noout: (v) => ({ ...v, noout: true }),
  prealloc: (v) => ({ ...v, prealloc: true }),
  t1: (v) => ({ ...v, opts: { ...v.opts, intraOpNumThreads: 1 } }),
};
const variant = (name: string): Variant => name.split('+').reduce((v, c) => CHANGES[c](v), { bytes: baseBytes, opts: base });

const rng = Rng.seeded(0);
const feeds0: Record<string, ort.Tensor> = {};
for (const p of [...m.params, ...m.optimizer.state]) feeds0[p.name] = new ort.Tensor('float32', initialValues(p.init, p.shape, 'f32', rng) as Float32Array, [...p.shape]);
feeds0[m.optimizer.lrInput] = new ort.Tensor('float32', Float32Array.of(1e-3), []);
const lead = fuse === 1 ? [] : [fuse];
const stackedName = (input: string) => (fuse === 1 ? input : m.multiStep.stacked.find((st) => st.input === input)!.name);
feeds0[stackedName('x')] = new ort.Tensor('float32', new Float32Array(fuse * batch * 784).map(() => rng.uniform()), [...lead, batch, 784]);
for (const nz of m.noise) {
  const n = fuse * batch * nz.shape.reduce((a, b) => a * b, 1);
  feeds0[stackedName(`noise.${nz.name}`)] = new ort.Tensor('float32', new Float32Array(n).map(() => rng.normal()), [...lead, batch, ...nz.shape]);
}

const runs: { name: string; go: (n: number) => Promise<void>; rates: number[]; cpu: number[] }[] = [];
// Each variant's outputs for one call from the same start, compared byte for byte with the first
// variant's (variants that change the update, sgd and noout, are expected to differ).
let firstOut: Record<string, ort.Tensor> | null = null;
const sameBytes = (a: ort.Tensor, b: ort.Tensor) => Buffer.from((a.data as Float32Array).buffer, (a.data as Float32Array).byteOffset, (a.data as Float32Array).byteLength).equals(Buffer.from((b.data as Float32Array).buffer, (b.data as Float32Array).byteOffset, (b.data as Float32Array).byteLength));
for (const name of variantsS.split(',')) {
  const v = variant(name);
  const s = await ort.InferenceSession.create(v.bytes, v.opts);
  const feeds = { ...feeds0 };
  if (v.resident) {
    delete feeds[stackedName('x')];
    feeds[ROWS_INPUT] = new ort.Tensor('int64', BigInt64Array.from({ length: fuse * batch }, (_, i) => BigInt(i)), [fuse, batch]);
  }
  if (v.sgd) {
    for (const st of m.optimizer.state) if (st.name.startsWith('adam.')) delete feeds[st.name];
    for (const st of sgdM.optimizer.state) feeds[st.name] = new ort.Tensor('float32', initialValues(st.init, st.shape, 'f32', rng) as Float32Array, [...st.shape]);
  }
  const carry = v.sgd ? sgdM.carry : m.carry;
  // prealloc: the carried outputs are written into the spare one of two buffer sets (fetches),
  // so nothing is allocated or copied into JavaScript per call.
  let spare: Record<string, ort.Tensor> | null = v.prealloc ? Object.fromEntries(carry.map((cr) => { const t = feeds[cr.input]; return [cr.output, new ort.Tensor('float32', new Float32Array(t.size), t.dims)]; })) : null;
  const others = s.outputNames.filter((o) => !carry.some((cr) => cr.output === o));
  const go = async (n: number) => {
    for (let i = 0; i < n; i++) {
      if (v.noout) {
        await s.run(feeds, Object.fromEntries(others.map((o) => [o, null])));
      } else if (spare) {
        const used = spare;
        const out = await s.run(feeds, { ...used, ...Object.fromEntries(others.map((o) => [o, null])) });
        spare = Object.fromEntries(carry.map((cr) => [cr.output, feeds[cr.input]]));
        for (const cr of carry) feeds[cr.input] = out[cr.output] as ort.Tensor;
      } else {
        const out = await s.run(feeds);
        for (const cr of carry) feeds[cr.input] = out[cr.output] as ort.Tensor;
      }
    }
  };
  const once = await s.run(feeds);
  if (!firstOut) firstOut = once;
  else if (!v.sgd && !v.noout) {
    const differ = Object.keys(firstOut).filter((k) => !once[k] || !sameBytes(firstOut![k], once[k]));
    console.log(`${name}: ${differ.length ? `outputs differ from ${variantsS.split(',')[0]}: ${differ.slice(0, 5).join(', ')}${differ.length > 5 ? ', …' : ''}` : `outputs bit-identical to ${variantsS.split(',')[0]}`}`);
  }
  await go(5);
  runs.push({ name, go, rates: [], cpu: [] });
}
const calls = Math.max(1, Math.round(steps / fuse));
for (let r = 0; r < reps; r++)
  for (const v of runs) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await v.go(calls);
    const c1 = process.cpuUsage(c0);
    v.rates.push((calls * fuse) / ((performance.now() - t0) / 1000));
    // CPU time per step: on a shared machine (with spinning off) a steadier measure of the work.
    v.cpu.push((c1.user + c1.system) / 1000 / (calls * fuse));
  }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const v of runs)
  console.log(`${model} b${batch} S${fuse} ${v.name.padEnd(10)} ${median(v.rates).toFixed(1)} steps/s  ratio ${median(v.rates.map((x, i) => x / runs[0].rates[i])).toFixed(3)}; CPU ${median(v.cpu).toFixed(2)} ms/step, ratio ${median(v.cpu.map((x, i) => runs[0].cpu[i] / x)).toFixed(3)}`);
