// GAN rounds in one graph: an ONNX Loop over rounds whose body runs k discriminator steps (an inner
// Loop, its body the discriminator's step as multiStep.ts builds it) and then the generator's step
// (its nodes written out), carrying both players' parameters, optimizer state and buffers. Round
// r's batches and codes are gathered from stacks [R, k, B, ...] (discriminator) and [R, B, ...]
// (generator); each step's loss terms come back stacked as [R, k] and [R]. k is the stacks' second
// size, chosen by the caller; one session.run pays the per-call overhead once per R rounds.
import type onnxProto from 'onnx-proto';
import { CompilerBug } from '../ir/types';
import { onnx } from './emitter';
import { IR_VERSION, OPSET } from './lower';
import { condTrue, loopNodes, renamedInfo, scalarInfo, stepLoopBody, withLeading } from './multiStep';

/** One player's step graph and how it is driven. */
export interface RoundStep {
  readonly model: onnxProto.onnx.IModelProto;
  /** Inputs fed per step (the batch, the codes): stacked per round. */
  readonly stacked: readonly string[];
  /** Output -> the input it becomes at the next step. */
  readonly carry: readonly { readonly output: string; readonly input: string }[];
  /** Scalar outputs (loss and terms), stacked per step. */
  readonly perStep: readonly string[];
}

export const ROUNDS_DIM = 'rounds';
export const REPEAT_DIM = 'k';
export const roundStackedName = (player: string, input: string): string => `rounds.${player}.${input}`;
export const roundPerStepName = (player: string, output: string): string => `rounds.${player}.${output}`;

const T = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;
const gather = (from: string, index: string, to: string) => onnx.NodeProto.create({ opType: 'Gather', name: `${to}/Gather`, input: [from, index], output: [to], attribute: [{ name: 'axis', type: AT.INT, i: 0 }] });

export const ganRoundsModel = (name: string, d: RoundStep, g: RoundStep): onnxProto.onnx.ModelProto => {
  const dg = d.model.graph;
  const gg = g.model.graph;
  if (!dg || !gg) throw new CompilerBug('a GAN step has no graph');
  const info = (graph: onnxProto.onnx.IGraphProto, kind: 'input' | 'output') => new Map((graph[kind] ?? []).map((v) => [v.name!, v]));
  const [dIn, dOut, gIn, gOut] = [info(dg, 'input'), info(dg, 'output'), info(gg, 'input'), info(gg, 'output')];
  const must = <V>(m: Map<string, V>, k: string): V => m.get(k) ?? (() => { throw new CompilerBug(`GAN step has no ${k}`); })();

  // Carried across rounds: whatever either step updates, in the discriminator's order, then the generator's.
  const dCarry = new Map(d.carry.map((c) => [c.input, c.output]));
  const gCarry = new Map(g.carry.map((c) => [c.input, c.output]));
  const carried = [...new Set([...dCarry.keys(), ...gCarry.keys()])];
  const carriedInfo = (c: string) => must(dIn.has(c) ? dIn : gIn, c);
  const carryOut = (c: string) => gCarry.get(c) ?? dCarry.get(c)!;
  const stepInputs = new Set([...dIn.keys(), ...gIn.keys()]);
  // Read by a step but carried by neither (the learning rates): fed once, read from the outer scope.
  const shared = [...stepInputs].filter((n) => !carried.includes(n) && !d.stacked.includes(n) && !g.stacked.includes(n));

  // The round body ('r/'): the discriminator's k steps as an inner Loop ('r/d/'), then the generator's step ('r/g/').
  const iter = 'r/iteration';
  const nodes: onnxProto.onnx.NodeProto[] = [];
  for (const s of d.stacked) nodes.push(gather(roundStackedName('discriminator', s), iter, `r/d.${s}`));
  for (const s of g.stacked) nodes.push(gather(roundStackedName('generator', s), iter, `r/g/${s}`));
  const inner = stepLoopBody(dg, {
    prefix: 'r/d/',
    stacked: d.stacked.map((input) => ({ input, from: `r/d.${input}` })),
    shared: new Map([...dIn.keys()].filter((n) => !dCarry.has(n) && !d.stacked.includes(n)).map((n) => [n, carried.includes(n) ? `r/${n}` : n])),
    carry: d.carry,
    perStep: d.perStep,
  });
  nodes.push(...loopNodes('r/d.steps', `r/d.${d.stacked[0]}`, 'rounds.cond', d.carry.map((c) => `r/${c.input}`), [...d.carry.map((c) => `r/${c.output}`), ...d.perStep.map((o) => `r/discriminator.${o}`)], inner));
  // The generator's step sees the discriminator after its k steps.
  const gName = (n: string) =>
    n === '' ? n
    : dCarry.has(n) ? `r/${dCarry.get(n)}`
    : carried.includes(n) ? `r/${n}`
    : shared.includes(n) ? n
    : `r/g/${n}`;
  for (const n of gg.node ?? []) nodes.push(onnx.NodeProto.create({ ...n, name: `r/g/${n.name ?? ''}`, input: (n.input ?? []).map(gName), output: (n.output ?? []).map(gName) }));
  nodes.push(onnx.NodeProto.create({ opType: 'Identity', name: 'r/cond_out/Identity', input: ['r/cond_in'], output: ['r/cond_out'] }));
  const outName = (c: string) => (gCarry.has(c) ? gName(gCarry.get(c)!) : `r/${dCarry.get(c)}`);
  const k = { dimParam: REPEAT_DIM };
  const body = onnx.GraphProto.create({
    name: `${name}.round`,
    node: nodes,
    initializer: (gg.initializer ?? []).map((t) => onnx.TensorProto.create({ ...t, name: gName(t.name ?? '') })),
    input: [scalarInfo(iter, T.INT64), scalarInfo('r/cond_in', T.BOOL), ...carried.map((c) => renamedInfo(carriedInfo(c), `r/${c}`))],
    output: [
      scalarInfo('r/cond_out', T.BOOL),
      ...carried.map((c) => renamedInfo(must(gCarry.has(c) ? gOut : dOut, carryOut(c)), outName(c))),
      ...d.perStep.map((o) => withLeading(must(dOut, o), `r/discriminator.${o}`, k)),
      ...g.perStep.map((o) => renamedInfo(must(gOut, o), gName(o))),
    ],
  });

  const rounds = { dimParam: ROUNDS_DIM };
  const graph = onnx.GraphProto.create({
    name: `${name}.rounds`,
    node: loopNodes(
      'rounds',
      roundStackedName('discriminator', d.stacked[0]),
      'rounds.cond',
      carried,
      [...carried.map(carryOut), ...d.perStep.map((o) => roundPerStepName('discriminator', o)), ...g.perStep.map((o) => roundPerStepName('generator', o))],
      body,
    ),
    initializer: [condTrue('rounds.cond')],
    input: [
      ...carried.map((c) => onnx.ValueInfoProto.create(carriedInfo(c))),
      ...d.stacked.map((s) => withLeading(withLeading(must(dIn, s), s, k), roundStackedName('discriminator', s), rounds)),
      ...g.stacked.map((s) => withLeading(must(gIn, s), roundStackedName('generator', s), rounds)),
      ...shared.map((s) => onnx.ValueInfoProto.create(must(dIn.has(s) ? dIn : gIn, s))),
    ],
    output: [
      ...carried.map((c) => onnx.ValueInfoProto.create(must(gCarry.has(c) ? gOut : dOut, carryOut(c)))),
      ...d.perStep.map((o) => withLeading(withLeading(must(dOut, o), o, k), roundPerStepName('discriminator', o), rounds)),
      ...g.perStep.map((o) => withLeading(must(gOut, o), roundPerStepName('generator', o), rounds)),
    ],
  });
  return onnx.ModelProto.create({ irVersion: IR_VERSION, opsetImport: [{ domain: '', version: OPSET }], producerName: 'hourglass', producerVersion: d.model.producerVersion ?? '', graph });
};
