// The bench's choice of what Hourglass is compared against: a misconfigured or failed peer is
// never a reference, and Debian's extra row only stands in when no modern peer ran.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { convPeers, fairPeers, ganPeers, misconfigured, MODERN_PEERS, torchPeers, type PeerRun } from '../bench/peers';

const run = (blas: string, stepsPerS: number): PeerRun => ({
  stepsPerS,
  rssMb: 100,
  config: '2 threads',
  compileS: null,
  version: 'v',
  blas,
  isa: 'AVX2',
  threads: 2,
  misconfigured: misconfigured(blas),
});

describe('misconfigured BLAS', () => {
  test.each([
    ['generic → reference BLAS (/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0)', true],
    ['generic → none loaded', true],
    ['generic → OpenBLAS (openblas-pthread)', false],
    ['mkl', false],
    ['XLA:CPU (its own dot kernels, no BLAS)', false],
  ])('%s', (blas, bad) => {
    expect(misconfigured(blas) !== null).toBe(bad);
  });
});

const BLASES = ['mkl', 'generic → OpenBLAS (openblas-pthread)', 'generic → reference BLAS (/x/libblas.so.3)'];
const outcome = fc.oneof(
  fc.record({ error: fc.constant('failed') }),
  fc.tuple(fc.constantFrom(...BLASES), fc.double({ min: 1, max: 1000, noNaN: true })).map(([b, s]) => run(b, s)),
);

describe('fairPeers', () => {
  const peers = torchPeers('/venv/bin/python', 2, false);
  test.prop([fc.array(outcome, { minLength: peers.length, maxLength: peers.length })])('only peers that ran on a proper BLAS; extras only without a modern one', (outs) => {
    const results = Object.fromEntries(peers.map((p, i) => [p.name, outs[i]]));
    const fair = fairPeers(peers, results);
    const ok = peers.filter((p) => {
      const r = results[p.name];
      return !('error' in r) && r.misconfigured === null;
    });
    for (const f of fair) {
      const spec = peers.find((p) => p.name === f.name)!;
      expect(ok).toContain(spec);
      if (spec.extra) expect(ok.every((p) => p.extra)).toBe(true);
    }
    expect(fair.length === 0).toBe(ok.length === 0);
  });

  test('without the venv only the labelled Debian row is left, marked extra', () => {
    const peers0 = torchPeers(null, 2, true);
    expect(peers0.map((p) => [p.name, p.extra])).toEqual([['Debian torch 1.13 eager', true]]);
  });
});

describe('the conv rows\' peers', () => {
  test('from the venv: torch eager, torch.compile and JAX, none an extra; none without the venv', () => {
    expect(convPeers('/venv/bin/python', 2, false).map((p) => [p.name, p.extra, p.python])).toEqual(MODERN_PEERS.map((n) => [n, false, '/venv/bin/python']));
    expect(convPeers(null, 2, false)).toEqual([]);
  });

  test('torch eager tries both layouts with passive OpenMP waiting first; --quick keeps the first only', () => {
    const eager = convPeers('/venv/bin/python', 2, false).find((p) => p.name === 'torch eager')!;
    expect(eager.configs.map((c) => c.env.HG_LAYOUT)).toEqual(['nchw', 'channels_last', 'nchw']);
    expect(eager.configs[0].env.OMP_WAIT_POLICY).toBe('PASSIVE');
    expect(convPeers('/venv/bin/python', 2, true).find((p) => p.name === 'torch eager')!.configs).toHaveLength(1);
    expect(convPeers('/venv/bin/python', 2, true).find((p) => p.name === 'torch.compile')!.configs[0].env.HG_MODE).toBe('compile');
  });

  test.prop([fc.array(outcome, { minLength: 3, maxLength: 3 })])('a misconfigured or failed conv peer is never the reference', (outs) => {
    const peers = convPeers('/venv/bin/python', 2, false);
    const results = Object.fromEntries(peers.map((p, i) => [p.name, outs[i]]));
    const fair = fairPeers(peers, results).map((f) => f.name);
    peers.forEach((p, i) => {
      const r = outs[i];
      expect(fair.includes(p.name)).toBe(!('error' in r) && r.misconfigured === null);
    });
  });
});

describe('the DCGAN row\'s peers', () => {
  test('the three modern peers from the venv, torch with passive waiting and HG_MODE per mode; none without the venv', () => {
    const peers = ganPeers('/venv/bin/python', 2);
    expect(peers.map((p) => [p.name, p.extra])).toEqual(MODERN_PEERS.map((n) => [n, false]));
    expect(peers.map((p) => p.configs[0].env.HG_MODE)).toEqual([undefined, 'compile', undefined]);
    expect(peers[0].configs[0].env.OMP_WAIT_POLICY).toBe('PASSIVE');
    expect(ganPeers(null, 2)).toEqual([]);
  });
});
