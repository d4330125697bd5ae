// An experiment for bench/ab.ts, kept out of the compiler because it measured no gain (CPU time
// per step 0.95–1.03× on the VAE): MatMul(Transpose(a), b) and MatMul(a, Transpose(b)) of rank-2
// tensors become one Gemm with transA / transB. onnxruntime already fuses these pairs itself
// (MatmulTransposeFusion → FusedMatMul), on the same MLAS kernels.
import type onnxProto from 'onnx-proto';
import { onnx } from '../compiler/onnx/emitter';

type Node = onnxProto.onnx.NodeProto;
const AT = onnx.AttributeProto.AttributeType;

const isTranspose2d = (n: Node | undefined): n is Node => {
  const perm = n?.opType === 'Transpose' && n.attribute.length === 1 && n.attribute[0].name === 'perm' ? n.attribute[0].ints : null;
  return !!perm && perm.length === 2 && Number(perm[0]) === 1 && Number(perm[1]) === 0;
};

/** `nodes` with transposed MatMul operands folded into Gemm; `keep` names values that must stay (graph outputs). */
export const foldTransposedMatMuls = (nodes: readonly Node[], keep: ReadonlySet<string>): Node[] => {
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.output) producer.set(o, n);
  const folded = new Set<Node>();
  const rewritten = nodes.map((n) => {
    if (n.opType !== 'MatMul') return n;
    const [a, b] = n.input;
    const ta = producer.get(a);
    const tb = producer.get(b);
    const transA = isTranspose2d(ta);
    const transB = isTranspose2d(tb);
    if (!transA && !transB) return n;
    if (transA) folded.add(ta);
    if (transB) folded.add(tb);
    return onnx.NodeProto.create({
      opType: 'Gemm',
      name: n.name.replace(/MatMul$/, 'Gemm'),
      input: [transA ? ta.input[0] : a, transB ? tb.input[0] : b],
      output: [...n.output],
      attribute: [
        ...(transA ? [onnx.AttributeProto.create({ name: 'transA', type: AT.INT, i: 1 })] : []),
        ...(transB ? [onnx.AttributeProto.create({ name: 'transB', type: AT.INT, i: 1 })] : []),
      ],
    });
  });
  // A folded Transpose stays if anything besides the rewritten matmuls reads it.
  const stillRead = new Set<string>(keep);
  for (const n of rewritten) for (const i of n.input) stillRead.add(i);
  return rewritten.filter((n) => !folded.has(n) || stillRead.has(n.output[0]));
};
