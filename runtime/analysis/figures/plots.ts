// Plots as vega-lite specifications rendered to SVG by vega (headless renderer 'none'): axes,
// legends and scales are the library's. Pure (vega runs in a browser as well as in Node).
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export const renderSvg = async (spec: TopLevelSpec): Promise<string> => {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return compactSvg(await view.toSVG());
  } finally {
    view.finalize();
  }
};

/**
 * Coordinates rounded to 2 decimals (a hundredth of a pixel): vega writes 13 digits, which makes
 * a 2000-point scatter a megabyte. Text (labels, titles) is left alone.
 */
export const compactSvg = (svg: string): string =>
  svg.replace(/(<[^>]*>)/g, (tag) => tag.replace(/(-?\d+\.\d{3,})/g, (n) => String(Math.round(Number(n) * 100) / 100)));

export interface Panel {
  readonly title: string;
  /** Row-major [n, 2]. */
  readonly points: ArrayLike<number>;
  readonly labels?: ArrayLike<number>;
  readonly classNames?: readonly string[];
  /** Axis titles (default: code 1, code 2). */
  readonly axes?: readonly [string, string];
}

/** 2-D codes coloured by class, one panel per entry side by side (Hinton & Salakhutdinov Fig. 3). */
export const scatterPanels = (panels: readonly Panel[], title: string): TopLevelSpec => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title,
  hconcat: panels.map((p) => {
    const n = p.points.length / 2;
    const values = Array.from({ length: n }, (_, i) => ({
      x: p.points[2 * i],
      y: p.points[2 * i + 1],
      class: p.labels ? (p.classNames?.[p.labels[i]] ?? String(p.labels[i])) : 'all',
    }));
    return {
      title: p.title,
      width: 300,
      height: 300,
      data: { values },
      // No per-point aria labels: they would triple the SVG's size.
      mark: { type: 'circle', size: 9, opacity: 0.7, aria: false },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: p.axes?.[0] ?? 'code 1', scale: { zero: false } },
        y: { field: 'y', type: 'quantitative', title: p.axes?.[1] ?? 'code 2', scale: { zero: false } },
        color: { field: 'class', type: 'nominal', title: 'class', scale: { scheme: 'category10' }, sort: p.classNames ? [...p.classNames] : 'ascending' },
      },
    };
  }),
} as TopLevelSpec);

export interface MetricsLine {
  readonly epoch: number;
  readonly train: Readonly<Record<string, number>>;
  readonly heldOut: Readonly<Record<string, number>>;
}

/** Every loss term per epoch, train (solid) and held-out (dashed), one panel per term. */
export const lossCurves = (lines: readonly MetricsLine[], title: string): TopLevelSpec => {
  const values = lines.flatMap((l) =>
    (['train', 'heldOut'] as const).flatMap((split) =>
      Object.entries(l[split] ?? {}).map(([term, value]) => ({ epoch: l.epoch, term, split: split === 'heldOut' ? 'held-out' : 'train', value })),
    ),
  );
  // The total first, then the terms in the order the metrics list them.
  const terms = [...new Set(values.map((v) => v.term))].sort((a, b) => Number(b === 'loss') - Number(a === 'loss'));
  // Train solid, held-out dashed, as the captions say (vega would order the splits alphabetically).
  const splits = ['train', 'held-out'];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    facet: { field: 'term', type: 'nominal', title: null, sort: terms },
    columns: 3,
    spec: {
      width: 220,
      height: 160,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
        y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: 'value' },
        color: { field: 'split', type: 'nominal', title: 'split', scale: { domain: splits } },
        strokeDash: { field: 'split', type: 'nominal', title: 'split', scale: { domain: splits, range: [[1, 0], [5, 3]] } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
};

export interface Density {
  readonly panel: string;
  readonly curve: string;
  readonly mean: number;
  readonly sd: number;
}

/** Gaussian densities N(mean, sd²) over z, one panel per objective (Zhao et al. Fig. 1). */
export const densityPanels = (densities: readonly Density[], title: string, range = 4, points = 241): TopLevelSpec => {
  const values = densities.flatMap((d) =>
    Array.from({ length: points }, (_, i) => {
      const z = -range + (2 * range * i) / (points - 1);
      const s = Math.max(d.sd, 1e-6);
      return { panel: d.panel, curve: d.curve, z, density: Math.exp(-0.5 * ((z - d.mean) / s) ** 2) / (s * Math.sqrt(2 * Math.PI)) };
    }),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    facet: { column: { field: 'panel', type: 'nominal', title: null } },
    spec: {
      width: 260,
      height: 180,
      mark: { type: 'line', clip: true },
      encoding: {
        x: { field: 'z', type: 'quantitative', title: 'z' },
        // Up to the tallest curve, capped at 3 so a collapsed posterior does not flatten the rest (it is clipped).
        y: { field: 'density', type: 'quantitative', title: 'q(z | x)', scale: { domainMax: Math.min(3, 1.1 * Math.max(0, ...values.map((v) => v.density))) } },
        color: { field: 'curve', type: 'nominal', title: null, sort: null }, // x = −1 before +1, as given
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
};

export interface Series {
  readonly x: number;
  readonly y: number;
  readonly series: string;
}

/** A simple line chart: y over x per series (e.g. the largest principal angle over epochs). */
export const lineChart = (values: readonly Series[], title: string, xTitle: string, yTitle: string, logY = false): TopLevelSpec =>
  ({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 360,
    height: 220,
    data: { values: [...values] },
    mark: { type: 'line', point: true },
    encoding: {
      // Whole-number x (epochs) gets whole-number ticks; series keep the order they first appear in (r = 2, 16, 32, not 16, 2, 32).
      x: { field: 'x', type: 'quantitative', title: xTitle, ...(values.every((v) => Number.isInteger(v.x)) ? { axis: { tickMinStep: 1 } } : {}) },
      y: { field: 'y', type: 'quantitative', title: yTitle, scale: logY ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, sort: null },
    },
  }) as TopLevelSpec;
