// The benchmark's models, from the examples: the same architectures the PyTorch peer builds.
import type { ModelDef } from '../compiler/model';
import { deepAutoencoder } from '../examples/deep-ae';
import { kSparse } from '../examples/k-sparse';
import { vae } from '../examples/vae';

export const BENCH_MODELS: Record<string, { readonly title: string; readonly def: () => ModelDef }> = {
  vae: { title: 'VAE 784-400-20-400-784, Bernoulli', def: () => vae(20).def },
  k_sparse: { title: 'k-sparse 784-1000, k = 25, tied', def: () => kSparse(25, 1, 1000).def },
  deep_ae: { title: 'deep AE 784-1000-500-250-2', def: () => deepAutoencoder().def },
};
