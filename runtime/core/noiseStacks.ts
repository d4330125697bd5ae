// The noise of one fused call, and the seam through which a host draws it ahead of time.
// The draw order is the one `steps` single steps take (step by step, each noise input in manifest
// order), so a fused call and single steps see the same stream. The trainer and the host's
// drawing worker (host/noiseAhead.ts) both draw with fillNoiseStacks, so both write the same bits.
import { allocate, type FloatArray } from './init';
import type { Rng } from './random';

/**
 * The shape of one fused call's noise, in the order single steps draw it: `iterations` times, each
 * group in turn (a step graph of the call: an autoencoder has one, a GAN round two), `times` draws
 * of the group (a step repeated within an iteration), each draw one block of `per[i]` normals for
 * each of the group's noise inputs in order. One stack per (group, input), in that order, of
 * iterations × times × per[i] normals.
 */
export interface NoiseLayout {
  readonly dtype: 'f32' | 'f64';
  readonly iterations: number;
  readonly groups: readonly { readonly times: number; readonly per: readonly number[] }[];
}

export const stackSizes = (l: NoiseLayout): number[] => l.groups.flatMap((g) => g.per.map((per) => l.iterations * g.times * per));

/**
 * Fills the layout's stacks from `rng` in the single steps' order. `stop`, asked before each
 * iteration, abandons the draw (a prefetch nobody will use): then false, else true.
 */
export const fillNoiseStacks = (rng: Rng, stacks: readonly FloatArray[], l: NoiseLayout, stop?: () => boolean): boolean => {
  for (let s = 0; s < l.iterations; s++) {
    if (stop?.()) return false;
    let first = 0;
    for (const g of l.groups) {
      for (let j = 0; j < g.times; j++) {
        const slot = s * g.times + j;
        g.per.forEach((per, i) => rng.fillNormal(stacks[first + i].subarray(slot * per, (slot + 1) * per)));
      }
      first += g.per.length;
    }
  }
  return true;
};

export const drawNoiseStacks = (rng: Rng, layout: NoiseLayout): FloatArray[] => {
  const stacks = stackSizes(layout).map((n) => allocate(layout.dtype, n));
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
