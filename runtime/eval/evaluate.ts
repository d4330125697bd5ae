// One evaluation of a run on a data set: the metrics asked for, each with the protocol it
// followed, as one plain object (the CLI prints it as a table or JSON; reports read it directly).
import type { Dataset } from '../data/dataset';
import type { OpenedRun } from './model';
import { evaluateObjective, type ObjectiveResult } from './objective';
import { iwaeBound, type IwaeResult } from './iwae';
import { linearProbe, type ProbeOptions, type ProbeResult } from './probe';

export interface EvaluateOptions {
  /** Noise draws averaged for the objective (default 1). */
  readonly samples?: number;
  /** K for the IWAE bound; absent: no IWAE. */
  readonly iwae?: number;
  readonly seed?: number;
  /** Labelled rows the linear probe trains on (codes and raw pixels); absent: no probe. */
  readonly probeTrain?: Dataset;
  readonly probe?: ProbeOptions;
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
  /** One line per metric saying how it was computed. */
  readonly protocol: Readonly<Record<string, string>>;
}

export const isSkipped = (x: unknown): x is Skipped => typeof x === 'object' && x !== null && 'skipped' in x;

export const evaluateRun = async (opened: OpenedRun, data: Dataset, meta: { data: string; split: string }, o: EvaluateOptions = {}): Promise<Evaluation> => {
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
  if (o.probeTrain) {
    const pt = o.probeTrain;
    if (!pt.labels || !data.labels) out.probe = { skipped: `${pt.labels ? meta.data : pt.name} has no labels` };
    else {
      const codesOf = async (d: Dataset) => ({ x: await model.encode(d.images, d.n), labels: d.labels!, n: d.n, dim: model.codeDim });
      const codes = await linearProbe(await codesOf(pt), await codesOf(data), o.probe);
      const pixels = await linearProbe({ x: pt.images, labels: pt.labels, n: pt.n, dim: pt.dim }, { x: data.images, labels: data.labels, n: data.n, dim: data.dim }, o.probe);
      out.probe = { codes, pixels };
      protocol.probe = `trained on ${pt.n} rows of ${pt.name}, tested on the ${data.n} evaluated rows; codes = the encoder's deterministic output (μ for Gaussian encoders); ${codes.protocol.replace(/ on \d+ rows;/, ';').replace(/ on \d+ test rows$/, '')}; the same probe on the raw inputs is the baseline`;
    }
  }
  return out;
};
