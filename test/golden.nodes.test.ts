// What the compiler emits for each example, kept in review: per artifact, the graph's inputs and
// outputs with their shapes and every node's op type, attributes and arity (not bytes, not the
// generated value names). An unintended change to emission shows up as a diff of these files.
// After a deliberate change: npx vitest run test/golden.nodes.test.ts -u, and review the diff.
import * as E from 'fp-ts/Either';
import type onnxProto from 'onnx-proto';
import { describe, expect, test } from 'vitest';
import { compileModel } from '../compiler/compile';
import { showError } from '../compiler/ir/types';
import type { ModelDef } from '../compiler/model';
import { onnx } from '../compiler/onnx/emitter';
import { betaVae } from '../examples/beta-vae';
import { deepAutoencoder } from '../examples/deep-ae';
import { denseAutoencoder } from '../examples/dense-ae';
import { kSparse } from '../examples/k-sparse';
import { linearAutoencoder } from '../examples/linear-ae';
import { mmdVae } from '../examples/mmd-vae';
import { vae } from '../examples/vae';

const EXAMPLES: Record<string, () => ModelDef> = {
  'linear-ae': () => linearAutoencoder().def,
  'deep-ae': () => deepAutoencoder().def,
  'k-sparse': () => kSparse().def,
  vae: () => vae().def,
  'beta-vae': () => betaVae().def,
  'mmd-vae': () => mmdVae().def,
  'dense-ae': () => denseAutoencoder('bernoulli'),
};

const TYPES: Record<number, string> = { 1: 'f32', 6: 'i32', 7: 'i64', 9: 'bool', 11: 'f64' };

const valueLine = (v: onnxProto.onnx.IValueInfoProto) => {
  const t = v.type?.tensorType;
  const dims = (t?.shape?.dim ?? []).map((d) => d.dimParam || String(d.dimValue));
  return `${v.name}: ${TYPES[t?.elemType ?? 0] ?? t?.elemType}[${dims.join(', ')}]`;
};

const attrText = (a: onnxProto.onnx.IAttributeProto): string => {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.INT: return `${a.name}=${a.i}`;
    case T.INTS: return `${a.name}=[${(a.ints ?? []).join(',')}]`;
    case T.FLOAT: return `${a.name}=${a.f}`;
    case T.TENSOR: return `${a.name}=tensor[${(a.t?.dims ?? []).join(',')}]`;
    case T.GRAPH: return `${a.name}=graph`;
    default: return a.name ?? '?';
  }
};

/** The graph as text: signature, initializer shapes, then nodes (subgraphs indented). */
const describeGraph = (g: onnxProto.onnx.IGraphProto, indent = ''): string[] => {
  const lines = [
    ...(g.input ?? []).map((v) => `${indent}in  ${valueLine(v)}`),
    ...(g.output ?? []).map((v) => `${indent}out ${valueLine(v)}`),
    `${indent}initializers: ${(g.initializer ?? []).length} (${(g.initializer ?? []).reduce((n, t) => n + (t.dims ?? []).reduce((p, d) => p * Number(d), 1), 0)} values)`,
  ];
  for (const n of g.node ?? []) {
    lines.push(`${indent}${n.opType}(${(n.input ?? []).length} → ${(n.output ?? []).length})${n.attribute?.length ? ` ${n.attribute.map(attrText).join(' ')}` : ''}`);
    for (const a of n.attribute ?? []) if (a.g) lines.push(...describeGraph(a.g, `${indent}  `));
  }
  return lines;
};

describe.each(Object.keys(EXAMPLES))('golden node lists: %s', (name) => {
  const r = compileModel(EXAMPLES[name](), { optimizer: { kind: 'adam', lr: 1e-3, hyper: {} } });
  if (E.isLeft(r)) throw new Error(showError(r.left));
  test.each(Object.keys(r.right.files).sort())('%s', async (file) => {
    const model = onnx.ModelProto.decode(r.right.files[file]);
    const text = [`# ${name} ${file}: opset ${model.opsetImport?.[0]?.version}, IR version ${model.irVersion}`, ...describeGraph(model.graph!)].join('\n');
    await expect(`${text}\n`).toMatchFileSnapshot(`./golden/${name}.${file.replace(/\.onnx$/, '')}.txt`);
  });
});
