// index.html of a sweep: every trial's held-out curves, one panel per loss term, one colour per
// grid point (seeds share it), next to the summary table. Self-contained SVG, no scripts.
import type { PointSummary, TrialResult } from './summary';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// Tableau 10: distinguishable, and the same colour for a point in every panel.
const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const panel = (term: string, trials: readonly TrialResult[], colourOf: (pointId: string) => string): string => {
  const W = 420;
  const H = 260;
  const m = { l: 56, r: 12, t: 24, b: 32 };
  const series = trials.filter((t) => (t.curves[term]?.length ?? 0) > 0);
  const ys = series.flatMap((t) => t.curves[term].filter(Number.isFinite));
  if (ys.length === 0) return '';
  const epochs = Math.max(...series.map((t) => t.curves[term].length));
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const x = (i: number) => m.l + (epochs === 1 ? (W - m.l - m.r) / 2 : (i / (epochs - 1)) * (W - m.l - m.r));
  const y = (v: number) => m.t + (1 - (v - lo) / (hi - lo)) * (H - m.t - m.b);
  const lines = series
    .map((t) => {
      const pts = t.curves[term].map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      const c = colourOf(t.pointId);
      const shape = pts.length === 1 ? `<circle cx="${pts[0].split(',')[0]}" cy="${pts[0].split(',')[1]}" r="3" fill="${c}"/>` : `<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${pts.join(' ')}"/>`;
      return `<g><title>${esc(t.id)}</title>${shape}</g>`;
    })
    .join('');
  const ticks = [lo, (lo + hi) / 2, hi]
    .map((v) => `<text x="${m.l - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${Number(v.toPrecision(4))}</text>`)
    .join('');
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">held-out ${esc(term)}</text>
<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#888"/><line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#888"/>
${ticks}<text x="${(W + m.l) / 2}" y="${H - 8}" text-anchor="middle" font-size="11">epoch 1 … ${epochs}</text>
${lines}</svg></figure>`;
};

export const sweepPage = (title: string, trials: readonly TrialResult[], rows: readonly PointSummary[], summaryMarkdown: string): string => {
  const colour = new Map(rows.map((r, i) => [r.pointId, COLOURS[i % COLOURS.length]]));
  const colourOf = (p: string) => colour.get(p) ?? '#333';
  const terms = [...new Set(trials.flatMap((t) => Object.keys(t.curves)))];
  const legend = rows
    .map((r) => `<li><span style="color:${colourOf(r.pointId)}">■</span> ${esc(r.pointId)}${r.best ? ' <b>(best)</b>' : ''} — ${r.finished}/${r.seeds} seeds</li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1300px}figure{display:inline-block;margin:0 1em 1em 0}ul{list-style:none;padding:0}pre{background:#f6f6f6;padding:1em;overflow:auto}</style>
</head><body><h1>${esc(title)}</h1>
<ul>${legend}</ul>
${terms.map((k) => panel(k, trials, colourOf)).join('\n')}
<h2>Summary</h2><pre>${esc(summaryMarkdown)}</pre>
</body></html>
`;
};
