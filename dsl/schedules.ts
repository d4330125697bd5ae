// Schedules a trainer can follow between epochs.

/**
 * Makhzani & Frey's k-annealing: k falls linearly from `from` to `to` over `epochs` epochs
 * (1-based), then stays at `to`. Large early k keeps every unit in use (no dead codes).
 */
export const kAnnealing =
  ({ from, to, epochs }: { readonly from: number; readonly to: number; readonly epochs: number }) =>
  (epoch: number): number => {
    if (epochs <= 1 || epoch >= epochs) return to;
    const t = (Math.max(1, epoch) - 1) / (epochs - 1);
    return Math.round(from + (to - from) * t);
  };
