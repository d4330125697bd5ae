// What `--provider` asks for: one provider, or a list tried in order ("cuda,cpu" asks for the CPU
// as an explicit fallback). A single provider never falls back.
import * as E from 'fp-ts/Either';

export type Provider = 'cpu' | 'cuda' | 'webgpu';
export const PROVIDERS: readonly Provider[] = ['cpu', 'cuda', 'webgpu'];

/** A provider, or providers in order of preference. */
export type ProviderRequest = Provider | readonly Provider[];

export const providerList = (r: ProviderRequest): readonly Provider[] => (typeof r === 'string' ? [r] : r);

const isProvider = (s: string): s is Provider => (PROVIDERS as readonly string[]).includes(s);

/** "cuda" or "cuda,cpu": names from PROVIDERS, comma-separated, each at most once. */
export const parseProviders = (raw: string): E.Either<string, readonly Provider[]> => {
  const names = raw.split(',').map((s) => s.trim());
  const bad = names.find((n) => !isProvider(n));
  if (bad !== undefined) return E.left(`unknown provider ${JSON.stringify(bad)} (one of ${PROVIDERS.join(', ')}, or a comma-separated list such as cuda,cpu)`);
  if (new Set(names).size !== names.length) return E.left(`${JSON.stringify(raw)} names a provider twice`);
  return E.right(names as Provider[]);
};

/** The `--provider` value on a command line (`--provider x` or `--provider=x`), if any. */
export const providerArgument = (argv: readonly string[]): string | undefined => {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return undefined;
    if (a === '--provider') return argv[i + 1];
    if (a.startsWith('--provider=')) return a.slice('--provider='.length);
  }
  return undefined;
};

/** Which onnxruntime binding serves a request: only onnxruntime-node 1.29 has a CUDA provider build. */
export type BindingName = 'default' | 'cuda';
export const bindingFor = (providers: readonly Provider[]): BindingName => (providers.includes('cuda') ? 'cuda' : 'default');
