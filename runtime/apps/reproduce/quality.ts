// The sample-quality metric as the reproductions use it: the full metric (2,000 samples, the cached
// classifier), or for --quick a classifier of one epoch on 1,000 digits and 300 samples, which
// checks the wiring, not the generator.
import type { GeneratorQualityOptions } from '../../analysis/eval/generatorQuality';
import type { SampleQuality } from '../../analysis/eval/sampleQuality';
import { pct } from './table';

export const qualityOptions = (quick: boolean, log: (line: string) => void): GeneratorQualityOptions =>
  quick ? { samples: 300, trainRows: 1000, budget: { epochs: 1, batch: 64, lr: 1e-3, seed: 1 }, log } : { log };

/** Confident share, class entropy, Fréchet distance: the cells of a table row. */
export const qualityCells = (q: SampleQuality): (string | number)[] => [pct(q.confident), q.classEntropy, q.frechet];

/** The same cells for the real held-out digits (distance 0 by definition). */
export const realCells = (q: SampleQuality): (string | number)[] => [pct(q.confidentReal), q.classEntropyReal, 0];

export const QUALITY_HEAD = ['classifier-confident share (≥ 0.9)', 'predicted-class entropy (nats; log 10 = 2.303)', 'Fréchet distance (classifier features)'] as const;
