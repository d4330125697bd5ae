// Tables of a reproduction: markdown for the README and table.md, rows shared with the report. Pure.
export interface Table {
  readonly title: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

export const cell = (v: string | number): string =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toPrecision(3)) : v;

export const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

export const markdownTable = (t: Table): string =>
  [`**${t.title}**`, '', `| ${t.head.join(' | ')} |`, `|${t.head.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
