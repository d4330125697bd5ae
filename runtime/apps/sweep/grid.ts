// The grid of a sweep: `--set k=10,25,40 --set lr=1e-3,3e-4 --seeds 3` → one trial per grid point
// and seed, each with an id derived from its parameters (so a rerun finds its directory again).
// Pure: no file system, safe for a browser page.
import * as E from 'fp-ts/Either';

export interface Axis {
  readonly name: string;
  readonly values: readonly string[];
}

/** One grid point: parameter name → value, in the order the axes were given. */
export type Point = readonly (readonly [string, string])[];

export interface Trial {
  /** Directory name under the sweep directory; derived from point and seed only. */
  readonly id: string;
  /** Id of the grid point (the trial id without the seed): trials of one point share it. */
  readonly pointId: string;
  readonly point: Point;
  readonly seed: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** `name=v1,v2,…` (one --set) → an axis; values are kept as written. */
export const parseAxis = (raw: string): E.Either<string, Axis> => {
  const eq = raw.indexOf('=');
  if (eq <= 0) return E.left(`--set ${JSON.stringify(raw)}: expected name=value[,value…]`);
  const name = raw.slice(0, eq).trim();
  if (!NAME.test(name)) return E.left(`--set ${JSON.stringify(raw)}: ${JSON.stringify(name)} is not a parameter name`);
  const values = raw
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim());
  if (values.some((v) => v === '')) return E.left(`--set ${JSON.stringify(raw)}: an empty value`);
  if (new Set(values).size !== values.length) return E.left(`--set ${JSON.stringify(raw)}: a value appears twice`);
  return E.right({ name, values });
};

export const parseAxes = (raws: readonly string[]): E.Either<string, Axis[]> => {
  const axes: Axis[] = [];
  for (const raw of raws) {
    const a = parseAxis(raw);
    if (E.isLeft(a)) return a;
    if (axes.some((b) => b.name === a.right.name)) return E.left(`--set ${a.right.name}: given twice; list its values in one --set`);
    axes.push(a.right);
  }
  return E.right(axes);
};

/** `--seeds 3` → 1, 2, 3; `--seeds 4,7` → 4, 7. */
export const parseSeeds = (raw: string): E.Either<string, number[]> => {
  const parts = raw.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.some((p) => p === '') || nums.some((n) => !Number.isInteger(n)))
    return E.left(`--seeds must be a count (3) or a list of integer seeds (1,2,5), got ${JSON.stringify(raw)}`);
  if (parts.length === 1) {
    if (nums[0] < 1 || nums[0] > 10_000) return E.left(`--seeds must be a count between 1 and 10000, got ${raw}`);
    return E.right(Array.from({ length: nums[0] }, (_, i) => i + 1));
  }
  if (new Set(nums).size !== nums.length) return E.left(`--seeds ${raw}: a seed appears twice`);
  return E.right(nums);
};

/** Cartesian product, the first axis varying slowest. */
export const points = (axes: readonly Axis[]): Point[] =>
  axes.reduce<Point[]>((acc, axis) => acc.flatMap((p) => axis.values.map((v) => [...p, [axis.name, v] as const])), [[]]);

// FNV-1a, enough to tell apart two values whose safe spellings coincide.
const shortHash = (s: string): string => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').slice(0, 6);
};

/** A file-name-safe spelling of a value; a hash is appended whenever characters were replaced. */
const safe = (v: string): string => {
  const s = v.replace(/[^A-Za-z0-9.+-]/g, '_');
  return s === v && !s.startsWith('.') ? s : `${s}~${shortHash(v)}`;
};

export const pointId = (p: Point): string => (p.length === 0 ? 'default' : p.map(([k, v]) => `${k}=${safe(v)}`).join(','));

export const trialId = (p: Point, seed: number): string => `${pointId(p)},seed=${seed}`;

export const expand = (axes: readonly Axis[], seeds: readonly number[]): Trial[] =>
  points(axes).flatMap((point) => seeds.map((seed) => ({ id: trialId(point, seed), pointId: pointId(point), point, seed })));
