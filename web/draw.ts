// Grids of grey square images on a canvas, and the codes the views decode.
import { Rng } from '../runtime/core/random';

/** `images` holds `count` row-major side × side images in [0, 1]; `scale` device pixels per pixel. */
export const drawGrid = (canvas: HTMLCanvasElement, images: Float32Array, count: number, side: number, perRow: number, scale = 2): void => {
  const rows = Math.ceil(count / perRow);
  const width = perRow * side;
  const height = rows * side;
  canvas.width = width;
  canvas.height = height;
  canvas.style.width = `${width * scale}px`;
  canvas.style.height = `${height * scale}px`;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(width, height);
  for (let k = 0; k < count; k++) {
    const ox = (k % perRow) * side;
    const oy = Math.floor(k / perRow) * side;
    for (let r = 0; r < side; r++)
      for (let c = 0; c < side; c++) {
        const v = Math.round(255 * Math.min(1, Math.max(0, images[k * side * side + r * side + c])));
        const i = ((oy + r) * width + ox + c) * 4;
        img.data[i] = img.data[i + 1] = img.data[i + 2] = v;
        img.data[i + 3] = 255;
      }
  }
  ctx.putImageData(img, 0, 0);
};

/** Codes from N(0, I), fixed by `seed` so successive redraws show the same draws improving. */
export const priorCodes = (n: number, latent: number, seed = 7): Float32Array => {
  const z = new Float32Array(n * latent);
  Rng.seeded(seed).fillNormal(z);
  return z;
};

/** A k × k grid of 2-D codes over [-2, 2]² (rows: second coordinate, top = +2). */
export const manifoldCodes = (k: number, extent = 2): Float32Array => {
  const z = new Float32Array(k * k * 2);
  for (let r = 0; r < k; r++)
    for (let c = 0; c < k; c++) {
      z[2 * (r * k + c)] = -extent + (2 * extent * c) / (k - 1);
      z[2 * (r * k + c) + 1] = extent - (2 * extent * r) / (k - 1);
    }
  return z;
};
