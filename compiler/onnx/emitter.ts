// A thin ONNX node emitter: knows ONNX, nothing about autoencoders. Names come from a counter
// and a readable hint, so the same graph always emits the same names (and bytes).
import onnxProto from 'onnx-proto';
import { CompilerBug, type DType } from '../ir/types';

export const { onnx } = onnxProto;

export type Attr =
  | { readonly kind: 'int'; readonly v: number }
  | { readonly kind: 'ints'; readonly v: readonly number[] }
  | { readonly kind: 'float'; readonly v: number }
  | { readonly kind: 'tensor'; readonly v: onnxProto.onnx.ITensorProto }
  | { readonly kind: 'string'; readonly v: string };

export const A = {
  int: (v: number): Attr => ({ kind: 'int', v }),
  ints: (v: readonly number[]): Attr => ({ kind: 'ints', v }),
  float: (v: number): Attr => ({ kind: 'float', v }),
  tensor: (v: onnxProto.onnx.ITensorProto): Attr => ({ kind: 'tensor', v }),
};

export const onnxDType = (d: DType): number => {
  const T = onnx.TensorProto.DataType;
  switch (d) {
    case 'f32':
      return T.FLOAT;
    case 'f64':
      return T.DOUBLE;
    case 'bool':
      return T.BOOL;
    case 'i64':
      return T.INT64;
  }
};

/** Little-endian raw bytes of `values` in `dtype`: exact for f64, deterministic for all. */
export const rawBytes = (values: readonly number[], dtype: DType): Uint8Array => {
  switch (dtype) {
    case 'f32':
      return new Uint8Array(Float32Array.from(values).buffer);
    case 'f64':
      return new Uint8Array(Float64Array.from(values).buffer);
    case 'i64':
      return new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);
    case 'bool':
      return Uint8Array.from(values.map((v) => (v ? 1 : 0)));
  }
};

export const tensorProto = (name: string, values: readonly number[], dims: readonly number[], dtype: DType) =>
  onnx.TensorProto.create({ name, dims: [...dims], dataType: onnxDType(dtype), rawData: rawBytes(values, dtype) });

const toAttrProto = (name: string, a: Attr): onnxProto.onnx.AttributeProto => {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return onnx.AttributeProto.create({ name, type: T.INT, i: a.v });
    case 'ints':
      return onnx.AttributeProto.create({ name, type: T.INTS, ints: [...a.v] });
    case 'float':
      return onnx.AttributeProto.create({ name, type: T.FLOAT, f: a.v });
    case 'tensor':
      return onnx.AttributeProto.create({ name, type: T.TENSOR, t: a.v });
    case 'string':
      return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(a.v) });
  }
};

export class Emitter {
  readonly nodes: onnxProto.onnx.NodeProto[] = [];
  readonly initializers: onnxProto.onnx.TensorProto[] = [];
  private counter = 0;
  private readonly constCache = new Map<string, string>();
  private readonly usedNames = new Set<string>();

  /** The current readable prefix for generated names (set per IR node by the lowering pass). */
  hint = 'v';

  fresh(base: string = this.hint): string {
    let name: string;
    do name = `${base}_${this.counter++}`;
    while (this.usedNames.has(name));
    this.usedNames.add(name);
    return name;
  }

  reserve(name: string): void {
    if (this.usedNames.has(name)) throw new CompilerBug(`ONNX name ${name} used twice`);
    this.usedNames.add(name);
  }

  /** Emit one node with a single output; returns the output's name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, output?: string): string {
    return this.opN(opType, inputs, 1, attrs, output ? [output] : undefined)[0];
  }

  opN(opType: string, inputs: readonly string[], nOut: number, attrs: Record<string, Attr> = {}, outputs?: string[]): string[] {
    const outs = outputs ?? Array.from({ length: nOut }, () => this.fresh());
    if (outputs) outputs.forEach((o) => this.reserve(o));
    const attribute = Object.keys(attrs)
      .sort()
      .map((k) => toAttrProto(k, attrs[k]));
    this.nodes.push(
      onnx.NodeProto.create({ opType, input: [...inputs], output: outs, name: `${outs[0]}/${opType}`, attribute }),
    );
    return outs;
  }

  /** A constant tensor, stored once as an initializer however often it is asked for. */
  constant(values: readonly number[], dims: readonly number[], dtype: DType): string {
    const key = `${dtype}|${dims.join(',')}|${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.fresh('const');
    this.initializers.push(tensorProto(name, values, dims, dtype));
    this.constCache.set(key, name);
    return name;
  }

  int64s(values: readonly number[]): string {
    return this.constant(values, [values.length], 'i64');
  }
}
