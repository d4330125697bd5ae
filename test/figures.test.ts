// Figures: the pure drawing functions (grids, example choice, quantiles, traversals, PCA) as
// properties, and `hourglass figures` on a small trained run, whose PNGs are decoded back.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test as fcTest } from '@fast-check/vitest';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, test } from 'vitest';
import { manifoldGrid, normalQuantile, rankUnits, sweep, traversalCodes, unitUsage } from '../runtime/analysis/figures/codes';
import { compactSvg, lineChart, lossCurves } from '../runtime/analysis/figures/plots';
import { encodePng, isOpaqueGrey } from '../runtime/analysis/figures/png';
import { pcaFit } from '../runtime/analysis/pca';
import { defaultScale, gridSize, interleaveRows, tileGrid, tileOrigin } from '../runtime/analysis/figures/raster';
import { acrossClasses } from '../runtime/analysis/figures/select';
import { hourglass as runCli, repo, writeVaeSpec } from './support/cliHarness';

const erf = (x: number) => {
  // Abramowitz–Stegun 7.1.26 is too coarse; integrate the density instead (Simpson, fine grid).
  const n = 4000;
  const h = x / n;
  let s = 0;
  for (let i = 0; i <= n; i++) s += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return ((2 / Math.sqrt(Math.PI)) * s * h) / 3;
};
const Phi = (z: number) => 0.5 * (1 + erf(z / Math.SQRT2));

describe('pure figure functions', () => {
  fcTest.prop([fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true })])('Φ(Φ⁻¹(p)) = p', (p) => {
    expect(Phi(normalQuantile(p))).toBeCloseTo(p, 7);
  });

  fcTest.prop([fc.double({ min: 1e-6, max: 0.5, noNaN: true })])('Φ⁻¹ is odd about ½', (p) => {
    expect(normalQuantile(p) + normalQuantile(1 - p)).toBeCloseTo(0, 6);
  });

  test('the manifold grid is symmetric, increasing to the right and upwards', () => {
    const g = manifoldGrid(5);
    expect(g[0]).toBeCloseTo(-g[8], 9);
    expect(g[2 * 12]).toBeCloseTo(0, 9); // the middle code is the origin
    expect(g[2 * 12 + 1]).toBeCloseTo(0, 9);
    for (let c = 1; c < 5; c++) expect(g[2 * c]).toBeGreaterThan(g[2 * (c - 1)]);
    for (let r = 1; r < 5; r++) expect(g[2 * r * 5 + 1]).toBeLessThan(g[2 * (r - 1) * 5 + 1]);
  });

  fcTest.prop([fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 2, max: 11 })])(
    'traversals change exactly one latent per row, over ±3',
    (base, steps) => {
      const dims = base.map((_, i) => i).reverse();
      const t = traversalCodes(base, dims, steps);
      const values = sweep(steps);
      dims.forEach((dim, row) =>
        values.forEach((v, col) => {
          for (let j = 0; j < base.length; j++) expect(t[(row * steps + col) * base.length + j]).toBeCloseTo(j === dim ? v : base[j], 6);
        }),
      );
      expect(values[0]).toBe(-3);
      expect(values[steps - 1]).toBeCloseTo(3, 12);
    },
  );

  fcTest.prop([fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 40 })])(
    'examples across classes: distinct, deterministic, classes in turn',
    (labels, n) => {
      const idx = acrossClasses(labels, labels.length, n);
      expect(idx).toEqual(acrossClasses(labels, labels.length, n));
      expect(new Set(idx).size).toBe(idx.length);
      expect(idx.length).toBe(Math.min(n, labels.length));
      const classes = [...new Set(labels)].sort((a, b) => a - b);
      // The first round shows each class once, smallest label first.
      const first = idx.slice(0, classes.length).map((i) => labels[i]);
      expect(first).toEqual(classes.slice(0, first.length));
    },
  );

  fcTest.prop([fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 2, max: 6 })])(
    'a grid places each upscaled tile pixel where tileOrigin says',
    (count, perRow, scale, sep, side) => {
      const values = Float32Array.from({ length: count * side * side }, (_, i) => ((i * 37) % 11) / 10);
      const o = { count, perRow, tileRows: side, tileCols: side, scale, sep };
      const r = tileGrid(values, o);
      expect({ width: r.width, height: r.height }).toEqual(gridSize(o));
      for (let k = 0; k < count; k++) {
        const { x, y } = tileOrigin(k, o);
        for (let p = 0; p < side * side; p++) {
          const row = Math.floor(p / side);
          const col = p % side;
          const want = Math.round(255 * values[k * side * side + p]);
          for (const [dy, dx] of [[0, 0], [scale - 1, scale - 1]])
            expect(r.data[((y + row * scale + dy) * r.width + x + col * scale + dx) * 4]).toBe(want);
        }
      }
      if (sep > 0) expect(r.data[0]).toBe(160); // the separator frame
    },
  );

  test('the default scale makes a tile at least 84 px', () => {
    expect(defaultScale(28) * 28).toBeGreaterThanOrEqual(84);
    expect(defaultScale(64) * 64).toBeGreaterThanOrEqual(84);
    expect(defaultScale(28)).toBe(3);
  });

  fcTest.prop([fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 10 })])('inputs sit directly above their reconstructions', (n, perRow) => {
    const top = Float32Array.from({ length: n }, (_, i) => i + 1);
    const bottom = Float32Array.from({ length: n }, (_, i) => -(i + 1));
    const out = interleaveRows(top, bottom, n, 1, perRow);
    for (let i = 0; i < n; i++) {
      const r = Math.floor(i / perRow);
      const c = i % perRow;
      expect(out[2 * r * perRow + c]).toBe(i + 1);
      expect(out[(2 * r + 1) * perRow + c]).toBe(-(i + 1));
    }
  });

  fcTest.prop([fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 2 ** 31 })])('units ranked by use: a permutation, most often active first', (n, d, seed) => {
    const codes = Float32Array.from({ length: n * d }, (_, i) => ((i * 7919 + seed) % 5 < 2 ? 0 : ((i * 31 + seed) % 11) - 5));
    const use = unitUsage(codes, n, d);
    const order = rankUnits(use);
    expect([...order].sort((a, b) => a - b)).toEqual([...Array(d).keys()]);
    for (let k = 1; k < d; k++) expect(use.active[order[k]]).toBeLessThanOrEqual(use.active[order[k - 1]]);
    for (let j = 0; j < d; j++) expect(use.active[j]).toBe(Array.from({ length: n }, (_, i) => codes[i * d + j]).filter((v) => v !== 0).length);
  });

  fcTest.prop([fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 })])('grey rasters are written as greyscale PNG and decode to the same pixels', (greys) => {
    const data = new Uint8ClampedArray(greys.flatMap((g) => [g, g, g, 255]));
    const r = { width: 3, height: 2, data };
    expect(isOpaqueGrey(r)).toBe(true);
    const bytes = encodePng(r);
    expect(bytes[25]).toBe(0); // IHDR colour type 0: greyscale
    expect([...PNG.sync.read(bytes).data]).toEqual([...data]);
    const coloured = { width: 3, height: 2, data: Uint8ClampedArray.from(data, (v, i) => (i === 0 ? (v + 1) % 256 : v)) };
    expect(isOpaqueGrey(coloured)).toBe(false);
    expect(encodePng(coloured)[25]).toBe(6);
  });

  fcTest.prop([fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.string({ minLength: 1, maxLength: 8 })])('compactSvg rounds coordinates in tags to 0.01 and leaves text alone', (v, word) => {
    const text = `${word.replace(/[<>&]/g, '')} 1.23456789`;
    const svg = `<svg><path transform="translate(${v},${-v})"/><text x="${v}">${text}</text></svg>`;
    const out = compactSvg(svg);
    const nums = [...out.matchAll(/translate\(([^,]+),([^)]+)\)/g)][0].slice(1).map(Number);
    expect(Math.abs(nums[0] - v)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(nums[1] + v)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(out).toContain(`>${text}</text>`);
    expect(compactSvg(out)).toBe(out);
  });

  test('loss curves: the total first, train solid and held-out dashed (as the captions say)', () => {
    const spec = lossCurves([{ epoch: 1, train: { reconstruction: 2, kl: 1, loss: 3 }, heldOut: { reconstruction: 2, kl: 1, loss: 3 } }], 't') as unknown as {
      facet: { sort: string[] };
      spec: { encoding: { strokeDash: { scale: { domain: string[]; range: number[][] } } } };
    };
    expect(spec.facet.sort).toEqual(['loss', 'reconstruction', 'kl']);
    const dash = spec.spec.encoding.strokeDash.scale;
    expect(dash.range[dash.domain.indexOf('train')]).toEqual([1, 0]);
    expect(dash.range[dash.domain.indexOf('held-out')][0]).toBeGreaterThan(1);
  });

  test('line charts: series in the order given, whole-number ticks only for whole-number x', () => {
    type Enc = { encoding: { x: { axis?: { tickMinStep: number } }; color: { sort: unknown } } };
    const epochs = lineChart([{ x: 1, y: 2, series: 'r = 16' }, { x: 2, y: 1, series: 'r = 2' }], 't', 'epoch', 'y') as unknown as Enc;
    expect(epochs.encoding.color.sort).toBeNull();
    expect(epochs.encoding.x.axis?.tickMinStep).toBe(1);
    const fractional = lineChart([{ x: 0.5, y: 2, series: 'a' }], 't', 'x', 'y') as unknown as Enc;
    expect(fractional.encoding.x.axis).toBeUndefined();
  });

  test('PCA finds the leading axes of an anisotropic cloud', () => {
    const n = 400;
    const d = 5;
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const a = Math.sin(i * 1.3) * 5;
      const b = Math.cos(i * 0.7) * 2;
      x[i * d + 3] = a + 1;
      x[i * d + 1] = b - 2;
      x[i * d + 0] = Math.sin(i * 2.9) * 0.1;
    }
    const p = pcaFit(x, n, d, 2);
    expect(Math.abs(p.basis.get(3, 0))).toBeCloseTo(1, 3);
    expect(Math.abs(p.basis.get(1, 1))).toBeCloseTo(1, 2);
  });
});

const tmp = mkdtempSync(join(tmpdir(), 'hourglass-figures-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hourglass = (...args: string[]) => runCli(args);

describe('hourglass figures', () => {
  test('a 2-D VAE gets every image figure, the codes beside PCA and the curves', () => {
    const spec = writeVaeSpec(tmp, 'vae2', 64);
    const run = join(tmp, 'run');
    const t = hourglass('train', spec, '--data', 'mnist', '--epochs', '2', '--out', run, '--no-typecheck');
    expect(t.code, t.err).toBe(0);
    const r = hourglass('figures', run);
    expect(r.code, r.err).toBe(0);
    const dir = join(run, 'figures');
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { file: string; paper?: string }[];
    expect(index.map((f) => f.file).sort()).toEqual(['codes.svg', 'curves.svg', 'manifold.png', 'reconstructions.png', 'samples.png', 'traversals.png']);
    expect(index.find((f) => f.file === 'manifold.png')?.paper).toMatch(/Kingma/);
    const recon = PNG.sync.read(readFileSync(join(dir, 'reconstructions.png')));
    // 10 columns of 84-px tiles with 2-px separators; 4 rows (2 of inputs, 2 of reconstructions).
    expect(recon.width).toBe(10 * 84 + 11 * 2);
    expect(recon.height).toBe(4 * 84 + 5 * 2);
    const manifold = PNG.sync.read(readFileSync(join(dir, 'manifold.png')));
    expect(manifold.width).toBe(20 * 28);
    for (const svg of ['codes.svg', 'curves.svg']) {
      const text = readFileSync(join(dir, svg), 'utf8');
      expect(text.startsWith('<svg')).toBe(true);
      expect(text).toContain('class="mark-'); // vega's marks, not an empty plot
    }
    expect(readFileSync(join(dir, 'codes.svg'), 'utf8')).toContain('PCA');
    expect(existsSync(join(dir, 'filters.png'))).toBe(false); // a two-layer decoder has no filter picture
  }, 600_000); // generous for a loaded shared machine

  test('a k-sparse autoencoder gets its most used filters, and the caption counts the dead units', () => {
    const spec = join(tmp, 'ks.ts');
    writeFileSync(
      spec,
      `import { autoencoder, dense, flow, input, mse, sparsifyK, tied } from '${join(repo, 'dsl')}';
const code = dense(30);
export default autoencoder({ name: 'ks', input: input([784]), encoder: flow(code, sparsifyK(3)), decoder: tied(code, 784), likelihood: mse })
  .objective(({ x, code: h, decoder }) => ({ reconstruction: mse(decoder(h), x) }));
`,
    );
    const run = join(tmp, 'ks-run');
    const t = hourglass('train', spec, '--data', 'mnist', '--epochs', '1', '--out', run, '--no-typecheck');
    expect(t.code, t.err).toBe(0);
    const r = hourglass('figures', run);
    expect(r.code, r.err).toBe(0);
    const index = JSON.parse(readFileSync(join(run, 'figures', 'index.json'), 'utf8')) as { file: string; caption: string }[];
    const filters = index.find((f) => f.file === 'filters.png');
    expect(filters?.caption).toMatch(/The 30 of 30 decoder filters .* active most often .*; \d+ of 30 units are never active/);
    const png = PNG.sync.read(readFileSync(join(run, 'figures', 'filters.png')));
    expect(png.width).toBe(10 * 56 + 11); // 10 tiles a row, 2× upscaled, 1-px separators
    expect(png.height).toBe(3 * 56 + 4);
  }, 600_000);

  test('reproduce and report refuse bad input with one line and a documented code', () => {
    const one = (r: ReturnType<typeof hourglass>, code: number, pattern: RegExp) => {
      expect(r.code, r.err).toBe(code);
      expect(r.err.split('\n')).toHaveLength(1);
      expect(r.err).toMatch(pattern);
    };
    one(hourglass('reproduce', 'nobody'), 2, /^hourglass: nobody: no such reproduction/);
    const full = join(tmp, 'full');
    writeFileSync(join(tmp, 'keep.txt'), 'user data');
    one(hourglass('reproduce', 'zhao', '--quick', '--out', tmp), 73, /exists and is not empty/);
    expect(readFileSync(join(tmp, 'keep.txt'), 'utf8')).toBe('user data');
    one(hourglass('report', join(full, 'missing')), 66, /not a finished run/);
  }, 300_000);

  test('a missing run is one line and exit 66', () => {
    const r = hourglass('figures', join(tmp, 'nothing-here'));
    expect(r.code).toBe(66);
    expect(r.err).toMatch(/^hourglass: .*not a finished run/);
    expect(r.err.split('\n')).toHaveLength(1);
  }, 300_000);
});
