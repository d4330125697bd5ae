// Inputs for the top-k mask: rows along the last axis of distinct values, a shuffled ladder 0.5
// apart plus jitter < 0.1, so there are no ties and a ±0.2 perturbation never reorders a row.
export const makeDistinctRows = (x: Float64Array, n: number, rand: () => number): void => {
  for (let row = 0; row < x.length / n; row++) {
    const ladder = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [ladder[i], ladder[j]] = [ladder[j], ladder[i]];
    }
    ladder.forEach((v, i) => (x[row * n + i] = (v - (n - 1) / 2) * 0.5 + 0.1 * rand()));
  }
};
