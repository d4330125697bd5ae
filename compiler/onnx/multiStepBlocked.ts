// The fused graph with k train steps written out in each Loop iteration (S/k iterations): on
// CUDA onnxruntime brings the Loop's condition back to the host and synchronises after every
// iteration, so k steps per iteration sync once per k steps. The condition is passed straight
// through (the body's output is its input), without the Identity a copy each way. Same inputs
// and outputs as multiStepModel; S must be a multiple of k (onnxruntime's Loop runs S/k times).
import type onnxProto from 'onnx-proto';
import { CompilerBug } from '../ir/types';
import { onnx } from './emitter';
import { IR_VERSION, OPSET } from './lower';
import { perStepName, stackedName, STEPS_DIM, type MultiStepSpec } from './multiStep';

const T = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;
const i64 = (name: string, v: number[], dims: number[]) => onnx.TensorProto.create({ name, dims, dataType: T.INT64, int64Data: v });
const scalarInfo = (name: string, elemType: number) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: { dim: [] } } } });
const node = (opType: string, input: string[], output: string[], attribute: onnxProto.onnx.IAttributeProto[] = []) =>
  onnx.NodeProto.create({ opType, name: `${output[0]}/${opType}`, input, output, attribute });

export const blockedMultiStepModel = (step: onnxProto.onnx.IModelProto, spec: MultiStepSpec, k: number): onnxProto.onnx.ModelProto => {
  const g = step.graph;
  if (!g || !(k >= 1 && Number.isInteger(k))) throw new CompilerBug('blocked multi-step needs a train step and an integer k >= 1');
  const inputs = new Map((g.input ?? []).map((i) => [i.name!, i]));
  const outputs = new Map((g.output ?? []).map((o) => [o.name!, o]));
  const must = <V>(m: Map<string, V>, key: string): V => m.get(key) ?? (() => { throw new CompilerBug(`train step has no ${key}`); })();
  const shared = new Set(spec.shared);
  const inits = new Set((g.initializer ?? []).map((t) => t.name!));
  const stacked = new Set(spec.stacked);
  const carriedIn = new Map(spec.carry.map((c) => [c.input, c.output]));
  // Step j's name for a train-step value: carried inputs come from step j − 1 (the body's inputs at j = 0).
  const local = (name: string, j: number): string =>
    name === '' || shared.has(name) ? name
    : inits.has(name) ? `step/${name}`
    : carriedIn.has(name) ? (j === 0 ? `step/${name}` : `step/${j - 1}/${carriedIn.get(name)}`)
    : stacked.has(name) ? `step/${j}/${name}`
    : `step/${j}/${name}`;
  const iter = 'step/iteration';
  const cond = 'step/cond';
  const body: onnxProto.onnx.NodeProto[] = [node('Mul', [iter, 'step/k'], ['step/first'])];
  for (let j = 0; j < k; j++) {
    const idx = j === 0 ? 'step/first' : `step/${j}/index`;
    if (j > 0) body.push(node('Add', ['step/first', `step/j${j}`], [idx]));
    for (const s of spec.stacked) body.push(node('Gather', [stackedName(s), idx], [local(s, j)], [{ name: 'axis', type: AT.INT, i: 0 }]));
    for (const n of g.node ?? []) body.push(onnx.NodeProto.create({ ...n, name: `step/${j}/${n.name ?? ''}`, input: (n.input ?? []).map((x) => local(x, j)), output: (n.output ?? []).map((x) => local(x, j)) }));
  }
  for (const o of spec.perStep) {
    const parts = Array.from({ length: k }, (_, j) => {
      body.push(node('Unsqueeze', [local(o, j), 'step/axis0'], [`step/${j}/${o}/1`]));
      return `step/${j}/${o}/1`;
    });
    body.push(node('Concat', parts, [`step/${o}/k`], [{ name: 'axis', type: AT.INT, i: 0 }]));
  }
  const typeOf = (info: onnxProto.onnx.IValueInfoProto, name: string, lead: onnxProto.onnx.TensorShapeProto.IDimension[] = []) => {
    const t = info.type?.tensorType;
    if (!t?.shape) throw new CompilerBug(`value ${info.name} has no tensor type`);
    return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: t.elemType, shape: { dim: [...lead, ...(t.shape.dim ?? [])] } } } });
  };
  const last = (o: string) => local(o, k - 1);
  const bodyGraph = onnx.GraphProto.create({
    name: `${g.name}.body${k}`,
    node: body,
    initializer: [
      ...(g.initializer ?? []).map((t) => onnx.TensorProto.create({ ...t, name: `step/${t.name}` })),
      i64('step/k', [k], []),
      i64('step/axis0', [0], [1]),
      ...Array.from({ length: k - 1 }, (_, j) => i64(`step/j${j + 1}`, [j + 1], [])),
    ],
    input: [scalarInfo(iter, T.INT64), scalarInfo(cond, T.BOOL), ...spec.carry.map((c) => typeOf(must(inputs, c.input), `step/${c.input}`))],
    output: [
      scalarInfo(cond, T.BOOL),
      ...spec.carry.map((c) => typeOf(must(outputs, c.output), last(c.output))),
      ...spec.perStep.map((o) => typeOf(must(outputs, o), `step/${o}/k`, [{ dimValue: k }])),
    ],
  });
  const first = stackedName(spec.stacked[0] ?? (() => { throw new CompilerBug('nothing is stacked'); })());
  const outer = [
    node('Shape', [first], ['steps.total'], [{ name: 'end', type: AT.INT, i: 1 }]),
    node('Div', ['steps.total', 'steps.k'], ['steps.count']),
    node('Loop', ['steps.count', 'steps.cond', ...spec.carry.map((c) => c.input)], [...spec.carry.map((c) => c.output), ...spec.perStep.map((o) => `${perStepName(o)}/blocks`)], [{ name: 'body', type: AT.GRAPH, g: bodyGraph }]),
    ...spec.perStep.map((o) => node('Reshape', [`${perStepName(o)}/blocks`, 'steps.flat'], [perStepName(o)])),
  ];
  const graph = onnx.GraphProto.create({
    name: `${g.name}s`,
    node: outer,
    initializer: [onnx.TensorProto.create({ name: 'steps.cond', dims: [], dataType: T.BOOL, rawData: Uint8Array.of(1) }), i64('steps.k', [k], [1]), i64('steps.flat', [-1], [1])],
    input: [
      ...spec.carry.map((c) => must(inputs, c.input)),
      ...spec.stacked.map((s) => typeOf(must(inputs, s), stackedName(s), [{ dimParam: STEPS_DIM }])),
      ...spec.shared.map((s) => must(inputs, s)),
    ].map((i) => onnx.ValueInfoProto.create(i)),
    output: [
      ...spec.carry.map((c) => onnx.ValueInfoProto.create(must(outputs, c.output))),
      ...spec.perStep.map((o) => typeOf(must(outputs, o), perStepName(o), [{ dimParam: STEPS_DIM }])),
    ],
  });
  return onnx.ModelProto.create({ irVersion: IR_VERSION, opsetImport: [{ domain: '', version: OPSET }], producerName: 'hourglass', producerVersion: step.producerVersion ?? '', graph });
};
