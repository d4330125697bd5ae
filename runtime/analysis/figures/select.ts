// Which held-out examples a figure shows: deterministic, and spread across the classes (the
// digits are stored by class, so "the first n" would all be zeros).

/** `n` indices into `labels`, taking classes in turn (0, 1, 2, …) and each class's examples in order. */
export const acrossClasses = (labels: ArrayLike<number> | undefined, total: number, n: number): number[] => {
  const want = Math.min(n, total);
  if (!labels) return Array.from({ length: want }, (_, i) => Math.floor((i * total) / want));
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < total; i++) {
    const c = labels[i];
    const list = byClass.get(c);
    if (list) list.push(i);
    else byClass.set(c, [i]);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const out: number[] = [];
  for (let round = 0; out.length < want; round++)
    for (const c of classes) {
      const list = byClass.get(c)!;
      if (round < list.length && out.length < want) out.push(list[round]);
    }
  return out;
};

/** Rows `idx` of a row-major [*, dim] array, concatenated. */
export const gatherRows = (values: ArrayLike<number>, dim: number, idx: readonly number[]): Float32Array => {
  const out = new Float32Array(idx.length * dim);
  idx.forEach((i, k) => {
    for (let j = 0; j < dim; j++) out[k * dim + j] = values[i * dim + j];
  });
  return out;
};
