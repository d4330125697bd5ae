// hourglass evaluate <run-dir> --data <data>: the metrics of a trained model on a data set, as a
// table or one JSON object.
import { outsideRange } from '../../host/data/range';
import { Command, Option } from 'commander';
import * as E from 'fp-ts/Either';
import type { ModelDef } from '../../../compiler/model';
import type { Evaluation, Skipped } from '../../analysis/eval/evaluate';
import type { SampleQuality } from '../../analysis/eval/sampleQuality';
import { SPLITS, type SplitName, type SplitRecord } from '../../run/finished';
import type { RunDir } from '../../run/open';
import type { Dataset } from '../../core/dataset';
import { CliError, integer, positiveInt, EXIT } from '../../core/failure';
import { threadsFlag } from '../threadsFlag';
import { loadSpecWithParams } from '../../host/spec/loadSpec';
import { arg } from '../arg';

export interface EvaluateOpts {
  readonly data: string;
  readonly split: SplitName;
  readonly samples: number;
  readonly iwae?: number;
  readonly seed: number;
  readonly limit?: number;
  readonly threads?: number;
  readonly json: boolean;
  readonly probe: boolean;
  readonly probeEpochs: number;
  readonly probeLimit?: number;
  readonly pca: boolean;
  readonly mmd: boolean;
  readonly disentanglement: boolean;
  readonly L: number;
  readonly points: number;
  readonly sampleQuality: boolean;
}

const orExit = <A>(e: E.Either<{ message: string; exitCode: number }, A>): A => {
  if (E.isLeft(e)) throw new CliError(e.left.message, e.left.exitCode);
  return e.right;
};

/** The run's spec rebuilt with its recorded parameters, or why not (evaluation then uses the run's artifacts). */
const specOf = async (spec: string, params: Readonly<Record<string, number | string>>): Promise<{ model?: ModelDef; note?: string }> => {
  if (!spec) return { note: 'run.json names no spec' };
  const r = await loadSpecWithParams(spec, { typecheck: false, set: Object.entries(params).map(([k, v]) => `${k}=${v}`) });
  return E.isRight(r) ? { model: r.right.model } : { note: `the spec could not be rebuilt (${r.left.message}); evaluating the run's own artifacts` };
};

/** The probe trains on, and PCA is fitted to, the run's own training rows (the first `limit` of them). */
const runTrainRows = (r: RunDir, split: SplitRecord, limit?: number): Dataset => {
  const train = orExit(r.rows(split.data, 'train'));
  if (limit === undefined || limit >= train.n) return train;
  return { ...train, n: limit, images: train.images.subarray(0, limit * train.dim), labels: train.labels?.subarray(0, limit) };
};

/** A metric that did not apply (as eval/evaluate marks it; checked here so the table needs no onnxruntime). */
const isSkipped = (x: unknown): x is Skipped => typeof x === 'object' && x !== null && 'skipped' in x;

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

const num = (x: number) => (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(4) : x.toFixed(4));

/** Rows of (metric, value) for the table. */
export const tableRows = (ev: Evaluation): [string, string][] => {
  const rows: [string, string][] = [];
  const o = ev.objective;
  for (const [k, v] of Object.entries(o.terms)) rows.push([k === 'loss' ? 'objective (total)' : `term ${k}`, `${num(v)}${o.samples > 1 ? ` ± ${num(o.spread[k])}` : ''}`]);
  rows.push(['squared error per image', num(o.squaredError)]);
  if (ev.iwae) {
    if (isSkipped(ev.iwae)) rows.push(['iwae', `skipped: ${ev.iwae.skipped}`]);
    else {
      rows.push([`log p(x) ≥ IWAE (K = ${ev.iwae.k}), nats`, num(ev.iwae.iwae)]);
      rows.push(['log p(x) ≥ ELBO (same samples), nats', num(ev.iwae.elbo)]);
    }
  }
  if (ev.probe) {
    if (isSkipped(ev.probe)) rows.push(['linear probe', `skipped: ${ev.probe.skipped}`]);
    else {
      rows.push([`linear probe error on codes (${ev.probe.codes.features} features)`, `${pct(ev.probe.codes.testError)} (train ${pct(ev.probe.codes.trainError)})`]);
      rows.push([`linear probe error on raw inputs (${ev.probe.pixels.features} features)`, `${pct(ev.probe.pixels.testError)} (train ${pct(ev.probe.pixels.trainError)})`]);
    }
  }
  if (ev.pca) {
    if (isSkipped(ev.pca)) rows.push(['pca', `skipped: ${ev.pca.skipped}`]);
    else {
      rows.push([`principal angles to the top-${ev.pca.r} PCA subspace, degrees`, ev.pca.anglesDegrees.map((a) => a.toFixed(2)).join(', ')]);
      rows.push(['squared error per image: autoencoder / PCA', `${num(ev.pca.aeError)} / ${num(ev.pca.pcaError)} = ${ev.pca.errorRatio.toFixed(4)}`]);
    }
  }
  if (ev.disentanglement) {
    if (isSkipped(ev.disentanglement)) rows.push(['disentanglement (Higgins et al. 2017)', `skipped: ${ev.disentanglement.skipped}`]);
    else rows.push(['disentanglement (Higgins et al. 2017) accuracy', `${pct(ev.disentanglement.accuracy)} (chance ${pct(ev.disentanglement.chance)}; train ${pct(ev.disentanglement.trainAccuracy)})`]);
  }
  if (ev.mmd) rows.push([`MMD² aggregate posterior vs N(0, I) (${ev.mmd.m} rows)`, num(ev.mmd.mmd2)]);
  if (ev.sampleQuality) {
    if (isSkipped(ev.sampleQuality)) rows.push(['sample quality', `skipped: ${ev.sampleQuality.skipped}`]);
    else rows.push(...qualityTableRows(ev.sampleQuality));
  }
  return rows;
};

/** The sample-quality metric's three figures as (metric, value) rows, each beside real held-out digits'. */
export const qualityTableRows = (q: SampleQuality): [string, string][] => [
  [`samples classified with confidence ≥ 0.9 (${q.samples} samples)`, `${pct(q.confident)} (real held-out digits ${pct(q.confidentReal)})`],
  ['entropy of the predicted classes, nats (log 10 = 2.303)', `${q.classEntropy.toFixed(4)} (real ${q.classEntropyReal.toFixed(4)})`],
  [`Fréchet distance to ${q.real} held-out digits (classifier features)`, num(q.frechet)],
];

/** `evaluate` of a GAN run: the generator's sample quality, the one metric that applies. */
const evaluateGan = async (dir: string, o: EvaluateOpts): Promise<void> => {
  if (!o.sampleQuality) throw new CliError(`${dir}: a GAN run (gan.json); of evaluate's metrics only --sample-quality applies to it`, EXIT.usage);
  if (o.data !== 'mnist') throw new CliError(`--data ${o.data}: a GAN's samples are compared with the digits' held-out split; pass --data mnist`, EXIT.usage);
  const [{ openGanGenerator }, { digitGeneratorQuality }] = await Promise.all([import('../../analysis/eval/ganGenerator'), import('../../analysis/eval/generatorQuality')]);
  const g = await openGanGenerator(dir, { threads: o.threads });
  if (E.isLeft(g)) throw new CliError(g.left, EXIT.dataErr);
  const q = await digitGeneratorQuality(g.right.generate, g.right.latent, { threads: o.threads, seed: o.seed === 1 ? undefined : o.seed, log: (line) => console.error(line) });
  if (E.isLeft(q)) throw new CliError(`${dir}: ${q.left}`, EXIT.dataErr);
  const { images: _images, ...quality } = q.right;
  if (o.json) {
    console.log(JSON.stringify({ run: dir, model: g.right.model, rounds: g.right.rounds, sampleQuality: quality }));
    return;
  }
  const rows = qualityTableRows(quality);
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log([`${g.right.model} (${dir}), a GAN after ${g.right.rounds} rounds`, '', ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`), '', 'protocol:', `  sampleQuality: ${quality.protocol}`].join('\n'));
};

export const formatTable = (ev: Evaluation): string => {
  const rows = tableRows(ev);
  const w = Math.max(...rows.map((r) => r[0].length));
  const lines = [`${ev.model} (${ev.run}) on ${ev.data}, split ${ev.split}: ${ev.n} rows; graphs: ${ev.graphs}`];
  for (const n of ev.notes) lines.push(`note: ${n}`);
  lines.push('', ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`), '', 'protocol:');
  for (const [k, v] of Object.entries(ev.protocol)) lines.push(`  ${k}: ${v}`);
  return lines.join('\n');
};

export const evaluateCommand = async (dir: string, o: EvaluateOpts): Promise<void> => {
  // Loaded here, not at start-up: opening a run brings onnxruntime.
  const [{ evaluateRun }, { openEvalRun }, { runDir }, { isGanRun }] = await Promise.all([
    import('../../analysis/eval/evaluate'),
    import('../../analysis/eval/model'),
    import('../../run/open'),
    import('../../analysis/eval/ganGenerator'),
  ]);
  if (isGanRun(dir)) return evaluateGan(dir, o);
  const r = runDir(dir);
  const run = orExit(r.record());
  const { model, note } = await specOf(run.spec, run.params);
  const opened = orExit(await openEvalRun(r, { model, threads: o.threads }));
  let data = orExit(r.rows(o.data, o.split));
  if (data.dim !== opened.model.inputDim) throw new CliError(`${o.data}: examples have ${data.dim} values, the model expects [${run.manifest.inputShape.join(', ')}]`, EXIT.dataErr);
  if (o.limit !== undefined && o.limit < data.n) data = { ...data, n: o.limit, images: data.images.subarray(0, o.limit * data.dim) };
  const range = outsideRange(o.data, data.images, run.manifest.dataRange, run.manifest.model ?? dir);
  if (range) throw new CliError(range, EXIT.dataErr);
  const trainRows = o.probe || o.pca ? runTrainRows(r, run.split, o.probeLimit) : undefined;
  const ev = await evaluateRun({ ...opened, notes: note ? [note, ...opened.notes] : opened.notes }, data, { data: o.data, split: o.split }, {
    samples: o.samples,
    iwae: o.iwae,
    seed: o.seed,
    trainRows,
    probe: o.probe && { epochs: o.probeEpochs, seed: o.seed, threads: o.threads },
    pca: o.pca,
    mmd: o.mmd,
    disentanglement: o.disentanglement && { L: o.L, trainPoints: o.points, testPoints: o.points, probe: { threads: o.threads } },
    sampleQuality: o.sampleQuality && { threads: o.threads, log: (line) => console.error(line) },
  });
  // A NaN or infinite result is no measurement: an error, not a table.
  const bad = Object.entries(ev.objective.terms).find(([, v]) => !Number.isFinite(v));
  if (bad) throw new CliError(`${dir}: the objective's ${bad[0]} on ${o.data} is ${bad[1]}, not a finite number (the weights or the data hold values the model cannot score)`, EXIT.dataErr);
  console.log(o.json ? JSON.stringify(ev) : formatTable(ev));
};


export const registerEvaluate = (program: Command): void => {
  program
    .command('evaluate')
    .description("metrics of a trained run on a data set: objective terms, squared error, IWAE, …; a table, or JSON with --json")
    .argument('<run-dir>', 'a finished training run')
    .requiredOption('--data <name|path>', 'data set to evaluate on')
    .addOption(new Option('--split <part>', "rows of --data by the run's split").choices([...SPLITS]).default('all'))
    .option('--samples <n>', 'noise draws averaged for the objective', arg(positiveInt('samples')), 1)
    .option('--iwae <K>', 'importance-weighted bound on log p(x) with K samples (Gaussian encoders)', arg(positiveInt('iwae')))
    .option('--limit <n>', 'evaluate only the first n rows', arg(positiveInt('limit')))
    .option('--seed <s>', 'seed of the noise draws', arg(integer('seed')), 1)
    .option('--threads <n>', 'intra-op threads', arg(threadsFlag()))
    .option('--probe', "linear-probe classification error on the codes and on raw inputs, trained on the run's training rows", false)
    .option('--probe-epochs <n>', 'epochs of the probe', arg(positiveInt('probe-epochs')), 20)
    .option('--probe-limit <n>', "use only the first n of the run's training rows for the probe and PCA", arg(positiveInt('probe-limit')))
    .option('--pca', "linear autoencoders: principal angles and error ratio to PCA fitted on the run's training rows", false)
    .option('--mmd', 'MMD between the aggregate posterior and the prior N(0, I) (first 2000 rows)', false)
    .option('--disentanglement', 'the Higgins et al. 2017 metric on generated shapes pairs (models of 64×64 shapes images)', false)
    .option('--L <n>', 'disentanglement: pairs averaged per point', arg(positiveInt('L')), 64)
    .option('--points <n>', 'disentanglement: classifier training points, and as many test points', arg(positiveInt('points')), 500)
    .option('--sample-quality', 'digit generators (a VAE of 28×28 digits, or a GAN run): confident share, class entropy and Fréchet distance of 2,000 samples through the digit classifier', false)
    .option('--json', 'print one JSON object instead of the table', false)
    .action((dir, o) => evaluateCommand(dir, o));
};
