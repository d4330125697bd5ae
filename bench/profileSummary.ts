// onnxruntime's profiler output (a Chrome trace: one event per node kernel, one per model_run)
// summed by op type, by node and by a caller's parts; shared by bench/profile.ts (autoencoders)
// and bench/profileGan.ts (GAN steps and fused rounds).
import { readdirSync, readFileSync, rmSync } from 'node:fs';

export interface ProfileEvent {
  readonly cat: string;
  readonly name: string;
  readonly ts: number;
  readonly dur: number;
  readonly args?: { readonly op_name?: string };
}

export interface ProfileSummary {
  /** model_run calls counted, and their summed time (µs). */
  readonly calls: number;
  readonly runUs: number;
  /** Summed node kernel time (µs), the control-flow nodes (Loop) excluded: their time is their body's. */
  readonly kernelUs: number;
  readonly byOp: Readonly<Record<string, number>>;
  readonly byNode: Readonly<Record<string, number>>;
  readonly byPart: Readonly<Record<string, number>>;
}

/**
 * A node's name as its step graph has it, and so as the part functions see it: without the fused
 * graphs' Loop-body prefixes (`step/`; `r/d/`, `r/g/` for a GAN round's players).
 */
export const bareNode = (node: string): string => node.replace(/_kernel_time$/, '').replace(/^(step\/|r\/[dg]\/)+/, '');

/** A node's row in the node table: its bare name, with its player where a GAN round's body holds both (`D …`, `G …`). */
export const nodeRow = (node: string): string => {
  const player = /^r\/([dg])\//.exec(node)?.[1];
  return player ? `${player.toUpperCase()} ${bareNode(node)}` : bareNode(node);
};

/**
 * An autoencoder step's parts: matrix products; the optimizer's update (nodes the compiler names
 * optimizer_* or next.*, the graph outputs it feeds); everything else (the loss, its gradient's
 * elementwise side, copies).
 */
export const aePartOf = (node: string, op: string): string => (/MatMul|Gemm/.test(op) ? 'matmul' : /^(optimizer_|next\.)/.test(node) ? 'optimizer' : 'other');

/**
 * Convolutions forward (the layers' own nodes) and backward (the nodes autodiff emits, named
 * `<layer>.grad_N`, or `compiler_N` for summed cotangents), the dense products, batch norm forward
 * (with its running statistics) and backward, the optimizer's update, the rest of the gradient
 * (the activations', the loss's), the rest of the forward.
 */
export const ganPartOf = (node: string, op: string): string => {
  const backward = node.startsWith('compiler_') || /\.grad_\d+\//.test(node);
  if (/Conv/.test(op)) return backward ? 'conv backward' : 'conv forward';
  if (/MatMul|Gemm/.test(op)) return 'dense';
  if (/^next\..*\.running/.test(node)) return 'batch norm forward';
  if (/^(optimizer_|next\.)/.test(node)) return 'optimizer';
  if (/\.batchNorm\d*(\.grad)?_/.test(node)) return backward ? 'batch norm backward' : 'batch norm forward';
  return backward ? 'other backward' : 'other forward';
};

const CONTROL_FLOW = new Set(['Loop', 'If', 'Scan']);

/**
 * Sums kernel times; `skipFirst` calls are dropped (with the node events that ran before the last
 * of them ended: the first call pays for allocations and pre-packing). Every counted kernel lands
 * in exactly one op, one node and one part, so each table sums to `kernelUs`.
 */
export const summariseProfile = (events: readonly ProfileEvent[], partOf: (node: string, op: string) => string, skipFirst = 0): ProfileSummary => {
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts);
  const skipped = runs.slice(0, skipFirst);
  const from = skipped.length > 0 ? Math.max(...skipped.map((e) => e.ts + e.dur)) : -Infinity;
  const counted = runs.slice(skipped.length);
  const byOp: Record<string, number> = {};
  const byNode: Record<string, number> = {};
  const byPart: Record<string, number> = {};
  let kernelUs = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < from) continue;
    const op = e.args?.op_name ?? '?';
    if (CONTROL_FLOW.has(op)) continue;
    const row = nodeRow(e.name);
    byOp[op] = (byOp[op] ?? 0) + e.dur;
    byNode[row] = (byNode[row] ?? 0) + e.dur;
    const part = partOf(bareNode(e.name), op);
    byPart[part] = (byPart[part] ?? 0) + e.dur;
    kernelUs += e.dur;
  }
  return { calls: counted.length, runUs: counted.reduce((a, e) => a + e.dur, 0), kernelUs, byOp, byNode, byPart };
};

const addTables = (tables: readonly Readonly<Record<string, number>>[]) => {
  const sum: Record<string, number> = {};
  for (const t of tables) for (const [k, us] of Object.entries(t)) sum[k] = (sum[k] ?? 0) + us;
  return sum;
};

/**
 * Graphs' summaries as one (a GAN round: the discriminator's step and the generator's), table by
 * table; node names get their graph's label, since both graphs hold nodes of the same name.
 */
export const addProfiles = (labelled: Readonly<Record<string, ProfileSummary>>): ProfileSummary => {
  const all = Object.values(labelled);
  const nodes = Object.entries(labelled).map(([label, s]) => Object.fromEntries(Object.entries(s.byNode).map(([n, us]) => [`${label} ${n}`, us])));
  return {
    calls: Math.max(...all.map((s) => s.calls)),
    runUs: all.reduce((a, s) => a + s.runUs, 0),
    kernelUs: all.reduce((a, s) => a + s.kernelUs, 0),
    byOp: addTables(all.map((s) => s.byOp)),
    byNode: addTables(nodes),
    byPart: addTables(all.map((s) => s.byPart)),
  };
};

/** Reads and deletes the profile a session with `profileFilePrefix: dir/prefix` wrote at endProfiling. */
export const takeProfile = (dir: string, prefix: string): ProfileEvent[] => {
  const found = readdirSync(dir).filter((f) => f.startsWith(`${prefix}_`));
  if (found.length !== 1) throw new Error(`expected one profile ${dir}/${prefix}_*.json, found ${found.length}`);
  const file = `${dir}/${found[0]}`;
  const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
  rmSync(file);
  return events;
};

const sorted = (t: Readonly<Record<string, number>>) => Object.entries(t).sort((a, b) => b[1] - a[1]);
const share = (us: number, total: number) => `${((100 * us) / total).toFixed(1)}%`;

/** Prints a summary in ms per `unit` (a step, a round), with each line's share of kernel time. */
export const printProfile = (s: ProfileSummary, units: number, unit: string, top = 25, log: (line: string) => void = console.log): void => {
  const per = (us: number) => (us / 1000 / units).toFixed(3);
  log(`  ${s.calls} calls: model_run ${per(s.runUs)} ms/${unit}, kernels ${per(s.kernelUs)} ms/${unit}`);
  log(`  by part: ${sorted(s.byPart).map(([k, us]) => `${k} ${per(us)} (${share(us, s.kernelUs)})`).join(', ')}`);
  for (const [op, us] of sorted(s.byOp)) log(`  ${op.padEnd(18)} ${per(us)} ms/${unit}  ${share(us, s.kernelUs)}`);
  log('  top nodes:');
  for (const [n, us] of sorted(s.byNode).slice(0, top)) log(`  ${per(us)} ${share(us, s.kernelUs).padStart(6)} ${n}`);
};
