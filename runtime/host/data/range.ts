// A likelihood's data range (Bernoulli: [0, 1]), checked where data meets a model: 0–255 pixels
// would train to a meaningless loss and evaluate to NaN instead of failing at the door.

/** Why `images` fall outside [lo, hi] (one line naming `name` and the range), or null. */
export const outsideRange = (name: string, images: ArrayLike<number>, range: readonly [number, number] | undefined, model: string): string | null => {
  if (!range) return null;
  const [lo, hi] = range;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < images.length; i++) {
    const v = images[i];
    if (v < min) min = v;
    if (v > max) max = v;
    if (Number.isNaN(v)) return `${name}: holds NaN values, but ${model}'s likelihood needs data in [${lo}, ${hi}]`;
  }
  if (min < lo || max > hi)
    return `${name}: values range over [${min}, ${max}], but ${model}'s likelihood needs data in [${lo}, ${hi}]; scale it (e.g. divide 0–255 pixels by 255) or pass --binarise`;
  return null;
};
