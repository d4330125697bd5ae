// The onnxruntime namespace the runtime uses, in place of `import * as ort from 'onnxruntime-node'`.
// The binding is chosen when this module is first evaluated, before any libonnxruntime is loaded:
// from HOURGLASS_BINDING, else HOURGLASS_PROVIDER, else from the command line's --provider (cuda → onnxruntime-node 1.29
// with the CUDA provider; anything else → onnxruntime-node 1.30). Loading never throws here: a
// missing CUDA binding is recorded, and opening a CUDA session reports it (exit 69).
import type * as Ort from 'onnxruntime-node';
import * as E from 'fp-ts/Either';
import { loadBinding } from './bindings';
import { type BindingName, bindingFor, parseProviders, providerArgument } from './request';

export interface LoadedBinding {
  readonly name: BindingName;
  /** Why the wanted binding could not load (the default one was loaded instead). */
  readonly failure?: string;
}

const requested = (): BindingName => {
  // HOURGLASS_BINDING=cuda|default picks the binding outright (tests and benchmarks that open CPU and
  // CUDA sessions side by side in one process, or a machine carrying only onnxruntime-node 1.29).
  const forced = process.env.HOURGLASS_BINDING;
  if (forced === 'cuda' || forced === 'default') return forced;
  const raw = process.env.HOURGLASS_PROVIDER ?? providerArgument(process.argv.slice(2));
  if (raw === undefined) return 'default';
  const parsed = parseProviders(raw);
  return E.isRight(parsed) ? bindingFor(parsed.right) : 'default';
};

const load = (): [typeof Ort, LoadedBinding] => {
  const want = requested();
  if (want === 'default') return [loadBinding<typeof Ort>('default'), { name: 'default' }];
  try {
    return [loadBinding<typeof Ort>(want), { name: want }];
  } catch (err) {
    const failure = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return [loadBinding<typeof Ort>('default'), { name: 'default', failure }];
  }
};

const [ort, loaded] = load();

// A CUDA provider that cannot load makes onnxruntime log an error of its own before the session
// throws; Hourglass reports it in one line instead (HOURGLASS_ORT_LOG=verbose|info|warning shows them).
const level = process.env.HOURGLASS_ORT_LOG;
if (level === 'verbose' || level === 'info' || level === 'warning' || level === 'error' || level === 'fatal') ort.env.logLevel = level;
else if (loaded.name === 'cuda') ort.env.logLevel = 'fatal';

/** Which binding this process loaded. */
export const binding: LoadedBinding = loaded;

export const Tensor = ort.Tensor;
export type Tensor = Ort.Tensor;
export const InferenceSession = ort.InferenceSession;
export type InferenceSession = Ort.InferenceSession;
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace InferenceSession {
  type SessionOptions = Ort.InferenceSession.SessionOptions;
  type RunOptions = Ort.InferenceSession.RunOptions;
  type OnnxValueMapType = Ort.InferenceSession.OnnxValueMapType;
  type FeedsType = Ort.InferenceSession.FeedsType;
  type ReturnType = Ort.InferenceSession.ReturnType;
}
export const env = ort.env;
