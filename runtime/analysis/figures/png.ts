// Raster → PNG bytes (pngjs; Node's zlib underneath, so this one module is Node-only). A raster
// whose pixels are all opaque greys (every image grid) is written as 8-bit greyscale: a quarter of
// the RGBA bytes before compression.
import { PNG } from 'pngjs';
import { markPng } from '../../host/marks';
import type { Raster } from './raster';

/** Every pixel opaque with R = G = B. */
export const isOpaqueGrey = (r: Raster): boolean => {
  const d = r.data;
  for (let p = 0; p < d.length; p += 4) if (d[p] !== d[p + 1] || d[p] !== d[p + 2] || d[p + 3] !== 255) return false;
  return true;
};

export const encodePng = (r: Raster): Buffer => {
  const png = new PNG({ width: r.width, height: r.height });
  png.data = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
  // Marked, so that a later `figures` may replace it (run/outputs.ts).
  return markPng(PNG.sync.write(png, isOpaqueGrey(r) ? { colorType: 0 } : {}));
};
