// Turn named graph inputs into initializers: a forward graph with its trained weights inside,
// loadable by any ONNX Runtime with no Hourglass code.
import { onnx, rawBytes } from './emitter';

export type Weights = Readonly<Record<string, { readonly data: Float32Array | Float64Array; readonly dims: readonly number[] }>>;

export const bakeWeights = (model: Uint8Array, weights: Weights): Uint8Array => {
  const m = onnx.ModelProto.decode(model);
  const g = m.graph!;
  const inputs = g.input ?? [];
  const baked = inputs.filter((i) => i.name! in weights);
  g.input = inputs.filter((i) => !(i.name! in weights));
  g.initializer = g.initializer ?? [];
  for (const i of baked) {
    const w = weights[i.name!];
    const dtype = w.data instanceof Float64Array ? 'f64' : 'f32';
    g.initializer.push(
      onnx.TensorProto.create({
        name: i.name!,
        dims: [...w.dims],
        dataType: i.type!.tensorType!.elemType!,
        rawData: rawBytes(Array.from(w.data), dtype),
      }),
    );
  }
  // Only what the graph uses: a parameter no node reads (e.g. log σ²'s weights in a graph that
  // returns μ alone) would make onnxruntime warn about an unused initializer on every load.
  const used = new Set<string>([...(g.node ?? []).flatMap((n) => n.input ?? []), ...(g.output ?? []).map((o) => o.name!)]);
  g.initializer = g.initializer.filter((t) => used.has(t.name!));
  g.input = g.input.filter((i) => used.has(i.name!));
  return onnx.ModelProto.encode(m).finish();
};
