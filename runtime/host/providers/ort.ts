// The onnxruntime namespace the runtime uses, in place of `import * as ort from 'onnxruntime-node'`.
// The binding (cuda → onnxruntime-node 1.29 with the CUDA provider; default → onnxruntime-node 1.30)
// is loaded on first use, never at import: the caller picks it first with chooseBinding (the CLI,
// from its --provider), else HOURGLASS_BINDING or HOURGLASS_PROVIDER pick it, else the default.
// Loading never throws here: a missing CUDA binding is recorded, and opening a CUDA session
// reports it (exit 69).
import type * as Ort from 'onnxruntime-node';
import * as E from 'fp-ts/Either';
import { loadBinding } from './bindings';
import { type BindingName, bindingFor, parseProviders } from './request';

export interface LoadedBinding {
  readonly name: BindingName;
  /** Why the wanted binding could not load (the default one was loaded instead). */
  readonly failure?: string;
}

/** The binding a provider request needs: 'cuda' where it lists cuda. Unparseable lists: the default. */
export const bindingForRequest = (raw: string | undefined): BindingName => {
  if (raw === undefined) return 'default';
  const parsed = parseProviders(raw);
  return E.isRight(parsed) ? bindingFor(parsed.right) : 'default';
};

const fromEnvironment = (): BindingName => {
  // HOURGLASS_BINDING=cuda|default picks the binding outright (tests and benchmarks that open CPU and
  // CUDA sessions side by side in one process, or a machine carrying only onnxruntime-node 1.29).
  const forced = process.env.HOURGLASS_BINDING;
  if (forced === 'cuda' || forced === 'default') return forced;
  return bindingForRequest(process.env.HOURGLASS_PROVIDER);
};

let chosen: BindingName | undefined;
let loaded: readonly [typeof Ort, LoadedBinding] | undefined;

/**
 * Picks the binding before anything loads onnxruntime. The environment's choice still wins (as it
 * did when the command line was read at import); a second choice after loading changes nothing.
 */
export const chooseBinding = (name: BindingName): void => {
  chosen ??= name;
};

const load = (want: BindingName): readonly [typeof Ort, LoadedBinding] => {
  if (want === 'default') return [loadBinding<typeof Ort>('default'), { name: 'default' }];
  try {
    return [loadBinding<typeof Ort>(want), { name: want }];
  } catch (err) {
    const failure = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return [loadBinding<typeof Ort>('default'), { name: 'default', failure }];
  }
};

const current = (): readonly [typeof Ort, LoadedBinding] => {
  if (loaded) return loaded;
  const forced = process.env.HOURGLASS_BINDING === 'cuda' || process.env.HOURGLASS_BINDING === 'default' || process.env.HOURGLASS_PROVIDER !== undefined;
  loaded = load(forced ? fromEnvironment() : (chosen ?? 'default'));
  // A CUDA provider that cannot load makes onnxruntime log an error of its own before the session
  // throws; Hourglass reports it in one line instead (HOURGLASS_ORT_LOG=verbose|info|warning shows them).
  const [ort, info] = loaded;
  const level = process.env.HOURGLASS_ORT_LOG;
  if (level === 'verbose' || level === 'info' || level === 'warning' || level === 'error' || level === 'fatal') ort.env.logLevel = level;
  else if (info.name === 'cuda') ort.env.logLevel = 'fatal';
  return loaded;
};

/** Which binding this process loaded (loading it now if nothing has yet). */
export const binding = (): LoadedBinding => current()[1];

/** A stand-in for one of the binding's classes that loads the binding on first use. */
const lazyClass = <C extends object>(pick: (ort: typeof Ort) => C): C =>
  new Proxy(function () {} as unknown as C, {
    construct: (_, args) => Reflect.construct(pick(current()[0]) as unknown as new (...a: unknown[]) => object, args),
    get: (_, key) => {
      const real = pick(current()[0]);
      const value: unknown = Reflect.get(real, key);
      return typeof value === 'function' && key !== 'prototype' ? value.bind(real) : value;
    },
    has: (_, key) => Reflect.has(pick(current()[0]), key),
  });

export const Tensor: typeof Ort.Tensor = lazyClass((ort) => ort.Tensor);
export type Tensor = Ort.Tensor;
export const InferenceSession: typeof Ort.InferenceSession = lazyClass((ort) => ort.InferenceSession);
export type InferenceSession = Ort.InferenceSession;
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace InferenceSession {
  type SessionOptions = Ort.InferenceSession.SessionOptions;
  type RunOptions = Ort.InferenceSession.RunOptions;
  type OnnxValueMapType = Ort.InferenceSession.OnnxValueMapType;
  type FeedsType = Ort.InferenceSession.FeedsType;
  type ReturnType = Ort.InferenceSession.ReturnType;
}
