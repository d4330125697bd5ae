// hourglass report <run-dir> [--out report.html]: one self-contained HTML page of a run.
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import * as E from 'fp-ts/Either';
import { collectReport } from '../../analysis/report/collect';
import { reportHtml } from '../../analysis/report/html';
import { unwritable, writeFileAtomic } from '../../host/fsx';
import { CliError, EXIT } from '../../core/failure';

export const reportCommand = async (dir: string, o: { out?: string; data?: string }): Promise<void> => {
  const input = await collectReport(dir, { data: o.data });
  if (E.isLeft(input)) throw new CliError(input.left, /not a finished run|missing/.test(input.left) ? EXIT.noInput : EXIT.dataErr);
  const out = o.out ?? join(dir, 'report.html');
  const cannot = unwritable(dirname(out));
  if (cannot) throw new CliError(cannot, EXIT.cantCreate);
  writeFileAtomic(out, reportHtml(input.right));
  console.log(`wrote ${out} (${input.right.figures.length} figures)`);
};

export const registerReport = (program: Command): void => {
  program
    .command('report')
    .description('write one self-contained HTML report of a run: spec, settings, data, metrics, curves and every figure')
    .argument('<run-dir>', 'a finished training run')
    .option('--out <file.html>', 'where to write it (default: <run-dir>/report.html)')
    .option('--data <name|path>', "data set for the data-dependent figures (default: the run's)")
    .action((dir, o) => reportCommand(dir, o));
};
