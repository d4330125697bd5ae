// One evaluation of a run on a data set: the metrics asked for, each with the protocol it
// followed, as one plain object (the CLI prints it as a table or JSON; reports read it directly).
import * as E from 'fp-ts/Either';
import type { Dataset } from '../../core/dataset';
import type { EvalRun } from './model';
import { evaluateObjective, type ObjectiveResult } from './objective';
import { iwaeBound, type IwaeResult } from './iwae';
import { linearProbe, type ProbeOptions, type ProbeResult } from './probe';
import { comparePca, type PcaComparison } from './pca';
import { aggregatePosteriorMmd, type MmdResult } from './mmd';
import { higginsMetric, renderFactors, type DisentanglementOptions, type DisentanglementResult } from './disentanglement';
import { SIDE } from '../../host/data/shapes';
import { PIXELS } from './digitClassifier';
import { digitGeneratorQuality, type GeneratorQualityOptions } from './generatorQuality';
import type { SampleQuality } from './sampleQuality';

export interface EvaluateOptions {
  /** Noise draws averaged for the objective (default 1). */
  readonly samples?: number;
  /** K for the IWAE bound; absent: no IWAE. */
  readonly iwae?: number;
  readonly seed?: number;
  /** The run's training rows: what the linear probe trains on and PCA is fitted to. */
  readonly trainRows?: Dataset;
  /** Run the linear probe (codes vs raw inputs); needs trainRows with labels. */
  readonly probe?: boolean | ProbeOptions;
  /** Compare with PCA (linear decoders); needs trainRows. */
  readonly pca?: boolean;
  /** MMD between the aggregate posterior and N(0, I) on the first `mmd` rows (true: 2000). */
  readonly mmd?: boolean | number;
  /** Higgins et al. 2017 on generated shapes pairs (models of 64×64 shapes images). */
  readonly disentanglement?: boolean | DisentanglementOptions;
  /** The digit generator's sample quality (decodings of z ~ N(0, I); models of 28×28 images with a prior). */
  readonly sampleQuality?: boolean | GeneratorQualityOptions;
}

export interface ProbeComparison {
  /** The probe on the model's codes … */
  readonly codes: ProbeResult;
  /** … and the same probe on the raw inputs, the baseline. */
  readonly pixels: ProbeResult;
}

/** A metric that could not be computed for this model, and why. */
export interface Skipped {
  readonly skipped: string;
}

export interface Evaluation {
  readonly run: string;
  readonly model: string;
  readonly data: string;
  readonly split: string;
  readonly n: number;
  readonly graphs: string;
  readonly notes: readonly string[];
  readonly objective: ObjectiveResult;
  readonly iwae?: IwaeResult | Skipped;
  readonly probe?: ProbeComparison | Skipped;
  readonly pca?: PcaComparison | Skipped;
  readonly mmd?: MmdResult;
  readonly disentanglement?: DisentanglementResult | Skipped;
  readonly sampleQuality?: SampleQuality | Skipped;
  /** One line per metric saying how it was computed. */
  readonly protocol: Readonly<Record<string, string>>;
}

export const isSkipped = (x: unknown): x is Skipped => typeof x === 'object' && x !== null && 'skipped' in x;

export const evaluateRun = async (opened: EvalRun, data: Dataset, meta: { data: string; split: string }, o: EvaluateOptions = {}): Promise<Evaluation> => {
  const { model, run } = opened;
  const seed = o.seed ?? 1;
  const protocol: Record<string, string> = {};
  const objective = await evaluateObjective(model, data.images, data.n, { samples: o.samples, seed });
  protocol.objective = `each term's batch mean (batches of 500) weighted into a mean over all ${data.n} rows, averaged over ${objective.samples} noise draw(s) from seed ${seed}; squared error = mean over images of Σ (decode(encode(x)) − x)²`;
  const out: { -readonly [K in keyof Evaluation]: Evaluation[K] } = {
    run: run.dir,
    model: run.model,
    data: meta.data,
    split: meta.split,
    n: data.n,
    graphs: model.source,
    notes: opened.notes,
    objective,
    protocol,
  };
  if (o.iwae !== undefined) {
    if (!model.hasPosterior || !model.likelihood) out.iwae = { skipped: model.hasPosterior ? 'no decoder-output graph (give the spec)' : 'the encoder is not Gaussian' };
    else {
      out.iwae = await iwaeBound(model, data.images, data.n, o.iwae, { seed });
      protocol.iwae = `Burda et al. 2015: per example log (1/K) Σ_k p(x|z_k) p(z_k) / q(z_k|x), K = ${o.iwae}, z_k ~ q(z|x), prior N(0, I), ${model.likelihood} likelihood with its constants; in nats, averaged over the ${data.n} rows; elbo = mean log-weight of the same samples`;
    }
  }
  const needsTrain = (what: string): Skipped => ({ skipped: `${what} needs the run's training rows` });
  if (o.probe) {
    const pt = o.trainRows;
    const probeOpts = typeof o.probe === 'object' ? o.probe : {};
    if (!pt) out.probe = needsTrain('the probe');
    else if (!pt.labels || !data.labels) out.probe = { skipped: `${pt.labels ? meta.data : pt.name} has no labels` };
    else {
      const codesOf = async (d: Dataset) => ({ x: await model.encode(d.images, d.n), labels: d.labels!, n: d.n, dim: model.codeDim });
      const codes = await linearProbe(await codesOf(pt), await codesOf(data), probeOpts);
      const pixels = await linearProbe({ x: pt.images, labels: pt.labels, n: pt.n, dim: pt.dim }, { x: data.images, labels: data.labels, n: data.n, dim: data.dim }, probeOpts);
      out.probe = { codes, pixels };
      protocol.probe = `trained on ${pt.n} rows of ${pt.name}, tested on the ${data.n} evaluated rows; codes = the encoder's deterministic output (μ for Gaussian encoders); ${codes.protocol.replace(/ on \d+ rows;/, ';').replace(/ on \d+ test rows$/, '')}; the same probe on the raw inputs is the baseline`;
    }
  }
  if (o.pca) {
    if (!o.trainRows) out.pca = needsTrain('PCA');
    else {
      const c = await comparePca(model, o.trainRows, data);
      out.pca = c ?? { skipped: 'the decoder is not affine (PCA compares linear autoencoders)' };
      if (c) protocol.pca = c.protocol;
    }
  }
  if (o.mmd) {
    out.mmd = await aggregatePosteriorMmd(model, data.images, data.n, { seed, limit: typeof o.mmd === 'number' ? o.mmd : undefined });
    protocol.mmd = out.mmd.protocol;
  }
  if (o.disentanglement) {
    if (model.inputDim !== SIDE * SIDE) out.disentanglement = { skipped: `the metric generates ${SIDE}×${SIDE} shapes images; the model takes ${model.inputDim} values` };
    else {
      const dOpts = typeof o.disentanglement === 'object' ? o.disentanglement : {};
      const r = await higginsMetric(async (f, count) => ({ codes: await model.encode(renderFactors(f, count), count), dim: model.codeDim }), { seed, ...dOpts });
      out.disentanglement = r;
      protocol.disentanglement = r.protocol;
    }
  }
  if (o.sampleQuality) {
    if (!model.hasPosterior) out.sampleQuality = { skipped: 'the model has no prior to sample (no Gaussian encoder)' };
    else if (model.inputDim !== PIXELS) out.sampleQuality = { skipped: `the metric's classifier reads 28×28 digits; the model draws ${model.inputDim} values` };
    else {
      const q = await digitGeneratorQuality((z, n) => model.decode(z, n), model.codeDim, typeof o.sampleQuality === 'object' ? o.sampleQuality : {});
      if (E.isLeft(q)) out.sampleQuality = { skipped: q.left };
      else {
        const { images: _images, ...quality } = q.right;
        out.sampleQuality = quality;
        protocol.sampleQuality = `decodings (the likelihood's mean) of z ~ N(0, I); ${quality.protocol}`;
      }
    }
  }
  return out;
};
