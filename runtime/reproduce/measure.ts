// The numbers the papers report, measured on a finished run: squared error per image, a linear
// probe, dead units, MMD between the aggregate posterior and the prior, the IWAE bound, and the
// disentanglement metric of Higgins et al. Encoders with a Gaussian head are evaluated here from
// the checkpoint (μ and log σ²), checked against the exported encode graph before use.
import * as E from 'fp-ts/Either';
import type { Dataset } from '../data/dataset';
import { FACTORS, GRID, SIDE, factorValues, renderShape } from '../data/shapes';
import type { OpenRun } from '../figures/run';
import { Rng } from '../random';
import { matmul } from './linalg';

/** Mean over images of Σ_pixels (x̂ − x)². */
export const squaredErrorPerImage = (x: ArrayLike<number>, xhat: ArrayLike<number>, n: number, d: number): number => {
  let s = 0;
  for (let i = 0; i < n * d; i++) s += (xhat[i] - x[i]) ** 2;
  return s / n;
};

export interface ProbeResult {
  readonly error: number;
  readonly protocol: string;
}

/**
 * Multinomial logistic regression on standardised features, trained with Adam (mini-batches of
 * 100, weight decay 1e-4) on `train`, tested on `test`. Deterministic.
 */
export const linearProbe = (
  train: { x: ArrayLike<number>; y: ArrayLike<number>; n: number },
  test: { x: ArrayLike<number>; y: ArrayLike<number>; n: number },
  d: number,
  epochs = 20,
): ProbeResult => {
  const classes = Math.max(...Array.from(train.y), ...Array.from(test.y)) + 1;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let i = 0; i < train.n; i++) for (let j = 0; j < d; j++) mean[j] += train.x[i * d + j] / train.n;
  for (let i = 0; i < train.n; i++) for (let j = 0; j < d; j++) sd[j] += (train.x[i * d + j] - mean[j]) ** 2 / train.n;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]) || 1;
  const feat = (x: ArrayLike<number>, n: number) => Float64Array.from({ length: n * d }, (_, i) => (x[i] - mean[i % d]) / sd[i % d]);
  const X = feat(train.x, train.n);
  const W = new Float64Array(d * classes);
  const b = new Float64Array(classes);
  const mW = new Float64Array(W.length);
  const vW = new Float64Array(W.length);
  const mb = new Float64Array(classes);
  const vb = new Float64Array(classes);
  const gW = new Float64Array(W.length);
  const gb = new Float64Array(classes);
  const logits = new Float64Array(classes);
  const rng = Rng.seeded(7);
  const lr = 1e-3;
  let t = 0;
  const batch = 100;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = rng.permutation(train.n);
    for (let s = 0; s < train.n; s += batch) {
      gW.fill(0);
      gb.fill(0);
      const end = Math.min(train.n, s + batch);
      for (let q = s; q < end; q++) {
        const i = order[q];
        for (let c = 0; c < classes; c++) logits[c] = b[c];
        for (let j = 0; j < d; j++) {
          const v = X[i * d + j];
          if (v !== 0) for (let c = 0; c < classes; c++) logits[c] += v * W[j * classes + c];
        }
        let mx = -Infinity;
        for (let c = 0; c < classes; c++) mx = Math.max(mx, logits[c]);
        let z = 0;
        for (let c = 0; c < classes; c++) z += (logits[c] = Math.exp(logits[c] - mx));
        for (let c = 0; c < classes; c++) logits[c] = logits[c] / z - (c === train.y[i] ? 1 : 0);
        for (let c = 0; c < classes; c++) gb[c] += logits[c];
        for (let j = 0; j < d; j++) {
          const v = X[i * d + j];
          if (v !== 0) for (let c = 0; c < classes; c++) gW[j * classes + c] += v * logits[c];
        }
      }
      t++;
      const m = end - s;
      const c1 = 1 - 0.9 ** t;
      const c2 = 1 - 0.999 ** t;
      for (let k = 0; k < W.length; k++) {
        const g = gW[k] / m + 1e-4 * W[k];
        mW[k] = 0.9 * mW[k] + 0.1 * g;
        vW[k] = 0.999 * vW[k] + 0.001 * g * g;
        W[k] -= (lr * mW[k]) / c1 / (Math.sqrt(vW[k] / c2) + 1e-8);
      }
      for (let c = 0; c < classes; c++) {
        const g = gb[c] / m;
        mb[c] = 0.9 * mb[c] + 0.1 * g;
        vb[c] = 0.999 * vb[c] + 0.001 * g * g;
        b[c] -= (lr * mb[c]) / c1 / (Math.sqrt(vb[c] / c2) + 1e-8);
      }
    }
  }
  const T = feat(test.x, test.n);
  let wrong = 0;
  for (let i = 0; i < test.n; i++) {
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0; c < classes; c++) {
      let v = b[c];
      for (let j = 0; j < d; j++) v += T[i * d + j] * W[j * classes + c];
      if (v > bestV) {
        bestV = v;
        best = c;
      }
    }
    if (best !== test.y[i]) wrong++;
  }
  return {
    error: wrong / test.n,
    protocol: `multinomial logistic regression on standardised features, Adam lr 1e-3, batch 100, weight decay 1e-4, ${epochs} epochs; trained on ${train.n}, tested on ${test.n}`,
  };
};

/** Units (columns of codes [n, h]) that are zero for every example. */
export const deadUnits = (codes: ArrayLike<number>, n: number, h: number): number => {
  let dead = 0;
  for (let j = 0; j < h; j++) {
    let alive = false;
    for (let i = 0; i < n && !alive; i++) alive = codes[i * h + j] !== 0;
    if (!alive) dead++;
  }
  return dead;
};

/** Biased MMD² with the RBF kernel exp(−‖a − b‖² / d), as the mmd term of the DSL. */
export const mmdRbf = (a: ArrayLike<number>, b: ArrayLike<number>, n: number, d: number): number => {
  const meanK = (p: ArrayLike<number>, q: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let d2 = 0;
        for (let t = 0; t < d; t++) d2 += (p[i * d + t] - q[j * d + t]) ** 2;
        s += Math.exp(-d2 / d);
      }
    return s / (n * n);
  };
  return meanK(a, a) + meanK(b, b) - 2 * meanK(a, b);
};

export interface GaussianCodes {
  readonly mean: Float64Array;
  readonly logVar: Float64Array;
}

/**
 * μ and log σ² of an MLP encoder (dense layers with ReLU, then the Gaussian head), computed from
 * the checkpoint. Left when the encoder is not of that form or disagrees with encode.onnx.
 */
export const gaussianEncoder = async (run: OpenRun): Promise<E.Either<string, (x: ArrayLike<number>, n: number) => Promise<GaussianCodes>>> => {
  const names = run.manifest.params.map((p) => p.name).filter((p) => p.startsWith('encoder.'));
  const layers: { W: string; b: string; out: number }[] = [];
  for (let i = 0; names.includes(`encoder.dense${i}.W`); i++) {
    const shape = run.manifest.params.find((p) => p.name === `encoder.dense${i}.W`)!.shape;
    layers.push({ W: `encoder.dense${i}.W`, b: `encoder.dense${i}.b`, out: shape[1] });
  }
  const head = ['mean', 'logVar'].map((k) => ({ W: `encoder.gaussian0.${k}.W`, b: `encoder.gaussian0.${k}.b` }));
  const known = new Set([...layers.flatMap((l) => [l.W, l.b]), ...head.flatMap((h) => [h.W, h.b])]);
  if (!head.every((h) => names.includes(h.W)) || names.some((n) => !known.has(n)))
    return E.left(`${run.run.model}: the encoder is not dense layers with ReLU and a Gaussian head`);
  const t = run.tensors;
  const forward = async (x: ArrayLike<number>, n: number): Promise<GaussianCodes> => {
    let h: Float64Array = Float64Array.from(x as ArrayLike<number>);
    let width = run.dim;
    for (const l of layers) {
      h = await matmul(h, n, width, t[l.W], l.out);
      for (let i = 0; i < h.length; i++) h[i] = Math.max(0, h[i] + t[l.b][i % l.out]);
      width = l.out;
    }
    const [mean, logVar] = await Promise.all(
      head.map(async (hd) => {
        const o = await matmul(h, n, width, t[hd.W], run.codeDim);
        for (let i = 0; i < o.length; i++) o[i] += t[hd.b][i % run.codeDim];
        return o;
      }),
    );
    return { mean, logVar };
  };
  // Check the reading of the architecture against the exported graph on a few examples.
  const probe = Float32Array.from({ length: 8 * run.dim }, (_, i) => ((i * 7919) % 101) / 100);
  const ours = await forward(probe, 8);
  const theirs = await (await run.graph('encode'))(probe, 8);
  const diff = Math.max(...Array.from(theirs, (v, i) => Math.abs(v - ours.mean[i])));
  if (!(diff < 1e-3 * (1 + Math.max(...Array.from(theirs, Math.abs)))))
    return E.left(`${run.run.model}: the encoder read from the checkpoint disagrees with encode.onnx (max |Δμ| = ${diff})`);
  return E.right(forward);
};

/** One sample z ~ q(z | x) per row. */
export const sampleCodes = (q: GaussianCodes, rng: Rng): Float64Array => Float64Array.from(q.mean, (m, i) => m + Math.exp(0.5 * q.logVar[i]) * rng.normal());

const LOG2PI = Math.log(2 * Math.PI);

/**
 * The importance-weighted bound (Burda et al. 2015) on log p(x) in nats, averaged over `n`
 * examples, for a Bernoulli decoder: decode gives the pixel means (clamped to [1e-7, 1 − 1e-7]).
 */
export const iwaeBound = async (
  run: OpenRun,
  enc: (x: ArrayLike<number>, n: number) => Promise<GaussianCodes>,
  x: Float32Array,
  n: number,
  K: number,
  seed = 3,
): Promise<number> => {
  const d = run.dim;
  const dz = run.codeDim;
  const dec = await run.graph('decode');
  const rng = Rng.seeded(seed);
  let total = 0;
  const chunk = Math.max(1, Math.floor(4000 / K));
  for (let s = 0; s < n; s += chunk) {
    const m = Math.min(chunk, n - s);
    const q = await enc(x.subarray(s * d, (s + m) * d), m);
    const z = new Float32Array(m * K * dz);
    const logw = new Float64Array(m * K);
    for (let i = 0; i < m; i++)
      for (let k = 0; k < K; k++) {
        let lp = 0;
        let lq = 0;
        for (let j = 0; j < dz; j++) {
          const mu = q.mean[i * dz + j];
          const lv = q.logVar[i * dz + j];
          const e = rng.normal();
          const v = mu + Math.exp(0.5 * lv) * e;
          z[(i * K + k) * dz + j] = v;
          lp += -0.5 * (LOG2PI + v * v);
          lq += -0.5 * (LOG2PI + lv + e * e);
        }
        logw[i * K + k] = lp - lq;
      }
    const xhat = await dec(z, m * K);
    for (let i = 0; i < m; i++) {
      let mx = -Infinity;
      for (let k = 0; k < K; k++) {
        let ll = 0;
        const o = (i * K + k) * d;
        for (let p = 0; p < d; p++) {
          const mean = Math.min(1 - 1e-7, Math.max(1e-7, xhat[o + p]));
          const v = x[(s + i) * d + p];
          ll += v * Math.log(mean) + (1 - v) * Math.log(1 - mean);
        }
        logw[i * K + k] += ll;
        mx = Math.max(mx, logw[i * K + k]);
      }
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(logw[i * K + k] - mx);
      total += mx + Math.log(sum / K);
    }
  }
  return total / n;
};

export interface Disentanglement {
  readonly accuracy: number;
  readonly protocol: string;
}

/** Grid indices of a random shapes example. */
const randomFactors = (rng: Rng): number[] => FACTORS.map((f) => Math.min(GRID[f] - 1, Math.floor(rng.uniform() * GRID[f])));

/**
 * Higgins et al. 2017's metric: pick a factor y, draw L pairs of shapes sharing y's value (all
 * other factors random), average |code₁ − code₂| over the pairs, and train a linear classifier
 * to predict y from that average; report its test accuracy. `codes` maps images to codes.
 */
export const disentanglement = async (
  codes: (images: Float32Array, factors: Float32Array, n: number) => Promise<ArrayLike<number>>,
  codeDim: number,
  o: { readonly L: number; readonly train: number; readonly test: number; readonly seed?: number },
): Promise<Disentanglement> => {
  const rng = Rng.seeded(o.seed ?? 11);
  const dim = SIDE * SIDE;
  const points = async (count: number) => {
    const x = new Float64Array(count * codeDim);
    const y = new Uint8Array(count);
    for (let p = 0; p < count; p++) {
      const factor = Math.floor(rng.uniform() * FACTORS.length);
      y[p] = factor;
      const images = new Float32Array(2 * o.L * dim);
      const factors = new Float32Array(2 * o.L * FACTORS.length);
      for (let l = 0; l < o.L; l++) {
        const a = randomFactors(rng);
        const b = randomFactors(rng);
        b[factor] = a[factor];
        [a, b].forEach((f, k) => {
          renderShape(images, (2 * l + k) * dim, factorValues(f));
          factors.set(scaledFactors(f), (2 * l + k) * FACTORS.length);
        });
      }
      const z = await codes(images, factors, 2 * o.L);
      for (let l = 0; l < o.L; l++)
        for (let j = 0; j < codeDim; j++) x[p * codeDim + j] += Math.abs(z[2 * l * codeDim + j] - z[(2 * l + 1) * codeDim + j]) / o.L;
    }
    return { x, y, n: count };
  };
  const train = await points(o.train);
  const test = await points(o.test);
  const probe = linearProbe(train, test, codeDim, 200);
  return {
    accuracy: 1 - probe.error,
    protocol: `pairs share one of ${FACTORS.length} factors (${FACTORS.join(', ')}), L = ${o.L} pairs a point, ${o.train} training and ${o.test} test points; classifier: ${probe.protocol.replace(/; trained.*/, '')}`,
  };
};

/** Grid indices scaled to [0, 1]: the true factors used as codes (the metric's upper sanity row). */
export const scaledFactors = (idx: readonly number[]): number[] => FACTORS.map((f, i) => idx[i] / (GRID[f] - 1));

export type { Dataset };
