// hourglass encode | reconstruct | sample <run-dir>: use a finished run's exported graphs (which
// carry their weights) through run/open.ts.
import { unlinkSync } from 'node:fs';
import * as E from 'fp-ts/Either';
import type * as ort from '../../host/providers/ort';
import { showDataError } from '../../host/data/errors';
import { encodeNpy } from '../../host/data/npy';
import { resolveDataset } from '../../host/data/resolve';
import { Rng } from '../../core/random';
import type { FloatArray } from '../../core/init';
import { asF32, runBatched } from '../../run/batched';
import { ensureParent } from '../../host/fsx';
import { MAX_EXAMPLE_SIZE, type ExportedModel } from '../../run/export';
import { CliError, EXIT, orFail } from '../../core/failure';
import { checkOutputFile, writeOutput, type OutputPlan } from '../../run/outputs';
import type { SplitName } from '../../run/finished';
import { openRun, type GraphName } from '../../run/open';
import type { ProviderRequest } from '../../host/providers/request';
import { gridPng } from '../png';

type Exported = ExportedModel;

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The run (run/open.ts) with `graph` opened on the chosen provider; failures end the command. */
const openGraph = async (dir: string, graph: GraphName, provider: ProviderRequest = 'cpu') => {
  const run = orFail(await openRun(dir, { graphs: [graph], provider, log: (line) => console.error(line) }));
  return { run, m: run.model, session: orFail(await run.session(graph)) };
};

/**
 * The graph's first output for `n` rows of `x` (run/batched.ts), as Float32Array. A model.json
 * whose shapes the exported graphs refuse (edited, or another run's) is bad data, not a bug.
 */
const firstOutput = async (session: ort.InferenceSession, m: Exported, input: string, x: Float32Array, n: number, shape: readonly number[], rowOut: number): Promise<Float32Array> => {
  const bad = (why: string) =>
    new CliError(`exported/model.json: its shapes (input [${m.inputShape.join(', ')}], code [${m.codeShape.join(', ')}]) do not fit the exported graphs (${why}); train the run again`, EXIT.dataErr);
  let out: FloatArray;
  try {
    out = (await runBatched(session, { dtype: m.dtype, input, shape }, x, n))[session.outputNames[0]];
  } catch (err) {
    throw bad(`onnxruntime: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (out.length !== n * rowOut) throw bad(`${n} rows gave ${out.length} values, not ${n * rowOut}`);
  return asF32(out);
};

const loadData = (name: string) => {
  const d = resolveDataset(name, {});
  if (E.isLeft(d)) throw new CliError(showDataError(d.left), d.left.missing ? EXIT.noInput : EXIT.dataErr);
  return d.right;
};

const side = (dim: number) => {
  const s = Math.round(Math.sqrt(dim));
  if (s * s !== dim) throw new CliError(`images of ${dim} values are not square; write .npy instead of .png`, EXIT.usage);
  return s;
};

const writeOut = (out: string, plan: OutputPlan, values: Float32Array | Uint8Array, count: number, shape: readonly number[]) => {
  ensureParent(out);
  const ext = out.toLowerCase();
  if (ext.endsWith('.npy')) writeOutput(out, encodeNpy(values, [count, ...shape]), plan);
  else if (out.endsWith('.png') && values instanceof Float32Array) {
    const s = side(size(shape));
    writeOutput(out, gridPng(values, count, s, s), plan);
  } else throw new CliError(`${out}: the output must end in .npy or .png`, EXIT.usage);
  console.log(`wrote ${out} (${count} × [${shape.join(', ')}])`);
};

/** `codes.npy` → `codes.labels.npy`: where the labels (and factors) of encoded rows go. */
export const besideCodes = (out: string, what: 'labels' | 'factors') => out.replace(/\.npy$/, `.${what}.npy`);

/** --force: replace an existing output file Hourglass cannot tell it wrote (a .npy never can). */
interface Force {
  readonly force?: boolean;
}

/** Before any work: the codes (and labels, factors beside them) are .npy, no input or run file, new or --force. */
const checkCodesOut = (out: string, inputs: readonly string[], force?: boolean) => {
  const rule = { flag: '--out', exts: ['.npy'], inputs, force };
  return {
    codes: orFail(checkOutputFile(out, rule)),
    labels: orFail(checkOutputFile(besideCodes(out, 'labels'), rule)),
    factors: orFail(checkOutputFile(besideCodes(out, 'factors'), rule)),
  };
};

export const encodeCommand = async (dir: string, o: { data: string; out: string; limit?: number; split?: SplitName; provider?: ProviderRequest } & Force) => {
  const plan = checkCodesOut(o.out, [o.data], o.force);
  const { run, m, session } = await openGraph(dir, 'encode', o.provider);
  const d = o.split && o.split !== 'all' ? orFail(run.rows(o.data, o.split)) : loadData(o.data);
  if (d.dim !== size(m.inputShape)) throw new CliError(`${o.data}: examples have ${d.dim} values, the model expects [${m.inputShape.join(', ')}]`, EXIT.dataErr);
  const n = Math.min(d.n, o.limit ?? d.n);
  const codes = await firstOutput(session, m, 'x', d.images, n, m.inputShape, size(m.codeShape));
  if (!o.out.toLowerCase().endsWith('.npy')) throw new CliError(`${o.out}: codes are written as .npy`, EXIT.usage);
  writeOut(o.out, plan.codes, codes, n, m.codeShape);
  // Labels and true factors beside the codes, row for row, where the data set has them.
  if (d.labels) writeOut(besideCodes(o.out, 'labels'), plan.labels, d.labels.subarray(0, n), n, []);
  if (d.factors) writeOut(besideCodes(o.out, 'factors'), plan.factors, d.factors.values.subarray(0, n * d.factors.names.length), n, [d.factors.names.length]);
  // --force over an earlier encode: labels or factors this data set lacks would stay beside the
  // new codes, row for row with other data; they go (they were checked as outputs above).
  for (const [what, wrote] of [['labels', d.labels], ['factors', d.factors]] as const)
    if (!wrote && plan[what] === 'replace') {
      unlinkSync(besideCodes(o.out, what));
      console.log(`removed ${besideCodes(o.out, what)} (an earlier encode's ${what}; ${o.data} has none)`);
    }
};

export const reconstructCommand = async (dir: string, o: { data: string; out: string; n: number; provider?: ProviderRequest } & Force) => {
  const plan = orFail(checkOutputFile(o.out, { flag: '--out', exts: ['.png', '.npy'], inputs: [o.data], force: o.force }));
  const { m, session } = await openGraph(dir, 'reconstruct', o.provider);
  const d = loadData(o.data);
  if (d.dim !== size(m.inputShape)) throw new CliError(`${o.data}: examples have ${d.dim} values, the model expects [${m.inputShape.join(', ')}]`, EXIT.dataErr);
  const n = Math.min(d.n, o.n);
  const recon = await firstOutput(session, m, 'x', d.images, n, m.inputShape, d.dim);
  // Originals and reconstructions side by side: pairs of images.
  const pairs = new Float32Array(2 * n * d.dim);
  for (let i = 0; i < n; i++) {
    pairs.set(d.images.subarray(i * d.dim, (i + 1) * d.dim), 2 * i * d.dim);
    pairs.set(recon.subarray(i * d.dim, (i + 1) * d.dim), (2 * i + 1) * d.dim);
  }
  const npy = o.out.toLowerCase().endsWith('.npy');
  writeOut(o.out, plan, npy ? recon : pairs, npy ? n : 2 * n, m.inputShape);
};

export const sampleCommand = async (dir: string, o: { n: number; out: string; seed: number; provider?: ProviderRequest } & Force) => {
  const plan = orFail(checkOutputFile(o.out, { flag: '--out', exts: ['.png', '.npy'], force: o.force }));
  const { m, session } = await openGraph(dir, 'decode', o.provider);
  if (o.n * Math.max(size(m.codeShape), size(m.inputShape)) > 64 * MAX_EXAMPLE_SIZE)
    throw new CliError(`--n ${o.n}: ${o.n} samples of [${m.inputShape.join(', ')}] are too many at once; ask for fewer`, EXIT.usage);
  const z = new Float32Array(o.n * size(m.codeShape));
  Rng.seeded(o.seed).fillNormal(z);
  const x = await firstOutput(session, m, 'code', z, o.n, m.codeShape, size(m.inputShape));
  writeOut(o.out, plan, x, o.n, m.inputShape);
};
