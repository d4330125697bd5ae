// onnxruntime sessions on the requested provider; a fallback only where the request lists one.
import { availableParallelism } from 'node:os';
import * as ort from './providers/ort';

import { providerList, type Provider, type ProviderRequest } from './providers/request';
import { unavailable } from './providers/unavailable';
import type { Engine } from '../core/engine';
import { workerNoiseAhead } from './noiseAhead';

export { PROVIDERS, type Provider, type ProviderRequest } from './providers/request';

export interface SessionOptions {
  /** One provider, or providers in order of preference ("cuda,cpu"); default cpu. */
  readonly provider?: ProviderRequest;
  /** Intra-op threads; default: one per core. */
  readonly threads?: number;
  /**
   * Whether idle intra-op threads spin between ops (onnxruntime's default: yes). Spinning saves
   * wake-ups on an idle machine; on a busy one the spinning threads take the cores the work needs
   * (measured on a 2-core machine shared with other jobs: 4× slower VAE steps with spinning).
   */
  readonly spin?: boolean;
  /**
   * onnxruntime's memory patterns (its default: on): one planned block per input shape. Off, the
   * DCGAN's peak RSS fell from 584 to 447 MB fused and from 683 to 480 MB single, at the same
   * speed (docs/speed.md); `hourglass gan` turns them off.
   */
  readonly memPattern?: boolean;
  readonly log?: (line: string) => void;
  /** onnxruntime's own log level (0 verbose … 4 fatal; its default 2 prints warnings). */
  readonly logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

export interface EngineOptions extends SessionOptions {
  /** Draw each fused call's noise in a worker thread while the previous call runs (host/noiseAhead.ts). */
  readonly noiseAhead?: boolean;
}

export interface OpenSession {
  readonly session: ort.InferenceSession;
  /** The provider actually in use (a later one of the request after a fallback). */
  readonly provider: Provider;
}

// Measured on 2 cores (VAE, fused steps): sequential execution with every core inside each op
// beats ORT's parallel executor by 2×; optimisation levels basic/extended/all are within noise,
// so the full level stays.
const options = (provider: Provider, { threads, spin, memPattern, logSeverityLevel }: SessionOptions): ort.InferenceSession.SessionOptions => ({
  executionProviders: [provider],
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
  intraOpNumThreads: threads ?? availableParallelism(),
  interOpNumThreads: 1,
  ...(spin === undefined ? {} : { extra: { session: { 'intra_op.allow_spinning': spin ? '1' : '0' } } }),
  ...(memPattern === undefined ? {} : { enableMemPattern: memPattern }),
  ...(logSeverityLevel === undefined ? {} : { logSeverityLevel }),
});

export const openSession = async (bytes: Uint8Array, opts: SessionOptions = {}): Promise<OpenSession> => {
  const wanted = providerList(opts.provider ?? 'cpu');
  for (const [i, provider] of wanted.entries()) {
    try {
      return { session: await ort.InferenceSession.create(bytes, options(provider, opts)), provider };
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      if (i === wanted.length - 1) throw provider === 'cpu' ? err : unavailable(provider, reason);
      (opts.log ?? console.warn)(`provider ${provider} could not load (${reason}); falling back to ${wanted[i + 1]} as asked`);
    }
  }
  throw new Error('openSession: empty provider list');
};

/** onnxruntime-node as a trainer's engine: sessions on the requested provider, with its fallbacks. */
export const nodeEngine = (opts: EngineOptions = {}): Engine => ({
  Tensor: ort.Tensor,
  open: (bytes, provider) => openSession(bytes, provider === undefined ? opts : { ...opts, provider: provider as Provider }),
  ...(opts.noiseAhead ? { noiseAhead: workerNoiseAhead } : {}),
});
