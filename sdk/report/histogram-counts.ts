/** A histogram of values on [lo, hi] in equal-width bins. */
export interface HistogramCounts {
  lo: number;
  hi: number;
  counts: number[];
  /** Values counted (finite ones; those outside [lo, hi] go to the end bins). */
  total: number;
  /** Values that were not finite and were left out. */
  skipped: number;
  /** Mean of the counted values (clamped to [lo, hi]); NaN when none. */
  mean: number;
}

/**
 * Counts `values` into `bins` equal-width bins over [lo, hi]: bin i holds [lo + i·w, lo + (i+1)·w), the last
 * also holds hi. Values outside the range are clamped into the end bins; NaN and ±Infinity are skipped.
 */
export function histogramCounts(values: ArrayLike<number>, bins: number, lo = 0, hi = 1): HistogramCounts {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`histogramCounts: 'bins' must be a positive integer, got ${bins}`);
  if (!(hi > lo)) throw new RangeError(`histogramCounts: expected lo < hi, got [${lo}, ${hi}]`);
  const counts = new Array<number>(bins).fill(0);
  let total = 0;
  let skipped = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      skipped++;
      continue;
    }
    const c = Math.min(hi, Math.max(lo, v));
    counts[Math.min(bins - 1, Math.floor(((c - lo) / (hi - lo)) * bins))]!++;
    total++;
    sum += c;
  }
  return { lo, hi, counts, total, skipped, mean: total > 0 ? sum / total : NaN };
}
