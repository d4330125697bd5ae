// `hourglass reproduce <paper>`: train, measure, and write table.md (ours beside the paper's),
// results.json, every run's figures and report, and one report of the whole reproduction.
import { join, relative } from 'node:path';
import * as E from 'fp-ts/Either';
import { buildFigures } from '../../analysis/figures/build';
import { writeFigures } from '../../analysis/figures/write';
import { collectReport } from '../../analysis/report/collect';
import { reportHtml, type ReportFigure } from '../../analysis/report/html';
import { writeFileAtomic } from '../../host/fsx';
import { runExperiment, type Context, type ExperimentName, type Outcome } from './experiments';
import { markdownTable } from './table';

export interface Reproduction {
  readonly outcome: Outcome;
  readonly seconds: number;
  readonly files: readonly string[];
  readonly markdown: string;
}

export const reproduceMarkdown = (o: Outcome, command: string, seconds: number): string =>
  [
    `### ${o.title}`,
    '',
    `\`${command}\` — ${seconds.toFixed(0)} s wall time in all.`,
    '',
    ...o.tables.flatMap((t) => [markdownTable(t), '']),
    ...o.notes.map((n) => `- ${n}`),
    '',
    '<details><summary>Training runs</summary>',
    '',
    ...o.runs.map((r) => `- \`${r.command}\` (${r.seconds.toFixed(1)} s)`),
    '',
    '</details>',
    '',
  ].join('\n');

export const reproduce = async (name: ExperimentName, ctx: Context, command: string): Promise<E.Either<string, Reproduction>> => {
  const started = performance.now();
  const outcome = await runExperiment(name, ctx);
  if (E.isLeft(outcome)) return outcome;
  const o = outcome.right;
  const files: string[] = [];
  const figures: ReportFigure[] = [...o.figures];
  for (const run of o.runs) {
    const input = await collectReport(run.dir);
    if (E.isLeft(input)) return input;
    files.push(...writeFigures(join(run.dir, 'figures'), input.right.figures));
    const report = join(run.dir, 'report.html');
    writeFileAtomic(report, reportHtml(input.right));
    files.push(report);
    const short = relative(ctx.out, run.dir);
    figures.push(...input.right.figures.map((f) => ({ ...f, title: `${short}: ${f.title}` })));
  }
  files.push(...writeFigures(join(ctx.out, 'figures'), o.figures));
  const seconds = (performance.now() - started) / 1000;
  const markdown = reproduceMarkdown(o, command, seconds);
  const table = join(ctx.out, 'table.md');
  writeFileAtomic(table, markdown);
  writeFileAtomic(join(ctx.out, 'results.json'), JSON.stringify({ experiment: name, quick: ctx.quick, command, seconds, tables: o.tables, notes: o.notes, runs: o.runs.map((r) => ({ dir: r.dir, command: r.command, seconds: r.seconds })) }, null, 2));
  const report = join(ctx.out, 'report.html');
  writeFileAtomic(
    report,
    reportHtml({
      title: o.title,
      results: o.tables,
      notes: o.notes,
      specPath: 'the training runs',
      specSource: o.runs.map((r) => `${r.command}   # ${r.seconds.toFixed(1)} s`).join('\n'),
      settings: { command, quick: ctx.quick, 'wall time (s)': Number(seconds.toFixed(1)) },
      data: [],
      terms: [],
      figures,
      generated: new Date().toISOString(),
    }),
  );
  files.push(table, join(ctx.out, 'results.json'), report);
  return E.right({ outcome: o, seconds, files, markdown });
};
