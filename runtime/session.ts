// onnxruntime sessions with an explicit, logged fallback to the CPU provider.
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';

export type Provider = 'cpu' | 'cuda' | 'webgpu';
export const PROVIDERS: readonly Provider[] = ['cpu', 'cuda', 'webgpu'];

export interface SessionOptions {
  readonly provider?: Provider;
  /** Intra-op threads; default: one per core. */
  readonly threads?: number;
  /**
   * Whether idle intra-op threads spin between ops (onnxruntime's default: yes). Spinning saves
   * wake-ups on an idle machine; on a busy one the spinning threads take the cores the work needs
   * (measured on a 2-core machine shared with other jobs: 4× slower VAE steps with spinning).
   */
  readonly spin?: boolean;
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
const options = (provider: Provider, threads?: number, spin?: boolean): ort.InferenceSession.SessionOptions => ({
  executionProviders: [provider],
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
  intraOpNumThreads: threads ?? availableParallelism(),
  interOpNumThreads: 1,
  ...(spin === undefined ? {} : { extra: { session: { 'intra_op.allow_spinning': spin ? '1' : '0' } } }),
});

export const openSession = async (bytes: Uint8Array, opts: SessionOptions = {}): Promise<OpenSession> => {
  const provider = opts.provider ?? 'cpu';
  try {
    return { session: await ort.InferenceSession.create(bytes, options(provider, opts.threads, opts.spin)), provider };
  } catch (err) {
    if (provider === 'cpu') throw err;
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    (opts.log ?? console.warn)(`provider ${provider} could not load (${reason}); falling back to cpu`);
    return { session: await ort.InferenceSession.create(bytes, options('cpu', opts.threads, opts.spin)), provider: 'cpu' };
  }
};
