// Lever 5 of issue 25, measured before building it into the compiler: one Adam update (the
// compiler's 12 elementwise passes) over a parameter tensor, whole, against the same update with
// m and v carried as chunks (`chunk` floats each) so that onnxruntime can run each chunk's 12
// passes while the chunk is in cache; the gradient is split and the new weight concatenated once
// (2 extra passes). Interleaved repetitions, CPU time per update; outputs compared bit for bit.
// Usage: tsx bench/adamChunks.ts [N=313600] [CHUNK=16384,65536] [THREADS=1] [UPDATES=200] [REPS=7]
import * as ort from 'onnxruntime-node';
import type onnxProto from 'onnx-proto';
import { onnx } from '../compiler/onnx/emitter';

const [nS = '313600', chunksS = '16384,65536', threadsS = '1', updatesS = '200', repsS = '7'] = process.argv.slice(2);
const [N, threads, updates, reps] = [nS, threadsS, updatesS, repsS].map(Number);
const T = onnx.TensorProto.DataType.FLOAT;
const vec = (name: string, n: number) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: T, shape: { dim: [{ dimValue: n }] } } } });
const f = (name: string, v: number) => onnx.TensorProto.create({ name, dims: [], dataType: T, floatData: [v] });
const node = (op: string, input: string[], output: string, attribute: onnxProto.onnx.IAttributeProto[] = []) => onnx.NodeProto.create({ opType: op, input, output: [output], name: output, attribute });

/** The compiler's Adam (compiler/optim/rules.ts) on one piece: 12 passes. */
const update = (s: string, p: string, g: string, m: string, v: string, out: { p: string; m: string; v: string }) => [
  node('Mul', [m, 'b1'], `${s}m1`), node('Mul', [g, 'c1'], `${s}m2`), node('Add', [`${s}m1`, `${s}m2`], out.m),
  node('Mul', [g, g], `${s}g2`), node('Mul', [v, 'b2'], `${s}v1`), node('Mul', [`${s}g2`, 'c2'], `${s}v2`), node('Add', [`${s}v1`, `${s}v2`], out.v),
  node('Mul', [out.m, 'alpha'], `${s}num`), node('Sqrt', [out.v], `${s}rt`), node('Add', [`${s}rt`, 'eps'], `${s}den`), node('Div', [`${s}num`, `${s}den`], `${s}step`), node('Sub', [p, `${s}step`], out.p),
];
const consts = [f('b1', 0.9), f('c1', 0.1), f('b2', 0.999), f('c2', 0.001), f('alpha', 1e-3), f('eps', 1e-8)];
const model = (nodes: onnxProto.onnx.NodeProto[], input: onnxProto.onnx.ValueInfoProto[], output: onnxProto.onnx.ValueInfoProto[], extra: onnxProto.onnx.TensorProto[] = []) =>
  onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: onnx.GraphProto.create({ name: 'adam', node: nodes, input, output, initializer: [...consts, ...extra] }) })).finish();

const whole = model(update('', 'p', 'g', 'm', 'v', { p: 'p.next', m: 'm.next', v: 'v.next' }), ['p', 'g', 'm', 'v'].map((n) => vec(n, N)), ['p.next', 'm.next', 'v.next'].map((n) => vec(n, N)));
const chunked = (chunk: number) => {
  const sizes = Array.from({ length: Math.ceil(N / chunk) }, (_, i) => Math.min(chunk, N - i * chunk));
  const ids = sizes.map((_, i) => i);
  const split = (x: string) => node('Split', [x, 'sizes'], '', []);
  const nodes: onnxProto.onnx.NodeProto[] = [];
  for (const x of ['p', 'g']) nodes.push(onnx.NodeProto.create({ ...split(x), name: `${x}/Split`, output: ids.map((i) => `${x}.${i}`) }));
  for (const i of ids) nodes.push(...update(`c${i}/`, `p.${i}`, `g.${i}`, `m.${i}`, `v.${i}`, { p: `p.next.${i}`, m: `m.next.${i}`, v: `v.next.${i}` }));
  nodes.push(onnx.NodeProto.create({ opType: 'Concat', name: 'p.next/Concat', input: ids.map((i) => `p.next.${i}`), output: ['p.next'], attribute: [{ name: 'axis', type: 2, i: 0 }] }));
  const sizesT = onnx.TensorProto.create({ name: 'sizes', dims: [sizes.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: sizes });
  return {
    sizes,
    bytes: model(nodes, [vec('p', N), vec('g', N), ...ids.flatMap((i) => [vec(`m.${i}`, sizes[i]), vec(`v.${i}`, sizes[i])])], [vec('p.next', N), ...ids.flatMap((i) => [vec(`m.next.${i}`, sizes[i]), vec(`v.next.${i}`, sizes[i])])], [sizesT]),
  };
};

const opts: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: threads, interOpNumThreads: 1, extra: { session: { 'intra_op.allow_spinning': '0' } } };
const rand = (n: number, s: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + s) * 0.01);
const [p0, g0, m0, v0] = [1, 2, 3, 4].map((s) => rand(N, s)).map((a, i) => (i === 3 ? a.map(Math.abs) : a));
type Runner = { name: string; go: (n: number) => Promise<void>; out: () => Float32Array[]; cpu: number[] };
const runners: Runner[] = [];
{
  const s = await ort.InferenceSession.create(whole, opts);
  let st: { p: Float32Array; m: Float32Array; v: Float32Array } = { p: p0, m: m0, v: v0 };
  runners.push({
    name: 'whole', cpu: [],
    go: async (n) => { for (let i = 0; i < n; i++) { const o = await s.run({ p: new ort.Tensor('float32', st.p, [N]), g: new ort.Tensor('float32', g0, [N]), m: new ort.Tensor('float32', st.m, [N]), v: new ort.Tensor('float32', st.v, [N]) }); st = { p: o['p.next'].data as Float32Array, m: o['m.next'].data as Float32Array, v: o['v.next'].data as Float32Array }; } },
    out: () => [st.p, st.m, st.v],
  });
}
for (const chunk of chunksS.split(',').map(Number)) {
  const c = chunked(chunk);
  const s = await ort.InferenceSession.create(c.bytes, opts);
  const cut = (a: Float32Array) => c.sizes.map((_, i) => a.slice(i * chunk, i * chunk + c.sizes[i]));
  let st: { p: Float32Array; m: Float32Array[]; v: Float32Array[] } = { p: p0, m: cut(m0), v: cut(v0) };
  runners.push({
    name: `chunk ${chunk} (${(chunk * 4) / 1024} KB)`, cpu: [],
    go: async (n) => {
      for (let i = 0; i < n; i++) {
        const feeds: Record<string, ort.Tensor> = { p: new ort.Tensor('float32', st.p, [N]), g: new ort.Tensor('float32', g0, [N]) };
        c.sizes.forEach((sz, j) => { feeds[`m.${j}`] = new ort.Tensor('float32', st.m[j], [sz]); feeds[`v.${j}`] = new ort.Tensor('float32', st.v[j], [sz]); });
        const o = await s.run(feeds);
        st = { p: o['p.next'].data as Float32Array, m: c.sizes.map((_, j) => o[`m.next.${j}`].data as Float32Array), v: c.sizes.map((_, j) => o[`v.next.${j}`].data as Float32Array) };
      }
    },
    out: () => { const join = (xs: Float32Array[]) => { const r = new Float32Array(N); let o = 0; for (const x of xs) { r.set(x, o); o += x.length; } return r; }; return [st.p, join(st.m), join(st.v)]; },
  });
}
for (const r of runners) await r.go(3);
const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
for (const r of runners.slice(1)) console.log(`${r.name}: after 3 updates ${r.out().every((x, i) => same(x, runners[0].out()[i])) ? 'bit-identical to whole' : 'DIFFERS from whole'}`);
for (let k = 0; k < reps; k++)
  for (const r of runners) {
    const c0 = process.cpuUsage();
    await r.go(updates);
    const c1 = process.cpuUsage(c0);
    r.cpu.push((c1.user + c1.system) / 1000 / updates);
  }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const r of runners) console.log(`N ${N}, ${threads} thread(s), ${r.name.padEnd(20)} CPU ${median(r.cpu).toFixed(3)} ms/update, ratio ${median(r.cpu.map((x, i) => runners[0].cpu[i] / x)).toFixed(3)}`);
