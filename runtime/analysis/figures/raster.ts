// Image grids as RGBA rasters: pure functions (no fs, no Node modules), so a browser page can
// draw the same figures. Encoding to PNG lives in png.ts.

export interface Raster {
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major, 4 bytes a pixel. */
  readonly data: Uint8ClampedArray;
}

export interface GridOptions {
  /** Tiles in the grid, row-major; each `side × side` values in [0, 1] (or signed, see `signed`). */
  readonly count: number;
  readonly perRow: number;
  readonly tileRows: number;
  readonly tileCols: number;
  /** Integer upscaling of every pixel (nearest neighbour). */
  readonly scale: number;
  /** Pixels between tiles (and around the grid). */
  readonly sep: number;
  /** Per-tile contrast: map each tile's [−max|v|, +max|v|] to [0, 1] (decoder filters). */
  readonly signed?: boolean;
  /** Separator grey in [0, 255]. */
  readonly sepGrey?: number;
}

/** The smallest integer scale that makes a tile of `side` pixels at least `min` pixels wide. */
export const defaultScale = (side: number, min = 84): number => Math.max(1, Math.ceil(min / side));

export const gridSize = (o: Pick<GridOptions, 'count' | 'perRow' | 'tileRows' | 'tileCols' | 'scale' | 'sep'>) => {
  const rows = Math.ceil(o.count / o.perRow);
  return {
    width: o.perRow * o.tileCols * o.scale + (o.perRow + 1) * o.sep,
    height: rows * o.tileRows * o.scale + (rows + 1) * o.sep,
  };
};

/** Top-left pixel of tile k. */
export const tileOrigin = (k: number, o: Pick<GridOptions, 'perRow' | 'tileRows' | 'tileCols' | 'scale' | 'sep'>) => ({
  x: o.sep + (k % o.perRow) * (o.tileCols * o.scale + o.sep),
  y: o.sep + Math.floor(k / o.perRow) * (o.tileRows * o.scale + o.sep),
});

export const tileGrid = (values: ArrayLike<number>, o: GridOptions): Raster => {
  const { width, height } = gridSize(o);
  const data = new Uint8ClampedArray(width * height * 4);
  const g = o.sepGrey ?? 160;
  for (let i = 0; i < width * height; i++) {
    data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = g;
    data[4 * i + 3] = 255;
  }
  const per = o.tileRows * o.tileCols;
  for (let k = 0; k < o.count; k++) {
    const base = k * per;
    let lo = 0;
    let span = 1;
    if (o.signed) {
      let m = 0;
      for (let j = 0; j < per; j++) m = Math.max(m, Math.abs(values[base + j]));
      lo = -m;
      span = 2 * m || 1;
    }
    const { x, y } = tileOrigin(k, o);
    for (let r = 0; r < o.tileRows; r++)
      for (let c = 0; c < o.tileCols; c++) {
        const v = Math.round(255 * Math.min(1, Math.max(0, (values[base + r * o.tileCols + c] - lo) / span)));
        for (let dy = 0; dy < o.scale; dy++) {
          let p = ((y + r * o.scale + dy) * width + x + c * o.scale) * 4;
          for (let dx = 0; dx < o.scale; dx++, p += 4) data[p] = data[p + 1] = data[p + 2] = v;
        }
      }
  }
  return { width, height, data };
};

/** Square side of images with `dim` values, or null when they are not square. */
export const squareSide = (dim: number): number | null => {
  const s = Math.round(Math.sqrt(dim));
  return s * s === dim ? s : null;
};

/**
 * Interleave rows of tiles: `top` row-block i above `bottom` row-block i, `perRow` tiles a row;
 * 2·⌈n / perRow⌉·perRow tiles, a short last row padded with zeros.
 */
export const interleaveRows = (top: ArrayLike<number>, bottom: ArrayLike<number>, n: number, dim: number, perRow: number): Float32Array => {
  const rows = Math.ceil(n / perRow);
  const out = new Float32Array(2 * rows * perRow * dim);
  let k = 0;
  for (let r = 0; r < rows; r++)
    for (const src of [top, bottom])
      for (let c = 0; c < perRow; c++, k++) {
        const i = r * perRow + c;
        if (i < n) for (let j = 0; j < dim; j++) out[k * dim + j] = src[i * dim + j];
        else for (let j = 0; j < dim; j++) out[k * dim + j] = 0;
      }
  return out;
};
