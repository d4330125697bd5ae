// onnxruntime sessions with an explicit, logged fallback to the CPU provider.
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';

export type Provider = 'cpu' | 'cuda' | 'webgpu';
export const PROVIDERS: readonly Provider[] = ['cpu', 'cuda', 'webgpu'];

export interface SessionOptions {
  readonly provider?: Provider;
  /** Intra-op threads; default: one per core. */
  readonly threads?: number;
  readonly log?: (line: string) => void;
}

export interface OpenSession {
  readonly session: ort.InferenceSession;
  /** The provider actually in use (cpu after a fallback). */
  readonly provider: Provider;
}

// Measured on 2 cores (VAE, fused steps): sequential execution with every core inside each op
// beats ORT's parallel executor by 2×; optimisation levels basic/extended/all are within noise,
// so the full level stays.
const options = (provider: Provider, threads?: number): ort.InferenceSession.SessionOptions => ({
  executionProviders: [provider],
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
  intraOpNumThreads: threads ?? availableParallelism(),
  interOpNumThreads: 1,
});

export const openSession = async (bytes: Uint8Array, opts: SessionOptions = {}): Promise<OpenSession> => {
  const provider = opts.provider ?? 'cpu';
  try {
    return { session: await ort.InferenceSession.create(bytes, options(provider, opts.threads)), provider };
  } catch (err) {
    if (provider === 'cpu') throw err;
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    (opts.log ?? console.warn)(`provider ${provider} could not load (${reason}); falling back to cpu`);
    return { session: await ort.InferenceSession.create(bytes, options('cpu', opts.threads)), provider: 'cpu' };
  }
};
