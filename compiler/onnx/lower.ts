// Lower an IR graph to a serialised ONNX model: keep only the nodes the outputs need (dead-code
// elimination), lower each through its primitive's rule, and pin opset 17 / IR version 8.
import type onnxProto from 'onnx-proto';
import type { Graph } from '../ir/graph';
import type { Val } from '../ir/val';
import { opDef } from '../ops/registry';
import { CompilerBug, type TensorType } from '../ir/types';
import { Emitter, onnx, onnxDType } from './emitter';

export const OPSET = 17;
export const IR_VERSION = 8;

export interface NamedVal {
  readonly name: string;
  readonly val: Val;
}

const valueInfo = (name: string, t: TensorType): onnxProto.onnx.ValueInfoProto =>
  onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnxDType(t.dtype),
        shape: { dim: t.shape.map((d) => (d === 'B' ? { dimParam: 'batch' } : { dimValue: d })) },
      },
    },
  });

/** Ids of the nodes that `outputs` depend on. */
export const liveNodes = (g: Graph, outputs: readonly Val[]): Set<number> => {
  const live = new Set(outputs.map((o) => o.id));
  for (let id = g.nodes.length - 1; id >= 0; id--) if (live.has(id)) g.node(id).inputs.forEach((i) => live.add(i));
  return live;
};

export interface LowerOptions {
  readonly graphName: string;
  /** Graph inputs to declare; by default every declared input that the outputs use. */
  readonly inputs?: readonly string[];
  readonly docString?: string;
}

export const lowerToModel = (g: Graph, outputs: readonly NamedVal[], opts: LowerOptions): onnxProto.onnx.ModelProto => {
  const live = liveNodes(g, outputs.map((o) => o.val));
  const declared = opts.inputs
    ? opts.inputs.map((n) => g.findInput(n) ?? fail(`unknown input ${n}`))
    : g.inputs.filter((i) => live.has(i.id));
  const e = new Emitter();
  const names = new Map<number, string>();
  declared.forEach((i) => {
    e.reserve(i.name);
    names.set(i.id, i.name);
  });
  const outputOf = new Map<number, string[]>();
  outputs.forEach((o) => outputOf.set(o.val.id, [...(outputOf.get(o.val.id) ?? []), o.name]));

  for (const node of g.nodes) {
    if (!live.has(node.id) || node.tag === 'input') continue;
    e.hint = node.path.replace(/[^A-Za-z0-9_.]/g, '_') || 'v';
    const before = e.nodes.length;
    const ins = node.inputs.map((i) => names.get(i) ?? fail(`input ${i} of node ${node.id} (${node.tag}) is not bound`));
    const def = opDef(node.tag) as unknown as { lower: (e: Emitter, ins: readonly string[], ctx: unknown) => string };
    let name = def.lower(e, ins, { attrs: node.attrs, inTypes: node.inputs.map((i) => g.node(i).type), out: node.type });
    // Name the producing node's output after the graph output directly, saving an Identity.
    const wanted = outputOf.get(node.id)?.[0];
    const last = e.nodes[e.nodes.length - 1];
    if (wanted && e.nodes.length > before && last.output.length === 1 && last.output[0] === name) {
      e.reserve(wanted);
      last.output[0] = wanted;
      last.name = `${wanted}/${last.opType}`;
      name = wanted;
    }
    names.set(node.id, name);
  }

  const graphOutputs = outputs.map((o) => {
    const bound = names.get(o.val.id) ?? fail(`output ${o.name} is not bound`);
    if (bound !== o.name) e.op('Identity', [bound], {}, o.name);
    return valueInfo(o.name, o.val.type);
  });

  const graph = onnx.GraphProto.create({
    name: opts.graphName,
    node: e.nodes,
    initializer: e.initializers,
    input: declared.map((i) => valueInfo(i.name, g.node(i.id).type)),
    output: graphOutputs,
    docString: opts.docString ?? '',
  });
  return onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'hourglass',
    producerVersion: '0.1.0',
    graph,
  });
};

export const serialise = (m: onnxProto.onnx.ModelProto): Uint8Array => onnx.ModelProto.encode(m).finish();

export const lowerToBytes = (g: Graph, outputs: readonly NamedVal[], opts: LowerOptions): Uint8Array =>
  serialise(lowerToModel(g, outputs, opts));

const fail = (msg: string): never => {
  throw new CompilerBug(msg);
};

