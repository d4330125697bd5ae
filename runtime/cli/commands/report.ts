// hourglass report <run-dir> [--out report.html]: one self-contained HTML page of a run.
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import * as E from 'fp-ts/Either';
import { readFileSync } from 'node:fs';
import { CliError, orFail, EXIT } from '../../core/failure';
import { checkOutputFile, writeOutput } from '../../run/outputs';
import { needVega } from '../optional';

export const reportCommand = async (dir: string, o: { out?: string; data?: string; force?: boolean }): Promise<void> => {
  needVega('report');
  const [{ collectReport }, { reportHtml, REPORT_MARK }, { unwritable }] = await Promise.all([import('../../analysis/report/collect'), import('../../analysis/report/html'), import('../../host/fsx')]);
  // Before any work: the page goes to .html, not over an input, a foreign file or another run
  // file; an existing page is replaced only when it carries the mark every report has.
  const ours = (path: string) => {
    try {
      return readFileSync(path).subarray(0, 4096).toString('utf8').includes(REPORT_MARK);
    } catch {
      return false;
    }
  };
  const plan = orFail(checkOutputFile(o.out ?? join(dir, 'report.html'), { flag: '--out', exts: ['.html'], inputs: o.data ? [o.data] : [], run: { dir, own: ['report.html'] }, ours, force: o.force }));
  const input = await collectReport(dir, { data: o.data });
  if (E.isLeft(input)) throw new CliError(input.left, /not a finished run|missing/.test(input.left) ? EXIT.noInput : EXIT.dataErr);
  const out = o.out ?? join(dir, 'report.html');
  const cannot = unwritable(dirname(out));
  if (cannot) throw new CliError(cannot, EXIT.cantCreate);
  writeOutput(out, reportHtml(input.right), plan);
  console.log(`wrote ${out} (${input.right.figures.length} figures)`);
};

export const registerReport = (program: Command): void => {
  program
    .command('report')
    .description('write one self-contained HTML report of a run: spec, settings, data, metrics, curves and every figure')
    .argument('<run-dir>', 'a finished training run')
    .option('--out <file.html>', 'where to write it (default: <run-dir>/report.html)')
    .option('--data <name|path>', "data set for the data-dependent figures (default: the run's)")
    .option('--force', 'replace an existing --out page that Hourglass cannot prove it wrote', false)
    .action((dir, o) => reportCommand(dir, o));
};
