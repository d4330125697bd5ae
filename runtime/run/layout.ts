// The run directory: what a training run writes, and where.
import { join } from 'node:path';

export const runFiles = (dir: string) => ({
  dir,
  settings: join(dir, 'run.json'),
  artifacts: join(dir, 'artifacts'),
  manifest: join(dir, 'artifacts', 'manifest.json'),
  metrics: join(dir, 'metrics.jsonl'),
  checkpoint: join(dir, 'checkpoint.hgck'),
  exported: join(dir, 'exported'),
});

export type RunFiles = ReturnType<typeof runFiles>;
