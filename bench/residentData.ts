// Lever 2 of issue 25, as a graph rewrite for measurement: the training set becomes an initializer
// of the fused graph and each call feeds int64 row indices [S, B]; one Gather builds the stacked
// batch where the session runs (on CUDA, on the device: no S×B×784 host-to-device copy per call).
import type onnxProto from 'onnx-proto';
import { onnx } from '../compiler/onnx/emitter';
import { stackedName } from '../compiler/onnx/multiStep';

export const ROWS_INPUT = 'steps.rows';

/** The fused model with `steps.x` gathered from `data` ([n, 784], an initializer) by `steps.rows`. */
export const residentData = (multiBytes: Uint8Array, data: Float32Array, dim: number): Uint8Array => {
  const mp = onnx.ModelProto.decode(multiBytes);
  const g = mp.graph as onnxProto.onnx.GraphProto;
  const x = stackedName('x');
  g.input = g.input.filter((i) => i.name !== x);
  g.input.push(onnx.ValueInfoProto.create({ name: ROWS_INPUT, type: { tensorType: { elemType: onnx.TensorProto.DataType.INT64, shape: { dim: [{ dimParam: 'steps' }, { dimParam: 'batch' }] } } } }));
  g.initializer.push(onnx.TensorProto.create({ name: 'train.data', dims: [data.length / dim, dim], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }));
  g.node.unshift(onnx.NodeProto.create({ opType: 'Gather', name: `${x}/Gather`, input: ['train.data', ROWS_INPUT], output: [x], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] }));
  return onnx.ModelProto.encode(mp).finish();
};
