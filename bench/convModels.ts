// The convolutional benchmark models (bench/conv.ts), from the examples; bench/peer_torch_conv.py
// builds the same architectures in PyTorch.
import type { ModelDef } from '../compiler/model';
import { chairsVae } from '../examples/chairs-vae';
import { convAutoencoder } from '../examples/conv-ae';

export const CONV_BENCH_MODELS: Record<string, { readonly title: string; readonly def: () => ModelDef; readonly dim: number; readonly batch: number }> = {
  conv_ae: { title: 'conv AE 28×28 (16, 32 maps, k4 s2 p1), code 32', def: () => convAutoencoder().def, dim: 784, batch: 64 },
  chairs_vae: { title: 'chairs conv VAE 64×64 (Higgins et al.), 32 latents', def: () => chairsVae().def, dim: 4096, batch: 64 },
};
