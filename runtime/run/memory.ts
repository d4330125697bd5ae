// The bytes a training run needs, from the compiled model and the run's settings, so `train` can
// say it on its first line and refuse before the big allocations when it will not fit.
import type { Manifest } from '../../compiler/manifest';
import type { LiveValue } from '../../compiler/memory';
import type { Dim } from '../../compiler/ir/types';

// Three constants calibrated against measured peak RSS (bench/memory.ts; a least-squares fit of
// the six rows in docs/safety.md, rounded, so those rows are in-sample), not derived:
/** Node, V8, tsx, the spec's type-check and worker, onnxruntime's library and its three sessions, before any tensor. */
export const RUNTIME_OVERHEAD = 265e6;
/** onnxruntime's CPU arenas grow by doubling, so a session holds up to twice its peak of live values (fit: 1.97). */
export const ARENA_FACTOR = 2;
/**
 * Parameters and optimizer state exist more than once: the step's inputs, its outputs, and the
 * JavaScript copies onnxruntime-node makes of those outputs, freed only when V8 collects (fit: 3.0).
 */
export const CARRIED_COPIES = 3;

export interface MemoryPlan {
  readonly batch: number;
  /** Train steps per onnxruntime call (the fused Loop graph's stack). */
  readonly fuse: number;
  /** Values in the loaded data sets (training data and any separate held-out set). */
  readonly dataValues: number;
  /** Whether the data is split into train and held-out copies (no separate held-out set). */
  readonly split: boolean;
  /** Values in the training part (the epoch's shuffled copy). */
  readonly trainValues: number;
  /** Examples per call of the held-out evaluation (0: no held-out set). */
  readonly evalBatch: number;
}

export interface Tensor {
  readonly name: string;
  readonly bytes: number;
}

export interface MemoryEstimate {
  readonly total: number;
  readonly parts: Readonly<Record<'parameters' | 'optimizer' | 'copies' | 'activations' | 'inputs' | 'data' | 'runtime', number>>;
  /** The largest single tensors (parameters, state, activations at the batch, stacks), largest first. */
  readonly largest: readonly Tensor[];
}

const ELEM = { f32: 4, f64: 8 } as const;
const count = (shape: readonly Dim[], batch: number) => shape.reduce<number>((a, d) => a * (d === 'B' ? batch : d), 1);

/** The most bytes alive at once among `values` (the node order is the schedule), and the tensors then alive. */
export const peakLive = (values: readonly LiveValue[], batch: number): { bytes: number; alive: Tensor[] } => {
  const events: [number, number, number][] = []; // [at, +/- bytes, index]; frees sort before allocations at the same index
  values.forEach((v, i) => {
    const b = count(v.shape, batch) * v.elem;
    events.push([v.from, b, i], [v.to + 0.5, -b, i]);
  });
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let best = 0;
  let at = -1;
  for (const [t, b] of events) {
    now += b;
    if (now > best) [best, at] = [now, t];
  }
  const alive = values
    .filter((v) => v.from <= at && v.to + 0.5 > at)
    .map((v) => ({ name: `${v.path} [${v.shape.map((d) => (d === 'B' ? batch : d)).join('×')}]`, bytes: count(v.shape, batch) * v.elem }));
  return { bytes: best, alive };
};

export const estimateMemory = (m: Manifest, values: readonly LiveValue[], evalValues: readonly LiveValue[], plan: MemoryPlan): MemoryEstimate => {
  const elem = ELEM[m.dtype];
  const tensor = (name: string, shape: readonly Dim[]) => ({ name: `${name} [${shape.join('×')}]`, bytes: count(shape, plan.batch) * elem });
  const params = m.params.map((p) => tensor(p.name, p.shape));
  const state = m.optimizer.state.map((p) => tensor(p.name, p.shape));
  const peak = peakLive(values, plan.batch);
  // Each onnxruntime session keeps its own arena: the evaluation's (at its larger batch) adds to training's.
  const evalPeak = plan.evalBatch > 0 ? peakLive(evalValues, plan.evalBatch) : { bytes: 0, alive: [] };
  const stackShapes = [['x', m.inputShape], ...m.noise.map((nz) => [`noise.${nz.name}`, nz.shape] as const)] as const;
  const stacks = stackShapes.map(([name, shape]) => tensor(`${name} stack`, [plan.fuse, plan.batch, ...shape]));
  const sum = (ts: readonly Tensor[]) => ts.reduce((a, t) => a + t.bytes, 0);
  // Data as float32 in JavaScript: the loaded sets, their train/held-out copies, the epoch's shuffle buffer.
  const data = 4 * (plan.dataValues * (plan.split ? 2 : 1) + plan.trainValues);
  const parts = {
    parameters: sum(params),
    optimizer: sum(state),
    copies: (CARRIED_COPIES - 1) * (sum(params) + sum(state)),
    activations: ARENA_FACTOR * (peak.bytes + evalPeak.bytes),
    inputs: sum(stacks),
    data,
    runtime: RUNTIME_OVERHEAD,
  };
  const largest = [...params, ...state, ...peak.alive, ...evalPeak.alive, ...stacks].sort((a, b) => b.bytes - a.bytes).slice(0, 3);
  return { total: Object.values(parts).reduce((a, b) => a + b, 0), parts, largest };
};

export const showBytes = (n: number): string => {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let x = n;
  while (x >= 1000 && i < units.length - 1) [x, i] = [x / 1000, i + 1];
  return `${i > 0 ? x.toPrecision(3) : Math.round(x)} ${units[i]}`;
};

/** "memory: ~412 MB (parameters 1.3 MB, optimizer 2.6 MB, …)" */
export const showEstimate = (e: MemoryEstimate): string =>
  `memory: ~${showBytes(e.total)} (${Object.entries(e.parts).map(([k, v]) => `${k} ${showBytes(v)}`).join(', ')})`;

/** "<size>" for --max-memory: a number with an optional unit (B, KB, MB, GB, TB; KiB… too). */
export const parseSize = (raw: string): number | null => {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)$/i.exec(raw.trim());
  if (!m) return null;
  const unit = m[2].toLowerCase().replace(/b$/, '');
  const pow = { '': 0, k: 1, m: 2, g: 3, t: 4 }[unit.replace('i', '')];
  if (pow === undefined) return null;
  const bytes = Number(m[1]) * (unit.endsWith('i') ? 1024 : 1000) ** pow;
  return Number.isFinite(bytes) ? bytes : null;
};

/** --max-memory's range: from 1 MB to 1 PB. */
export const MAX_MEMORY_RANGE = [1e6, 1e15] as const;
