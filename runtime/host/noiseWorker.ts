// The drawing side of host/noiseAhead.ts, run in a worker thread: draws one fused call's noise
// into the buffers it is handed, from the stream state it is sent, with the trainer's own loop
// (core/noiseStacks.ts), and hands the buffers back with the state after the draw, or null when
// the main thread cancelled it (checked between iterations).
import { parentPort } from 'node:worker_threads';
import type { FloatArray } from '../core/init';
import { fillNoiseStacks, stackSizes, type NoiseLayout } from '../core/noiseStacks';
import { Rng } from '../core/random';

export interface NoiseJob {
  readonly id: number;
  readonly state: readonly number[];
  readonly layout: NoiseLayout;
  /** One per stack of the layout, at least its size in elements of the layout's dtype; transferred. */
  readonly buffers: readonly ArrayBuffer[];
  /** Int32 [1]: set to 1 by the main thread to abandon the draw. */
  readonly cancel: SharedArrayBuffer;
}

export interface NoiseDone {
  readonly id: number;
  readonly state: number[] | null;
  /** The job's buffers, transferred back. */
  readonly buffers: readonly ArrayBuffer[];
}

/** A stack's view of its buffer (onnxruntime-node refuses views of a SharedArrayBuffer, so these are plain, transferred ones). */
export const floatsOf = (dtype: 'f32' | 'f64', b: ArrayBuffer, n: number): FloatArray => (dtype === 'f64' ? new Float64Array(b, 0, n) : new Float32Array(b, 0, n));

export const serveNoise = (): void => {
  const port = parentPort;
  if (!port) throw new Error('serveNoise runs in a worker thread');
  port.on('message', (job: NoiseJob) => {
    const cancel = new Int32Array(job.cancel);
    const sizes = stackSizes(job.layout);
    const stacks = job.buffers.map((b, i) => floatsOf(job.layout.dtype, b, sizes[i]));
    const rng = Rng.fromState(job.state);
    const whole = fillNoiseStacks(rng, stacks, job.layout, () => Atomics.load(cancel, 0) === 1);
    port.postMessage({ id: job.id, state: whole ? rng.state() : null, buffers: job.buffers } satisfies NoiseDone, [...job.buffers]);
  });
};
