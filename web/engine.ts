// The page's onnxruntime: onnxruntime-web as the engine of core/trainer.ts, the very trainer the CLI
// runs on onnxruntime-node, so the same seed gives the same parameters and noise in both.
import type * as OrtWeb from 'onnxruntime-web';
import type { Engine } from '../runtime/core/engine';

export type Ort = typeof OrtWeb;

/** 'wasm' or 'webgpu'; the caller decides (a WebGPU build of onnxruntime-web for 'webgpu'). */
export const webEngine = (ort: Ort, executionProvider: 'wasm' | 'webgpu'): Engine => ({
  Tensor: ort.Tensor,
  open: async (bytes) => ({
    session: await ort.InferenceSession.create(bytes, { executionProviders: [executionProvider], graphOptimizationLevel: 'all', executionMode: 'sequential' }),
    provider: executionProvider,
  }),
});
