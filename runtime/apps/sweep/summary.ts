// Sweep summaries: per grid point, the mean ± standard deviation over seeds of every metric,
// and the best point by one metric. Pure (tables in, text out).
import type { Point } from './grid';

export interface TrialResult {
  readonly id: string;
  readonly pointId: string;
  readonly point: Point;
  readonly seed: number;
  readonly finished: boolean;
  /** Flat metric name → value (held-out losses of the last epoch, evaluation results). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Training seconds (sum over epochs); excluded from summary.csv, which must not depend on timing. */
  readonly seconds: number;
  /** Per-epoch held-out curves: term → values. */
  readonly curves: Readonly<Record<string, readonly number[]>>;
}

export interface Ranking {
  readonly metric: string;
  readonly goal: 'min' | 'max';
}

export interface PointSummary {
  readonly pointId: string;
  readonly point: Point;
  readonly seeds: number;
  readonly finished: number;
  readonly mean: Readonly<Record<string, number>>;
  readonly std: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly best: boolean;
}

/** `name` or `name:min|max`; higher is better for accuracies and log-likelihood bounds, lower for everything else. */
export const parseRanking = (raw: string): Ranking | string => {
  const m = /^([^:]+)(?::(min|max))?$/.exec(raw.trim());
  if (!m) return `--metric ${JSON.stringify(raw)}: expected name or name:min|max`;
  return { metric: m[1], goal: (m[2] as 'min' | 'max' | undefined) ?? (/acc|auc|iwae|elbo/i.test(m[1].split('.').pop() ?? '') ? 'max' : 'min') };
};

export const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Sample standard deviation (n − 1); 0 for one value, NaN for none. */
export const std = (xs: readonly number[]): number => {
  if (xs.length === 0) return NaN;
  if (xs.length === 1) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

/** Every metric name any finished trial has, in first-seen order. */
export const metricNames = (trials: readonly TrialResult[]): string[] => {
  const names: string[] = [];
  for (const t of trials) if (t.finished) for (const k of Object.keys(t.metrics)) if (!names.includes(k)) names.push(k);
  return names;
};

export const summarise = (trials: readonly TrialResult[], rank: Ranking): PointSummary[] => {
  const names = metricNames(trials);
  const groups = new Map<string, TrialResult[]>();
  for (const t of trials) groups.set(t.pointId, [...(groups.get(t.pointId) ?? []), t]);
  const rows = [...groups.values()].map((ts) => {
    const ok = ts.filter((t) => t.finished);
    const col = (k: string) => ok.map((t) => t.metrics[k]).filter((v) => v !== undefined && Number.isFinite(v));
    return {
      pointId: ts[0].pointId,
      point: ts[0].point,
      seeds: ts.length,
      finished: ok.length,
      mean: Object.fromEntries(names.map((k) => [k, mean(col(k))])),
      std: Object.fromEntries(names.map((k) => [k, std(col(k))])),
      seconds: mean(ok.map((t) => t.seconds)),
      best: false,
    };
  });
  const score = (r: (typeof rows)[number]) => r.mean[rank.metric];
  let best: (typeof rows)[number] | undefined;
  for (const r of rows) {
    const s = score(r);
    if (s === undefined || !Number.isFinite(s)) continue;
    if (!best || (rank.goal === 'min' ? s < score(best) : s > score(best))) best = r;
  }
  return rows.map((r) => ({ ...r, best: r === best }));
};

// Numbers in tables: enough digits to tell seeds apart, and the same text on every machine.
const num = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(6))) : '');
const csvCell = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** One row per grid point: parameters, seeds finished, mean and std of every metric, best. */
export const summaryCsv = (rows: readonly PointSummary[], axes: readonly string[], names: readonly string[]): string => {
  const head = [...axes, 'seeds', 'finished', ...names.flatMap((k) => [`${k}.mean`, `${k}.std`]), 'best'];
  const lines = rows.map((r) => {
    const p = Object.fromEntries(r.point);
    return [...axes.map((a) => p[a] ?? ''), String(r.seeds), String(r.finished), ...names.flatMap((k) => [num(r.mean[k]), num(r.std[k])]), r.best ? '1' : '0'];
  });
  return [head, ...lines].map((l) => l.map(csvCell).join(',')).join('\n') + '\n';
};

/** One row per trial, with its training seconds. */
export const trialsCsv = (trials: readonly TrialResult[], axes: readonly string[], names: readonly string[]): string => {
  const head = ['id', ...axes, 'seed', 'finished', ...names, 'seconds'];
  const lines = trials.map((t) => {
    const p = Object.fromEntries(t.point);
    return [t.id, ...axes.map((a) => p[a] ?? ''), String(t.seed), t.finished ? '1' : '0', ...names.map((k) => num(t.metrics[k] ?? NaN)), num(t.seconds)];
  });
  return [head, ...lines].map((l) => l.map(csvCell).join(',')).join('\n') + '\n';
};

const pm = (m: number, s: number, seeds: number) => (!Number.isFinite(m) ? '—' : seeds > 1 ? `${m.toPrecision(4)} ± ${s.toPrecision(2)}` : m.toPrecision(4));

/** A Markdown table for READMEs: the ranking metric first, the best point in bold and marked. */
export const summaryMd = (
  rows: readonly PointSummary[],
  axes: readonly string[],
  names: readonly string[],
  rank: Ranking,
  note: string,
): string => {
  // The ranking metric, then evaluation metrics, then held-out losses (training losses and errors
  // stay in the CSVs).
  const rest = names.filter((k) => k !== rank.metric && !k.startsWith('train.') && !k.endsWith('.trainError'));
  const shown = [rank.metric, ...rest.filter((k) => !k.startsWith('heldOut.')), ...rest.filter((k) => k.startsWith('heldOut.'))].slice(0, 6);
  const head = [...axes, 'seeds', ...shown.map((k) => (k === rank.metric ? `${k} (${rank.goal === 'min' ? 'lower' : 'higher'} is better)` : k)), 'train s / trial', ''];
  const lines = rows.map((r) => {
    const p = Object.fromEntries(r.point);
    const cells = [
      ...axes.map((a) => p[a] ?? ''),
      r.finished === r.seeds ? String(r.seeds) : `${r.finished}/${r.seeds}`,
      ...shown.map((k) => pm(r.mean[k] ?? NaN, r.std[k] ?? NaN, r.finished)),
      Number.isFinite(r.seconds) ? r.seconds.toFixed(1) : '—',
      r.best ? '**best**' : '',
    ];
    return r.best ? cells.map((c, i) => (c !== '' && i < cells.length - 1 ? `**${c}**` : c)) : cells;
  });
  const table = [head, head.map(() => '---'), ...lines].map((l) => `| ${l.join(' | ')} |`).join('\n');
  return `${note}\n\n${table}\n\nMean ± sample standard deviation over seeds; best by mean ${rank.metric}.\n`;
};
