// Reads what the trials left: the last epoch's held-out losses and curves from metrics.jsonl,
// and `hourglass evaluate --json` when the sweep evaluated.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Trial } from './grid';
import { trialState, type SweepFiles } from './layout';
import type { TrialResult } from './summary';

interface EpochLine {
  readonly epoch: number;
  readonly seconds: number;
  readonly train: Record<string, number>;
  readonly heldOut: Record<string, number>;
}

// Counts and settings in `evaluate --json` (rows, samples, K, classes, …), not results.
const NOT_METRICS = new Set(['n', 'samples', 'k', 'classes', 'features', 'spread']);

/** Numbers in a JSON value as flat dotted names: {iwae: {nll: 90}} → {'iwae.nll': 90}; counts left out. */
export const flatten = (v: unknown, prefix = '', out: Record<string, number> = {}): Record<string, number> => {
  if (typeof v === 'number') out[prefix] = v;
  else if (v && typeof v === 'object' && !Array.isArray(v))
    for (const [k, x] of Object.entries(v)) if (!NOT_METRICS.has(k)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  return out;
};

const readEpochs = (path: string): EpochLine[] => {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as EpochLine);
};

export const collectTrial = (f: SweepFiles, t: Trial): TrialResult => {
  const finished = trialState(f, t.id) === 'done';
  const epochs = readEpochs(join(f.run(t.id), 'metrics.jsonl'));
  const last = epochs[epochs.length - 1];
  const metrics: Record<string, number> = {};
  if (last) {
    for (const [k, v] of Object.entries(last.heldOut)) metrics[`heldOut.${k}`] = v;
    for (const [k, v] of Object.entries(last.train)) metrics[`train.${k}`] = v;
  }
  if (finished && existsSync(f.evaluation(t.id))) Object.assign(metrics, flatten(JSON.parse(readFileSync(f.evaluation(t.id), 'utf8'))));
  const curves: Record<string, number[]> = {};
  for (const e of epochs) for (const [k, v] of Object.entries(e.heldOut)) (curves[k] ??= []).push(v);
  return { id: t.id, pointId: t.pointId, point: t.point, seed: t.seed, finished, metrics, seconds: epochs.reduce((a, e) => a + e.seconds, 0), curves };
};
