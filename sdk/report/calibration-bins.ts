/** How predicted probabilities are grouped: equal-width bins on [0, 1], or bins of (about) equal row counts. */
export type CalibrationBinning = "uniform" | "quantile";

export interface CalibrationOptions {
  /** Number of bins (default 10). */
  bins?: number;
  /** Default "uniform". */
  binning?: CalibrationBinning;
}

/** One non-empty bin of a reliability diagram. */
export interface CalibrationBin {
  /** Smallest and largest predicted probability in the bin (quantile) or the bin's edges (uniform). */
  lo: number;
  hi: number;
  count: number;
  /** Mean predicted probability of the bin's rows. */
  meanPredicted: number;
  /** Share of positive labels among the bin's rows: the observed click rate. */
  observedRate: number;
}

export interface CalibrationSummary {
  binning: CalibrationBinning;
  /** Non-empty bins only, in increasing order of probability. */
  bins: CalibrationBin[];
  /** Rows counted. */
  n: number;
  /** Rows left out because the prediction or the label was not finite. */
  skipped: number;
  /** Over all counted rows; NaN when n = 0. */
  meanPredicted: number;
  observedRate: number;
  /** Expected calibration error: Σ_b (n_b / n)·|observed_b − predicted_b| (Naeini et al. 2015); NaN when n = 0. */
  ece: number;
}

/**
 * The reliability diagram's bins and the expected calibration error of `probs` against 0/1 `labels`.
 * Predictions are clamped to [0, 1]; rows with a non-finite prediction or label are skipped.
 *
 * - "uniform": bin i of B holds p in [i/B, (i+1)/B); the last bin also holds p = 1.
 * - "quantile": rows sorted by p are cut into B runs of ⌊n/B⌋ or ⌈n/B⌉ rows; a cut never splits equal
 *   predictions (it moves up past ties), so there may be fewer than B bins.
 */
export function calibrationBins(labels: ArrayLike<number>, probs: ArrayLike<number>, options: CalibrationOptions = {}): CalibrationSummary {
  const B = options.bins ?? 10;
  const binning = options.binning ?? "uniform";
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`calibrationBins: 'bins' must be a positive integer, got ${B}`);
  if (labels.length !== probs.length)
    throw new RangeError(`calibrationBins: 'labels' has ${labels.length} entries but 'probs' has ${probs.length}`);
  const p: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < probs.length; i++) {
    const pi = probs[i]!;
    const yi = labels[i]!;
    if (!Number.isFinite(pi) || !Number.isFinite(yi)) continue;
    p.push(Math.min(1, Math.max(0, pi)));
    y.push(yi);
  }
  const n = p.length;
  const skipped = probs.length - n;
  // groups of row indices, in increasing order of probability, with their reported edges
  const groups: { rows: number[]; lo: number; hi: number }[] = [];
  if (binning === "uniform") {
    const members: number[][] = Array.from({ length: B }, () => []);
    for (let i = 0; i < n; i++) members[Math.min(B - 1, Math.floor(p[i]! * B))]!.push(i);
    members.forEach((rows, b) => groups.push({ rows, lo: b / B, hi: (b + 1) / B }));
  } else {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
    let start = 0;
    for (let b = 1; b <= B && start < n; b++) {
      let end = b === B ? n : Math.max(start, Math.floor((b * n) / B));
      while (end < n && end > 0 && p[order[end]!] === p[order[end - 1]!]) end++;
      if (end <= start) continue;
      const rows = order.slice(start, end);
      groups.push({ rows, lo: p[rows[0]!]!, hi: p[rows[rows.length - 1]!]! });
      start = end;
    }
  }
  const bins: CalibrationBin[] = [];
  let ece = 0;
  let sumP = 0;
  let sumY = 0;
  for (const g of groups) {
    if (g.rows.length === 0) continue;
    let sp = 0;
    let sy = 0;
    for (const i of g.rows) {
      sp += p[i]!;
      sy += y[i]!;
    }
    const meanPredicted = sp / g.rows.length;
    const observedRate = sy / g.rows.length;
    bins.push({ lo: g.lo, hi: g.hi, count: g.rows.length, meanPredicted, observedRate });
    ece += (g.rows.length / n) * Math.abs(observedRate - meanPredicted);
    sumP += sp;
    sumY += sy;
  }
  return {
    binning,
    bins,
    n,
    skipped,
    meanPredicted: n > 0 ? sumP / n : NaN,
    observedRate: n > 0 ? sumY / n : NaN,
    ece: n > 0 ? ece : NaN,
  };
}
