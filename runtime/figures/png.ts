// Raster → PNG bytes (pngjs; Node's zlib underneath, so this one module is Node-only).
import { PNG } from 'pngjs';
import type { Raster } from './raster';

export const encodePng = (r: Raster): Buffer => {
  const png = new PNG({ width: r.width, height: r.height });
  png.data = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
  return PNG.sync.write(png);
};
