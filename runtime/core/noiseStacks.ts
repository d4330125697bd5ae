// The noise of one fused call, and the seam through which a host draws it ahead of time.
// The draw order is the one `steps` single steps take (step by step, each noise input in manifest
// order), so a fused call and single steps see the same stream. The trainer and the host's
// drawing worker (host/noiseAhead.ts) both draw with fillNoiseStacks, so both write the same bits.
import { allocate, type FloatArray } from './init';
import type { Rng } from './random';

/** The shape of one call's noise: `steps` steps of `per[i]` normals for noise input i. */
export interface NoiseLayout {
  readonly dtype: 'f32' | 'f64';
  readonly steps: number;
  readonly per: readonly number[];
}

/**
 * Fills `stacks[i]` ([steps × per[i]]) from `rng` in the single steps' order. `stop`, asked
 * between steps, abandons the draw (a prefetch nobody will use): then false, else true.
 */
export const fillNoiseStacks = (rng: Rng, stacks: readonly FloatArray[], layout: NoiseLayout, stop?: () => boolean): boolean => {
  for (let s = 0; s < layout.steps; s++) {
    if (stop?.()) return false;
    layout.per.forEach((per, i) => rng.fillNormal(stacks[i].subarray(s * per, (s + 1) * per)));
  }
  return true;
};

export const drawNoiseStacks = (rng: Rng, layout: NoiseLayout): FloatArray[] => {
  const stacks = layout.per.map((per) => allocate(layout.dtype, layout.steps * per));
  fillNoiseStacks(rng, stacks, layout);
  return stacks;
};

/** Stacks drawn from some stream state, and the state after them. */
export interface DrawnStacks {
  readonly stacks: readonly FloatArray[];
  readonly state: readonly number[];
}

/**
 * Draws the next fused call's noise while the current call runs (onnxruntime-node's `run` holds
 * the main thread, so this needs another thread: host/noiseAhead.ts). Keyed by the stream state
 * the draw starts from, so a prefetch is used only when it is exactly what the main thread would
 * draw; otherwise the caller draws as before. One per trainer (it follows one stream).
 */
export interface NoiseAhead {
  /** The prefetched stacks if the last ahead() started from `state` with `layout`; else undefined. */
  take(state: readonly number[], layout: NoiseLayout): Promise<DrawnStacks | undefined>;
  /** Start drawing `layout` from `state` into buffers other than those take() last returned. */
  ahead(state: readonly number[], layout: NoiseLayout): void;
  close(): Promise<void>;
}
