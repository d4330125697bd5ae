// A procedural 2-D shapes set like dSprites (Matthey et al. 2017): square, ellipse and heart
// × scale × rotation × x × y on 64×64 binary images, with the true factors kept for evaluation.
import { Rng } from '../../core/random';
import type { Dataset } from '../../core/dataset';

export const SIDE = 64;
export const FACTORS = ['shape', 'scale', 'orientation', 'posX', 'posY'] as const;
/** Grid sizes per factor, as in dSprites. */
export const GRID = { shape: 3, scale: 6, orientation: 40, posX: 32, posY: 32 } as const;
export const SHAPE_NAMES = ['square', 'ellipse', 'heart'] as const;

/** Is (u, v), in the shape's own frame scaled to about [-1, 1], inside it? */
const inside = (shape: number, u: number, v: number): boolean => {
  if (shape === 0) return Math.abs(u) <= 0.8 && Math.abs(v) <= 0.8;
  if (shape === 1) return u * u + (v * v) / 0.25 <= 1;
  // Heart curve (x² + y² − 1)³ ≤ x² y³, shrunk to fit and pointing down.
  const x = u * 1.15;
  const y = -v * 1.15 + 0.15;
  const a = x * x + y * y - 1;
  return a * a * a - x * x * y * y * y <= 0;
};

/** Factor values for grid indices: scale in [0.5, 1], orientation in [0, 2π), positions in [0, 1]. */
export const factorValues = (idx: readonly number[]): number[] => [
  idx[0],
  0.5 + (0.5 * idx[1]) / (GRID.scale - 1),
  (2 * Math.PI * idx[2]) / GRID.orientation,
  idx[3] / (GRID.posX - 1),
  idx[4] / (GRID.posY - 1),
];

export const renderShape = (out: Float32Array, offset: number, f: readonly number[]): void => {
  const [shape, scale, theta, px, py] = f;
  const radius = 12 * scale;
  // Keep every shape inside the frame at any rotation.
  const cx = 16 + px * (SIDE - 32);
  const cy = 16 + py * (SIDE - 32);
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  for (let r = 0; r < SIDE; r++)
    for (let q = 0; q < SIDE; q++) {
      const dx = q + 0.5 - cx;
      const dy = r + 0.5 - cy;
      const u = (c * dx + s * dy) / radius;
      const v = (-s * dx + c * dy) / radius;
      out[offset + r * SIDE + q] = inside(shape, u, v) ? 1 : 0;
    }
};

/** `n` images with factors drawn uniformly from the grid, reproducibly from `seed`. */
export const generateShapes = (n: number, seed: number): Dataset => {
  const dim = SIDE * SIDE;
  const images = new Float32Array(n * dim);
  const factors = new Float32Array(n * FACTORS.length);
  const labels = new Uint8Array(n);
  const rng = Rng.seeded(seed);
  const sizes = FACTORS.map((k) => GRID[k]);
  for (let i = 0; i < n; i++) {
    const idx = sizes.map((g) => Math.min(g - 1, Math.floor(rng.uniform() * g)));
    const f = factorValues(idx);
    factors.set(f, i * FACTORS.length);
    labels[i] = idx[0];
    renderShape(images, i * dim, f);
  }
  return { name: 'shapes', images, labels, n, shape: [dim], dim, factors: { names: [...FACTORS], values: factors } };
};
