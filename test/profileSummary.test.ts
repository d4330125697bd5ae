// The bench's profile summary (bench/profileSummary.ts): every counted kernel lands in exactly one
// op, one node and one part; Loop nodes are not counted twice; the first calls can be left out;
// the GAN parts follow the compiler's node names.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { addProfiles, aePartOf, bareNode, ganPartOf, nodeRow, summariseProfile, type ProfileEvent } from '../bench/profileSummary';

const sum = (t: Readonly<Record<string, number>>) => Object.values(t).reduce((a, b) => a + b, 0);

/** Calls one after another, each a model_run and its node events inside it. */
const trace = fc.array(
  fc.array(fc.record({ node: fc.constantFrom('a_1/Conv', 'r/d/a_1/Conv', 'compiler_7/Mul', 'optimizer_3/Add', 'rounds/Loop'), dur: fc.integer({ min: 0, max: 1000 }) }), { maxLength: 8 }),
  { minLength: 1, maxLength: 5 },
);
const toEvents = (calls: { node: string; dur: number }[][]): ProfileEvent[] => {
  const events: ProfileEvent[] = [];
  let ts = 0;
  for (const call of calls) {
    const start = ts;
    for (const k of call) {
      events.push({ cat: 'Node', name: `${k.node}_kernel_time`, ts, dur: k.dur, args: { op_name: k.node.split('/').pop()! } });
      ts += k.dur + 1;
    }
    events.push({ cat: 'Session', name: 'model_run', ts: start, dur: ts - start });
    ts += 1;
  }
  return events;
};
const kernelTime = (calls: { node: string; dur: number }[][]) => calls.flat().filter((k) => !k.node.endsWith('Loop')).reduce((a, k) => a + k.dur, 0);

describe('summariseProfile', () => {
  test.prop([trace, fc.constantFrom(aePartOf, ganPartOf)])('each table sums to the kernel time, Loop nodes excluded', (calls, partOf) => {
    const s = summariseProfile(toEvents(calls), partOf);
    expect(s.kernelUs).toBe(kernelTime(calls));
    expect(s.calls).toBe(calls.length);
    for (const table of [s.byOp, s.byNode, s.byPart]) expect(sum(table)).toBe(s.kernelUs);
    expect(s.byOp.Loop).toBeUndefined();
  });

  test.prop([trace, fc.integer({ min: 0, max: 6 })])('leaving out the first calls leaves out exactly their kernels', (calls, skip) => {
    const s = summariseProfile(toEvents(calls), aePartOf, skip);
    const kept = calls.slice(Math.min(skip, calls.length));
    expect(s.calls).toBe(kept.length);
    expect(s.kernelUs).toBe(kernelTime(kept));
  });

  test.prop([trace, trace])('adding two graphs adds their tables and keeps their nodes apart', (a, b) => {
    const [sa, sb] = [summariseProfile(toEvents(a), ganPartOf), summariseProfile(toEvents(b), ganPartOf)];
    const s = addProfiles({ D: sa, G: sb });
    expect(s.kernelUs).toBe(sa.kernelUs + sb.kernelUs);
    for (const table of [s.byOp, s.byNode, s.byPart]) expect(sum(table)).toBe(s.kernelUs);
    expect(Object.keys(s.byNode).every((n) => n.startsWith('D ') || n.startsWith('G '))).toBe(true);
  });
});

describe('node names', () => {
  test('Loop-body prefixes are stripped', () => {
    expect(bareNode('r/d/dcgan.discriminator.conv1_61/Conv_kernel_time')).toBe('dcgan.discriminator.conv1_61/Conv');
    expect(bareNode('step/compiler_3/Mul_kernel_time')).toBe('compiler_3/Mul');
  });

  test('a GAN round\'s rows keep their player, since both players\' graphs hold nodes of the same name', () => {
    expect(nodeRow('r/d/compiler_359/Conv_kernel_time')).toBe('D compiler_359/Conv');
    expect(nodeRow('r/g/compiler_359/Conv_kernel_time')).toBe('G compiler_359/Conv');
    expect(nodeRow('step/compiler_3/Mul_kernel_time')).toBe('compiler_3/Mul');
  });

  test.each([
    ['dcgan.discriminator.conv1_61', 'Conv', 'conv forward'],
    ['dcgan.generator.convT0_15', 'ConvTranspose', 'conv forward'],
    ['compiler_274', 'ConvTranspose', 'conv backward'],
    ['compiler_359', 'Conv', 'conv backward'],
    ['dcgan.generator.dense0_0', 'MatMul', 'dense'],
    ['dcgan.generator.batchNorm1_23', 'Div', 'batch norm forward'],
    ['next.discriminator.batchNorm2.runningMean', 'Add', 'batch norm forward'],
    ['next.discriminator.batchNorm0.beta', 'Sub', 'optimizer'],
    ['next.adam.m.discriminator.conv1.W', 'Add', 'optimizer'],
    ['optimizer_531', 'Mul', 'optimizer'],
    ['compiler_361', 'Add', 'other backward'],
    ['dcgan.discriminator.conv1.grad_300', 'Conv', 'conv backward'],
    ['dcgan.generator.convT2.grad_250', 'ConvTranspose', 'conv backward'],
    ['dcgan.discriminator.batchNorm1.grad_412', 'Mul', 'batch norm backward'],
    ['dcgan.discriminator.leakyRelu.grad_361', 'Where', 'other backward'],
    ['dcgan.loss.grad_205', 'Sigmoid', 'other backward'],
    ['dcgan.discriminator.leakyRelu_60', 'Where', 'other forward'],
  ])('%s/%s is %s', (node, op, part) => {
    expect(ganPartOf(`${node}/${op}`, op)).toBe(part);
  });
});
