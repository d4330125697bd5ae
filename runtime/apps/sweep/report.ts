// After the trials: summary.csv (per grid point, timing-free so engines can be compared),
// trials.csv, summary.md and index.html, all rewritten from the trial directories.
import { writeFileAtomic } from '../../host/fsx';
import { collectTrial } from './collect';
import type { SweepFiles } from './layout';
import { sweepPage } from './page';
import type { SweepPlan } from './plan';
import { metricNames, summarise, summaryCsv, summaryMd, trialsCsv, type PointSummary, type Ranking, type TrialResult } from './summary';

export interface SweepReport {
  readonly trials: readonly TrialResult[];
  readonly rows: readonly PointSummary[];
  readonly markdown: string;
}

export const writeReport = (plan: SweepPlan, f: SweepFiles, rank: Ranking, note: string): SweepReport => {
  const trials = plan.trials.map((t) => collectTrial(f, t));
  const axes = plan.axes.map((a) => a.name);
  const names = metricNames(trials);
  const rows = summarise(trials, rank);
  const trained = trials.reduce((a, t) => a + t.seconds, 0);
  const markdown = summaryMd(rows, axes, names, rank, `${note} Training time summed over trials: ${trained.toFixed(0)} s.`);
  writeFileAtomic(f.summaryCsv, summaryCsv(rows, axes, names));
  writeFileAtomic(f.trialsCsv, trialsCsv(trials, axes, names));
  writeFileAtomic(f.summaryMd, markdown);
  writeFileAtomic(f.page, sweepPage(`sweep ${f.dir}`, trials, rows, markdown));
  return { trials, rows, markdown };
};
