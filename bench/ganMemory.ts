// The DCGAN bench row's peak RSS by rounds per call (issue 25: 1,076 MB fused against 681 MB
// single), one trainer per process so the peak is its own, with onnxruntime's CPU arena and
// memory patterns switchable. Prints one JSON line: peak RSS (MB) after compiling, after opening,
// after the first call and after the measured rounds, and their rounds/s. Usage:
// tsx bench/ganMemory.ts FUSE [ROUNDS=32] [THREADS=1] [arena|noarena] [pattern|nopattern]
import * as ort from 'onnxruntime-node';
import { trainGan } from '../runtime/apps/gan/loop';
import { openGanTrainer } from '../runtime/apps/gan/players';
import type { Engine } from '../runtime/core/engine';
import { dcganBench } from './ganSetup';

const [fuseS = '16', roundsS = '32', threadsS = '1', arena = 'arena', pattern = 'pattern'] = process.argv.slice(2);
const [fuse, rounds, threads] = [fuseS, roundsS, threadsS].map(Number);
const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const batch = 64;
const { art, data } = dcganBench(batch);
const compiled = peakMb();
// The bench's sessions (host/session.ts: sequential, one pool), spinning off, the arena and patterns as asked.
const engine: Engine = {
  Tensor: ort.Tensor,
  open: async (bytes) => ({
    session: await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      enableCpuMemArena: arena === 'arena',
      enableMemPattern: pattern === 'pattern',
      extra: { session: { 'intra_op.allow_spinning': '0' } },
    }),
    provider: 'cpu',
  }),
};
const t = await openGanTrainer(engine, art, 0);
const openedMb = peakMb();
let dataState: readonly number[] = [];
const train = (from: number, count: number) =>
  trainGan(t, data, { rounds: from + count, batch, k: 1, seed: 1, fuse, resumeFrom: from ? { round: from, dataState } : undefined, onCheckpoint: (p) => void (dataState = p.dataState) });
await train(0, fuse);
const firstMb = peakMb();
const t0 = performance.now();
await train(fuse, rounds);
const s = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ fuse, arena, pattern, threads, compiled_mb: compiled, opened_mb: openedMb, first_call_mb: firstMb, peak_mb: peakMb(), rounds_per_s: +(rounds / s).toFixed(3) }));
