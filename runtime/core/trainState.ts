// The pure start of training, shared by the Node trainer and the browser page: seeded initial
// parameters and optimizer state, and the noise stream's seed.
// No onnxruntime and no Node modules here, so both runtimes import this very file.
import type { Manifest } from '../../compiler/manifest';
import { initialValues, type FloatArray } from './init';
import { Rng } from './random';
import { aePlan, type TrainPlan } from './trainPlan';

/** A plan's carried tensors, drawn in its order from one stream seeded by `seed`. */
export const initialValuesOf = (plan: Pick<TrainPlan, 'state' | 'dtype'>, seed: number): Record<string, FloatArray> => {
  const rng = Rng.seeded(seed);
  const out: Record<string, FloatArray> = {};
  for (const s of plan.state) out[s.name] = initialValues(s.init, s.shape, plan.dtype, rng);
  return out;
};

/** Parameters, then optimizer state, drawn in manifest order from one stream seeded by `seed`. */
export const initialState = (m: Manifest, seed: number): Record<string, FloatArray> => initialValuesOf(aePlan(m), seed);

/** The training noise stream is seeded apart from initialisation, so the two never overlap. */
export const noiseRng = (seed: number): Rng => Rng.seeded(seed ^ 0x9e3779b9);
