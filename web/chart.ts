// The live loss chart (uPlot): every loss term per step, and the held-out loss at each epoch's end.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

export class LossChart {
  private readonly plot: uPlot;
  private readonly xs: number[] = [];
  private readonly series: (number | null)[][];
  private dirty = false;

  /** `terms`: the train loss's names in order ('loss' first); a held-out series is added last. */
  constructor(
    el: HTMLElement,
    private readonly terms: readonly string[],
  ) {
    this.series = [...terms, 'held-out'].map(() => []);
    const opts: uPlot.Options = {
      width: 760,
      height: 280,
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [{ label: 'step' }, { label: 'loss (log scale)' }],
      series: [
        { label: 'step' },
        ...terms.map((t, i) => ({ label: `train ${t}`, stroke: COLOURS[i % COLOURS.length], width: 1 })),
        { label: 'held-out loss', stroke: '#d62728', width: 2, points: { show: true, size: 6 }, spanGaps: true },
      ],
      legend: { live: false },
    };
    this.plot = new uPlot(opts, [[], ...this.series] as uPlot.AlignedData, el);
  }

  // Log scale: a term at exactly 0 (a KL before training) is drawn at a floor, not dropped.
  private static floor = (v: number) => Math.max(v, 1e-3);

  addStep(step: number, losses: Readonly<Record<string, number>>): void {
    this.xs.push(step);
    this.terms.forEach((t, i) => this.series[i].push(LossChart.floor(losses[t])));
    this.series[this.terms.length].push(null);
    this.dirty = true;
  }

  /** The held-out loss at `step` (the last step of an epoch). */
  addHeldOut(step: number, loss: number): void {
    const i = this.xs.lastIndexOf(step);
    if (i >= 0) this.series[this.terms.length][i] = LossChart.floor(loss);
    this.dirty = true;
  }

  /** Redraw if anything changed (called at most a few times a second). */
  flush(): void {
    if (!this.dirty) return;
    this.plot.setData([this.xs, ...this.series] as uPlot.AlignedData);
    this.dirty = false;
  }

  clear(): void {
    this.xs.length = 0;
    for (const s of this.series) s.length = 0;
    this.dirty = true;
    this.flush();
  }

  destroy(): void {
    this.plot.destroy();
  }
}
