// The pure start of training, shared by the Node trainer and the browser page: seeded initial
// parameters and optimizer state, the noise stream's seed, and how each step's noise is drawn.
// No onnxruntime and no Node modules here, so both runtimes import this very file.
import type { Manifest } from '../../compiler/manifest';
import { allocate, initialValues, type FloatArray } from './init';
import { Rng } from './random';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Parameters, then optimizer state, drawn in manifest order from one stream seeded by `seed`. */
export const initialState = (m: Manifest, seed: number): Record<string, FloatArray> => {
  const rng = Rng.seeded(seed);
  const out: Record<string, FloatArray> = {};
  for (const p of m.params) out[p.name] = initialValues(p.init, p.shape, m.dtype, rng);
  for (const s of m.optimizer.state) out[s.name] = initialValues(s.init, s.shape, m.dtype, rng);
  return out;
};

/** The training noise stream is seeded apart from initialisation, so the two never overlap. */
export const noiseRng = (seed: number): Rng => Rng.seeded(seed ^ 0x9e3779b9);

/** One step's noise feeds (`noise.<name>`: [batch, ...shape]), drawn in manifest order. */
export const drawNoise = (m: Manifest, batch: number, rng: Rng): Record<string, FloatArray> => {
  const out: Record<string, FloatArray> = {};
  for (const nz of m.noise) {
    const eps = allocate(m.dtype, batch * size(nz.shape));
    rng.fillNormal(eps);
    out[`noise.${nz.name}`] = eps;
  }
  return out;
};

/** What both onnxruntime bindings return per output: a tensor with its values in `data`. */
type Outputs<T extends { readonly data: unknown }> = Readonly<Record<string, T>>;
const at = (t: { readonly data: unknown }, i: number) => Number((t.data as ArrayLike<number>)[i]);

/** The loss and each term of one step's outputs. */
export const stepLosses = <T extends { readonly data: unknown }>(m: Manifest, out: Outputs<T>): Record<string, number> => {
  const r: Record<string, number> = { loss: at(out[m.lossOutput], 0) };
  for (const t of m.terms) r[t.name] = at(out[t.output], 0);
  return r;
};

/** The next call's carried inputs (parameters and optimizer state), from this call's outputs. */
export const nextCarried = <T extends { readonly data: unknown }>(m: Manifest, out: Outputs<T>): Record<string, T> =>
  Object.fromEntries(m.carry.map((c) => [c.input, out[c.output]]));

/** The loss and terms of each of the `steps` steps of one fused call, from its stacked outputs. */
export const fusedLosses = <T extends { readonly data: unknown }>(m: Manifest, out: Outputs<T>, steps: number): Record<string, number>[] => {
  const per = Object.fromEntries(m.multiStep.perStep.map((p) => [p.output, out[p.name]]));
  return Array.from({ length: steps }, (_, s) => {
    const r: Record<string, number> = { loss: at(per[m.lossOutput], s) };
    for (const t of m.terms) r[t.name] = at(per[t.output], s);
    return r;
  });
};
