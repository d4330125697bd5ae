// hourglass sweep <spec> --set k=10,25,40 --seeds 3 --data … --out DIR [--engine local|slurm]
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import * as E from 'fp-ts/Either';
import { expand, parseAxes, parseSeeds, points } from '../../apps/sweep/grid';
import { openSweep } from '../../apps/sweep/directory';
import { sweepFiles, trialState } from '../../apps/sweep/layout';
import type { Counts, EngineResult } from '../../apps/sweep/local';
import { parseEvalList, pointArgs, TRAIN_AXES, type SweepPlan } from '../../apps/sweep/plan';
import { writeReport } from '../../apps/sweep/report';
import { parseRanking, type Ranking } from '../../apps/sweep/summary';
import { CliError, EXIT, positive, positiveInt } from '../../core/failure';
import { parseLrSchedule } from '../../core/lrSchedule';
import { loadSpecWithParams } from '../../host/spec/loadSpec';

const oneOf = (what: string, allowed: readonly string[]) => (v: string) => {
  if (!allowed.includes(v)) throw new CliError(`--${what} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`, EXIT.usage);
};

/** The parsers train applies to each train axis's values. */
const AXIS_VALUE: Record<string, (v: string) => unknown> = {
  lr: positive('lr'),
  batch: positiveInt('batch'),
  epochs: positiveInt('epochs'),
  fuse: positiveInt('fuse'),
  optimizer: oneOf('optimizer', ['adam', 'sgd', 'adagrad', 'rmsprop']),
  dtype: oneOf('dtype', ['f32', 'f64']),
  'lr-schedule': (v) => {
    const r = parseLrSchedule(v, 1e-3, 10);
    if (E.isLeft(r)) throw new CliError(r.left, EXIT.usage);
  },
};
import { arg } from '../arg';

export interface SweepOpts {
  readonly out: string;
  readonly set: string[];
  readonly seeds: string;
  readonly data?: string;
  readonly epochs?: string;
  readonly batch?: string;
  readonly lr?: string;
  readonly optimizer?: string;
  readonly lrSchedule?: string;
  readonly dtype?: string;
  readonly fuse?: string;
  readonly checkpointEvery?: string;
  readonly heldOut?: string;
  readonly heldOutData?: string;
  readonly binarise: boolean;
  readonly typecheck: boolean;
  readonly trainArg: string[];
  readonly eval?: string | boolean;
  readonly metric: string;
  readonly engine: 'local' | 'slurm';
  readonly parallel?: number;
  readonly threadsPerTrial?: number;
  readonly partition?: string;
  readonly time?: string;
  readonly cpusPerTrial?: number;
  readonly sbatchArg: string[];
  readonly poll: number;
  readonly cancel: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** Validates a fixed training option here (one usage error, not one failed trial each) and keeps its text. */
const checked = (parse: (raw: string) => unknown) => arg((raw: string) => (parse(raw), raw));

const fmtTime = (s: number) => (s < 60 ? `${s.toFixed(0)}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${(s / 3600).toFixed(1)}h`);

/** One line for the whole sweep: rewritten in place on a terminal, a new line per change otherwise. */
export const progressLine = (tty = Boolean(process.stderr.isTTY)) => {
  const start = performance.now();
  let last = '';
  return {
    update: (c: Counts, extra = '') => {
      const elapsed = (performance.now() - start) / 1000;
      const finished = c.done + c.failed;
      const eta = c.done > 0 && finished < c.total ? `, about ${fmtTime((elapsed / finished) * (c.total - finished))} left` : '';
      const line = `sweep: ${c.done}/${c.total} done, ${c.running} running, ${c.pending} waiting${c.failed ? `, ${c.failed} failed` : ''} (${fmtTime(elapsed)}${eta})${extra}`;
      if (line.replace(/\(.*\)/, '') === last.replace(/\(.*\)/, '')) return;
      last = line;
      if (tty) process.stderr.write(`\r\x1b[2K${line}`);
      else process.stderr.write(`${line}\n`);
    },
    end: () => tty && last && process.stderr.write('\n'),
  };
};

const trainArgs = (o: SweepOpts, axes: readonly string[]): string[] => {
  const flags: [string, string | undefined][] = [
    ['data', o.data],
    ['epochs', o.epochs],
    ['batch', o.batch],
    ['lr', o.lr],
    ['optimizer', o.optimizer],
    ['lr-schedule', o.lrSchedule],
    ['dtype', o.dtype],
    ['fuse', o.fuse],
    ['checkpoint-every', o.checkpointEvery],
    ['held-out', o.heldOut],
    ['held-out-data', o.heldOutData],
  ];
  const out: string[] = [];
  for (const [k, v] of flags) {
    if (v === undefined) continue;
    if (axes.includes(k)) throw new CliError(`sweep: --${k} is both a fixed option and a grid axis (--set ${k}=…); give it once`, EXIT.usage);
    out.push(`--${k}`, v);
  }
  if (o.binarise) out.push('--binarise');
  // The sweep type-checks the spec once (preflight); the trials need not repeat it.
  out.push('--no-typecheck');
  return [...out, ...o.trainArg];
};

/**
 * Load the spec once per grid point before any trial starts (type-checked once): an unknown
 * parameter or a refused value is one usage error now, not a failed trial per seed later.
 */
const preflight = async (spec: string, plan: SweepPlan, typecheck: boolean): Promise<void> => {
  let check = typecheck;
  for (const p of points(plan.axes)) {
    const set = pointArgs(p).flatMap((a, i, all) => (all[i - 1] === '--set' ? [a] : []));
    const r = await loadSpecWithParams(spec, { typecheck: check, set });
    if (E.isLeft(r)) throw new CliError(`sweep: ${r.left.message}`, r.left.exitCode === 2 ? EXIT.usage : EXIT.dataErr);
    check = false;
  }
};

/** The sweep's plan from the command's options, every value checked as train would check it. */
const planOf = (spec: string, o: SweepOpts): { wanted: SweepPlan; rank: Ranking } => {
  if (o.data === undefined) throw new CliError('sweep: missing --data', EXIT.usage);
  const axes = parseAxes(o.set);
  if (E.isLeft(axes)) throw new CliError(axes.left, EXIT.usage);
  const seeds = parseSeeds(o.seeds);
  if (E.isLeft(seeds)) throw new CliError(seeds.left, EXIT.usage);
  if (axes.right.some((a) => a.name === 'seed')) throw new CliError('sweep: seeds are given with --seeds, not --set seed=…', EXIT.usage);
  // Every value of a train axis is checked as train would, before any trial starts.
  for (const a of axes.right)
    for (const v of a.values)
      try {
        AXIS_VALUE[a.name]?.(v);
      } catch (err) {
        throw new CliError(`sweep: --set ${a.name}=${a.values.join(',')}: ${(err as Error).message}`, EXIT.usage);
      }
  const evalItems = o.eval === false ? null : typeof o.eval === 'string' ? parseEvalList(o.eval) : [];
  if (typeof evalItems === 'string') throw new CliError(evalItems, EXIT.usage);
  // Evaluate on the run's held-out rows (or on the separate held-out set), threads as in training.
  const evalData = o.heldOutData !== undefined ? ['--data', o.heldOutData, '--split', 'all'] : ['--data', o.data, '--split', 'held-out'];
  const threads = o.engine === 'slurm' ? (o.cpusPerTrial ?? 1) : (o.threadsPerTrial ?? 1);
  const evalArgs = evalItems === null ? null : [...evalData, ...evalItems];
  const rank = parseRanking(o.metric);
  if (typeof rank === 'string') throw new CliError(rank, EXIT.usage);
  if (o.engine === 'local' && (o.partition || o.time || o.cpusPerTrial || o.sbatchArg.length > 0))
    throw new CliError('sweep: --partition, --time, --cpus-per-trial and --sbatch-arg belong to --engine slurm', EXIT.usage);
  if (o.engine === 'slurm' && o.threadsPerTrial !== undefined) throw new CliError('sweep: with --engine slurm, threads per trial are --cpus-per-trial', EXIT.usage);

  const wanted: SweepPlan = {
    version: 1,
    spec: resolve(spec),
    trainArgs: trainArgs(o, axes.right.map((a) => a.name)),
    evalArgs,
    threads,
    axes: axes.right,
    seeds: seeds.right,
    trials: expand(axes.right, seeds.right),
  };
  return { wanted, rank };
};

export const sweepCommand = async (spec: string | undefined, o: SweepOpts): Promise<void> => {
  const out = resolve(o.out);
  if (o.cancel) {
    const r = await (await import('../../apps/sweep/slurm')).cancelSweep(out);
    if (E.isLeft(r)) throw new CliError(r.left.message, r.left.code);
    console.log(r.right);
    return;
  }
  if (spec === undefined) throw new CliError('sweep: missing <spec> (only --cancel goes without one)', EXIT.usage);
  const { wanted, rank } = planOf(spec, o);
  // A grid whose trials have all finished needs no spec loaded: its summaries are only read again.
  const existing = sweepFiles(out);
  const finished = existsSync(existing.plan) && wanted.trials.every((t) => trialState(existing, t.id) === 'done');
  if (!finished) await preflight(spec, wanted, o.typecheck);
  const opened = openSweep(out, wanted);
  if (E.isLeft(opened)) throw new CliError(opened.left.message, opened.left.code);
  const { files, plan } = opened.right;
  const todo = plan.trials.filter((t) => trialState(files, t.id) !== 'done');
  const resumed = todo.filter((t) => trialState(files, t.id) !== 'new').length;
  console.error(
    `sweep: ${plan.trials.length} trials (${plan.trials.length / plan.seeds.length} grid points × ${plan.seeds.length} seeds) in ${out}; ` +
      `${plan.trials.length - todo.length} finished already, ${resumed} to resume, ${todo.length - resumed} to start`,
  );

  const started = performance.now();
  let result: EngineResult;
  const bar = progressLine();
  let interrupt: () => void = () => {};
  const stop = new Promise<void>((r) => (interrupt = r));
  const onSignal = () => {
    bar.end();
    if (o.engine === 'local') process.stderr.write('sweep: stopping the running trials (their checkpoints stay; run the same command again to continue)\n');
    interrupt();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (o.engine === 'local') {
      const parallel = o.parallel ?? Math.max(1, Math.floor(availableParallelism() / wanted.threads));
      const { runLocal } = await import('../../apps/sweep/local');
      result = await runLocal(plan, files, todo, { parallel, onProgress: (c) => bar.update(c), stop });
    } else {
      const { runSlurm } = await import('../../apps/sweep/slurm');
      const r = await runSlurm(plan, files, todo, {
        partition: o.partition,
        time: o.time,
        cpusPerTrial: wanted.threads,
        sbatchArgs: o.sbatchArg,
        parallel: o.parallel,
        pollSeconds: o.poll,
        onProgress: (c, job) => bar.update(c, ` [job ${job}]`),
        log: (line) => console.error(line),
        stop,
      });
      if (E.isLeft(r)) {
        bar.end();
        throw new CliError(r.left.message, r.left.code);
      }
      result = r.right;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  bar.end();
  const seconds = (performance.now() - started) / 1000;
  const note = `${plan.trials.length} trials of ${spec} (${plan.axes.map((a) => `${a.name} ∈ {${a.values.join(', ')}}`).join(', ') || 'no grid'}; seeds ${plan.seeds.join(', ')}), ${o.engine} engine; this command ran ${fmtTime(seconds)} (${todo.length} trials to run).`;
  const report = writeReport(plan, files, rank, note);
  for (const f of result.failures) console.error(`sweep: trial ${f.id} failed: ${f.reason}; the end of ${f.log}:\n${f.tail.replace(/^/gm, '    ')}`);
  if (result.interrupted) throw new CliError(`sweep: interrupted; ${report.trials.filter((t) => t.finished).length}/${plan.trials.length} trials finished — run the same command to continue`, 130);
  console.log(report.markdown);
  console.log(`sweep directory: ${out} (summary.csv, summary.md, trials.csv, index.html)`);
  if (result.failures.length > 0) throw new CliError(`sweep: ${result.failures.length} of ${todo.length} trials failed (logs above); run the same command to retry them`, 1);
};

export const registerSweep = (program: Command): void => {
  program
    .command('sweep')
    .description('train a spec over a grid of parameters and seeds, locally or as a Slurm array job, and summarise')
    .argument('[spec]', 'TypeScript module whose default export is a model or a function of named parameters')
    .requiredOption('--out <dir>', 'sweep directory: one run directory per trial, summary.csv/.md, index.html')
    .option('--set <name=v1,v2,…>', `a grid axis (repeatable): a spec parameter, or one of ${TRAIN_AXES.join(', ')}`, collect, [])
    .option('--seeds <n|list>', 'seeds per grid point: a count (1..n) or a list', '1')
    .option('--data <name|path>', 'data set of every trial (as for train)')
    .option('--epochs <n>', 'epochs per trial', checked(positiveInt('epochs')))
    .option('--batch <n>', 'batch size', checked(positiveInt('batch')))
    .option('--lr <x>', 'learning rate', checked(positive('lr')))
    .option('--optimizer <name>', 'optimizer')
    .option('--lr-schedule <form>', 'learning-rate schedule')
    .option('--dtype <dtype>', 'float type')
    .option('--fuse <n>', 'training steps per onnxruntime call', checked(positiveInt('fuse')))
    .option('--checkpoint-every <n>', 'checkpoint every n steps (what an interrupted trial resumes from)', checked(positiveInt('checkpoint-every')))
    .option('--held-out <fraction>', 'fraction of --data held out (as for train)')
    .option('--held-out-data <name|path>', 'a separate held-out set (as for train)')
    .option('--binarise', 'threshold the data at 0.5', false)
    .option('--no-typecheck', 'skip type-checking the spec')
    .option('--train-arg <arg>', 'another argument for every `hourglass train` (repeatable, e.g. --train-arg=--provider=cuda)', collect, [])
    .option('--eval [list]', 'options of the `hourglass evaluate --json` run on each trial\'s held-out rows, e.g. --eval iwae=100,probe (default: the objective only)')
    .option('--no-eval', 'do not evaluate the trials (the summary then has the last epoch\'s held-out losses)')
    .option('--metric <name[:min|max]>', 'the metric that picks the best grid point', 'heldOut.loss')
    .addOption(new Option('--engine <engine>', 'where trials run').choices(['local', 'slurm']).default('local'))
    .option('--parallel <n>', 'trials at a time (local default: cores ÷ threads per trial; slurm: the array throttle %M)', arg(positiveInt('parallel')))
    .option('--threads-per-trial <n>', 'onnxruntime intra-op threads of each local trial (default 1)', arg(positiveInt('threads-per-trial')))
    .option('--partition <p>', 'slurm: partition')
    .option('--time <t>', 'slurm: time limit per trial (e.g. 1:00:00)')
    .option('--cpus-per-trial <c>', 'slurm: CPUs per array task, and its intra-op threads (default 1)', arg(positiveInt('cpus-per-trial')))
    .option('--sbatch-arg <arg>', 'slurm: another sbatch option (repeatable, e.g. --sbatch-arg=--account=abc)', collect, [])
    .option('--poll <seconds>', 'slurm: seconds between squeue polls', arg(positive('poll')), 5)
    .option('--cancel', 'slurm: cancel the sweep\'s running job (scancel) and exit', false)
    .action((spec, o) => sweepCommand(spec, o));
};
