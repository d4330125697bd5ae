// hourglass reproduce <paper> [--data …] [--quick] [--out DIR]
import { Command } from 'commander';
import * as E from 'fp-ts/Either';
import type { ExperimentName } from '../../apps/reproduce/experiments';
import { isNonEmptyDir, unwritable } from '../../host/fsx';
import { CliError, EXIT } from '../../core/failure';
import { needVega } from '../optional';

/** The experiment table: it imports every model, trainer and plot, so only this command loads it. */
const experiments = async () => (await import('../../apps/reproduce/experiments')).EXPERIMENTS;

export const reproduceCommand = async (paper: string, o: { data?: string; quick: boolean; out?: string; force: boolean; reuse: boolean }): Promise<void> => {
  const EXPERIMENTS = await experiments();
  if (!(EXPERIMENTS as readonly string[]).includes(paper)) throw new CliError(`${paper}: no such reproduction (choose one of ${EXPERIMENTS.join(', ')})`, EXIT.usage);
  const out = o.out ?? `reproduce/${paper}${o.quick ? '-quick' : ''}`;
  if (o.force && o.reuse) throw new CliError('--force and --reuse exclude each other', EXIT.usage);
  if (isNonEmptyDir(out) && !o.force && !o.reuse) throw new CliError(`${out}: exists and is not empty; pass --force to replace the runs in it, or --reuse to keep its finished runs`, EXIT.cantCreate);
  const cannot = unwritable(out);
  if (cannot) throw new CliError(cannot, EXIT.cantCreate);
  needVega('reproduce'); // its report draws the figures
  const { reproduce } = await import('../../apps/reproduce/run');
  const command = ['hourglass reproduce', paper, o.data ? `--data ${o.data}` : '', o.quick ? '--quick' : '', `--out ${out}`, o.reuse ? '--reuse' : ''].filter(Boolean).join(' ');
  const r = await reproduce(paper as ExperimentName, { out, quick: o.quick, data: o.data, reuse: o.reuse, log: (line) => console.error(line) }, command);
  if (E.isLeft(r)) throw new CliError(r.left, /no such|missing|not installed/.test(r.left) ? EXIT.noInput : EXIT.dataErr);
  console.log(r.right.markdown);
  console.log(`wrote ${out}/table.md, ${out}/results.json, ${out}/report.html and ${r.right.outcome.runs.length} runs (${r.right.seconds.toFixed(0)} s)`);
};

export const registerReproduce = async (program: Command): Promise<void> => {
  // The names are listed in `hourglass reproduce --help`, and loaded only when that command is named.
  const names = process.argv.slice(2).includes('reproduce') ? (await experiments()).join(' | ') : 'a paper (hourglass reproduce --help lists them)';
  program
    .command('reproduce')
    .description("train, evaluate and tabulate one paper's claim beside the paper's numbers, with figures and a report")
    .argument('<paper>', `which reproduction: ${names}`)
    .option('--data <name|path>', 'data set (default: the paper’s stand-in: mnist, or shapes for higgins)')
    .option('--quick', 'a small budget (under a minute each on 2 cores): for tests and a first look', false)
    .option('--out <dir>', 'output directory (default: reproduce/<paper>[-quick])')
    .option('--force', 'replace the runs in an existing output directory', false)
    .option('--reuse', 'keep the runs in --out whose settings match (finished ones are read back, shorter ones resumed) and train only the rest', false)
    .action((paper, o) => reproduceCommand(paper, o));
};
