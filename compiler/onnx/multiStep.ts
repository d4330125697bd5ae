// S training steps in one graph: an ONNX Loop whose body is the single train step, carrying the
// parameters and optimizer state, reading step i's batch and noise from stacks [S, B, ...], and
// stacking each step's loss terms. The step counter `opt.t` is carried state, so it advances per
// iteration exactly as in S calls of the single step. One session.run then pays the per-call
// overhead once per S steps.
import type onnxProto from 'onnx-proto';
import { CompilerBug } from '../ir/types';
import { onnx } from './emitter';
import { IR_VERSION, OPSET } from './lower';

export interface MultiStepSpec {
  /** Train-step inputs fed per step (the batch `x`, the noise): stacked along a new leading axis. */
  readonly stacked: readonly string[];
  /** Train-step inputs shared by every step (the learning rate): read from the outer scope. */
  readonly shared: readonly string[];
  /** Train-step output -> the input it becomes at the next step (parameters, optimizer state). */
  readonly carry: readonly { readonly output: string; readonly input: string }[];
  /** Per-step scalar outputs (loss and terms), stacked into [S] outputs named `steps.<name>`. */
  readonly perStep: readonly string[];
}

export const STEPS_DIM = 'steps';
export const stackedName = (input: string): string => `steps.${input}`;
export const perStepName = (output: string): string => `steps.${output}`;

const T = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;

export const scalarInfo = (name: string, elemType: number): onnxProto.onnx.ValueInfoProto =>
  onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: { dim: [] } } } });

export const renamedInfo = (info: onnxProto.onnx.IValueInfoProto, name: string): onnxProto.onnx.ValueInfoProto =>
  onnx.ValueInfoProto.create({ ...info, name });

/** The same tensor type with a leading dimension (the steps axis, or a fixed size). */
export const withLeading = (info: onnxProto.onnx.IValueInfoProto, name: string, lead: onnxProto.onnx.TensorShapeProto.IDimension): onnxProto.onnx.ValueInfoProto => {
  const t = info.type?.tensorType;
  if (!t?.shape) throw new CompilerBug(`value ${info.name} has no tensor type`);
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: t.elemType, shape: { dim: [lead, ...(t.shape.dim ?? [])] } } } });
};

/**
 * The body of a Loop that runs one step per iteration. Every name the step defines gets `prefix`,
 * so the body never shadows a name of the scopes around it; `shared` step inputs are read from an
 * enclosing scope under the name they have there; each stacked input is gathered (axis 0, by the
 * iteration number) from a stack in scope. Body inputs: iteration, condition, the carried inputs;
 * outputs: condition, the carry outputs, the per-step outputs (all under the prefix).
 */
export interface StepLoopBody {
  readonly prefix: string;
  readonly stacked: readonly { readonly input: string; readonly from: string }[];
  readonly shared: ReadonlyMap<string, string>;
  readonly carry: readonly { readonly output: string; readonly input: string }[];
  readonly perStep: readonly string[];
}

export const stepLoopBody = (g: onnxProto.onnx.IGraphProto, b: StepLoopBody): onnxProto.onnx.GraphProto => {
  const inputs = new Map((g.input ?? []).map((i) => [i.name!, i]));
  const outputs = new Map((g.output ?? []).map((o) => [o.name!, o]));
  const must = <V>(m: Map<string, V>, k: string, what: string): V => m.get(k) ?? (() => { throw new CompilerBug(`train step has no ${what} ${k}`); })();
  const local = (name: string) => (name === '' ? name : b.shared.get(name) ?? `${b.prefix}${name}`);
  const iter = `${b.prefix}iteration`;
  const condIn = `${b.prefix}cond_in`;
  const condOut = `${b.prefix}cond_out`;

  const body: onnxProto.onnx.NodeProto[] = b.stacked.map(({ input, from }) =>
    onnx.NodeProto.create({ opType: 'Gather', name: `${local(input)}/Gather`, input: [from, iter], output: [local(input)], attribute: [{ name: 'axis', type: AT.INT, i: 0 }] }),
  );
  for (const n of g.node ?? []) body.push(onnx.NodeProto.create({ ...n, name: local(n.name ?? ''), input: (n.input ?? []).map(local), output: (n.output ?? []).map(local) }));
  body.push(onnx.NodeProto.create({ opType: 'Identity', name: `${condOut}/Identity`, input: [condIn], output: [condOut] }));

  return onnx.GraphProto.create({
    name: `${g.name}.body`,
    node: body,
    initializer: (g.initializer ?? []).map((t) => onnx.TensorProto.create({ ...t, name: local(t.name ?? '') })),
    input: [scalarInfo(iter, T.INT64), scalarInfo(condIn, T.BOOL), ...b.carry.map((c) => renamedInfo(must(inputs, c.input, 'input'), local(c.input)))],
    output: [
      scalarInfo(condOut, T.BOOL),
      ...b.carry.map((c) => renamedInfo(must(outputs, c.output, 'output'), local(c.output))),
      ...b.perStep.map((o) => renamedInfo(must(outputs, o, 'output'), local(o))),
    ],
  });
};

/** A Loop node whose trip count is the leading size of `firstStacked` (Shape, a 1-element tensor, which onnxruntime's Loop reads as M). */
export const loopNodes = (name: string, firstStacked: string, cond: string, carried: readonly string[], outputs: readonly string[], body: onnxProto.onnx.GraphProto): onnxProto.onnx.NodeProto[] => [
  // A Squeeze between Shape and Loop would be integer work on a shape, which onnxruntime keeps on the CPU.
  onnx.NodeProto.create({ opType: 'Shape', name: `${name}.count/Shape`, input: [firstStacked], output: [`${name}.count`], attribute: [{ name: 'end', type: AT.INT, i: 1 }] }),
  onnx.NodeProto.create({ opType: 'Loop', name: `${name}/Loop`, input: [`${name}.count`, cond, ...carried], output: [...outputs], attribute: [{ name: 'body', type: AT.GRAPH, g: body }] }),
];

export const multiStepModel = (step: onnxProto.onnx.IModelProto, spec: MultiStepSpec): onnxProto.onnx.ModelProto => {
  const g = step.graph;
  if (!g) throw new CompilerBug('train step has no graph');
  const inputs = new Map((g.input ?? []).map((i) => [i.name!, i]));
  const outputs = new Map((g.output ?? []).map((o) => [o.name!, o]));
  const must = <V>(m: Map<string, V>, k: string, what: string): V => m.get(k) ?? (() => { throw new CompilerBug(`train step has no ${what} ${k}`); })();

  const bodyGraph = stepLoopBody(g, {
    prefix: 'step/',
    stacked: spec.stacked.map((input) => ({ input, from: stackedName(input) })),
    shared: new Map(spec.shared.map((n) => [n, n])),
    carry: spec.carry,
    perStep: spec.perStep,
  });
  const firstStacked = stackedName(spec.stacked[0] ?? fail('nothing is stacked'));
  const graph = onnx.GraphProto.create({
    name: `${g.name}s`,
    node: loopNodes('steps', firstStacked, 'steps.cond', spec.carry.map((c) => c.input), [...spec.carry.map((c) => c.output), ...spec.perStep.map(perStepName)], bodyGraph),
    initializer: [condTrue('steps.cond')],
    input: [
      ...spec.carry.map((c) => must(inputs, c.input, 'input')),
      ...spec.stacked.map((s) => withLeading(must(inputs, s, 'input'), stackedName(s), { dimParam: STEPS_DIM })),
      ...spec.shared.map((s) => must(inputs, s, 'input')),
    ].map((i) => onnx.ValueInfoProto.create(i)),
    output: [
      ...spec.carry.map((c) => onnx.ValueInfoProto.create(must(outputs, c.output, 'output'))),
      ...spec.perStep.map((o) => withLeading(must(outputs, o, 'output'), perStepName(o), { dimParam: STEPS_DIM })),
    ],
  });
  return onnx.ModelProto.create({ irVersion: IR_VERSION, opsetImport: [{ domain: '', version: OPSET }], producerName: 'hourglass', producerVersion: step.producerVersion ?? '', graph });
};

/** The Loop's condition: always true (the trip count decides). */
export const condTrue = (name: string): onnxProto.onnx.TensorProto => onnx.TensorProto.create({ name, dims: [], dataType: T.BOOL, rawData: Uint8Array.of(1) });

const fail = (msg: string): never => {
  throw new CompilerBug(msg);
};
