// A grid of grey images as a PNG (pngjs does the encoding).
import { PNG } from 'pngjs';
import { markPng } from '../host/marks';

/** `images` holds `count` row-major images of `rows × cols` values in [0, 1]. */
export const gridPng = (images: ArrayLike<number>, count: number, rows: number, cols: number, perRow = Math.ceil(Math.sqrt(count))): Buffer => {
  const gridRows = Math.ceil(count / perRow);
  const png = new PNG({ width: perRow * cols, height: gridRows * rows });
  png.data.fill(255);
  for (let k = 0; k < count; k++) {
    const ox = (k % perRow) * cols;
    const oy = Math.floor(k / perRow) * rows;
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const v = Math.round(255 * Math.min(1, Math.max(0, images[k * rows * cols + r * cols + c])));
        const i = ((oy + r) * png.width + ox + c) * 4;
        png.data[i] = png.data[i + 1] = png.data[i + 2] = v;
        png.data[i + 3] = 255;
      }
  }
  // Marked, so that a later sample / reconstruct may replace it (run/outputs.ts).
  return markPng(PNG.sync.write(png));
};
