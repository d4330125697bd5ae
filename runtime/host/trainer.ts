// The trainer on onnxruntime-node: core/trainer.ts with sessions opened by host/session.ts.
import { Trainer, type ArtifactBytes, type TrainerOptions } from '../core/trainer';
import { nodeEngine, type ProviderRequest } from './session';

export interface NodeTrainerOptions extends TrainerOptions {
  readonly provider?: ProviderRequest;
  readonly threads?: number;
  /** Spinning intra-op threads (see SessionOptions.spin); onnxruntime's default when absent. */
  readonly spin?: boolean;
  readonly log?: (line: string) => void;
  /** Draw each fused call's noise in a worker thread while the previous call runs (host/noiseAhead.ts). */
  readonly noiseAhead?: boolean;
}

export const openTrainer = (art: ArtifactBytes, opts: NodeTrainerOptions): Promise<Trainer> =>
  Trainer.create(nodeEngine({ provider: opts.provider, threads: opts.threads, spin: opts.spin, log: opts.log, noiseAhead: opts.noiseAhead }), art, { eager: ['multi'], ...opts });
