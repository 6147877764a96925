/**
 * Confidence intervals for a difference between two models measured on the same seeds or the same rows:
 * pairing removes what both share (the split, the initialisation under common random numbers), so the
 * interval is about the models, not about the noise they have in common.
 */
import { mulberry32 } from "../data/prng";

/** A difference and its confidence interval. */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

/** P(|T| ≤ t) for Student's t with `df` degrees of freedom (integer df: the finite series of A&S 26.7.3–4). */
export function studentTTwoSided(t: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`studentTTwoSided: df must be a positive integer, got ${df}`);
  const theta = Math.atan(Math.abs(t) / Math.sqrt(df));
  const cos2 = Math.cos(theta) ** 2;
  if (df % 2 === 1) {
    let term = Math.cos(theta);
    let sum = df > 1 ? term : 0;
    for (let j = 1; j <= (df - 3) / 2; j++) sum += term *= ((2 * j) / (2 * j + 1)) * cos2;
    return (2 / Math.PI) * (theta + Math.sin(theta) * sum);
  }
  let term = 1;
  let sum = 1;
  for (let j = 1; j <= (df - 2) / 2; j++) sum += term *= ((2 * j - 1) / (2 * j)) * cos2;
  return Math.sin(theta) * sum;
}

/** The t with P(|T| ≤ t) = level: the multiplier of a two-sided `level` t-interval (bisection, to double precision). */
export function studentTQuantile(level: number, df: number): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`studentTQuantile: level must be in (0, 1), got ${level}`);
  let lo = 0;
  let hi = 1;
  while (studentTTwoSided(hi, df) < level) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTTwoSided(mid, df) < level) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The paired t-interval: mean of the per-seed differences ± t(level, n − 1) · s / √n. Needs two or more. */
export function pairedTInterval(differences: readonly number[], level = 0.95): Interval {
  const n = differences.length;
  if (n < 2) throw new RangeError(`pairedTInterval: needs at least 2 paired differences, got ${n}`);
  const mean = differences.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(differences.reduce((a, d) => a + (d - mean) ** 2, 0) / (n - 1));
  const half = studentTQuantile(level, n - 1) * (sd / Math.sqrt(n));
  return { estimate: mean, low: mean - half, high: mean + half };
}

/** One model's predictions sorted once, so that each resample's AUC is a single weighted pass. */
interface SortedScores {
  order: Uint32Array;
  /** `groupEnd[k]`: one past the last position of the tie group that position k starts (0 inside a group). */
  groupEnd: Uint32Array;
}

function sortScores(preds: ArrayLike<number>): SortedScores {
  const n = preds.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => preds[a]! - preds[b]!);
  const groupEnd = new Uint32Array(n);
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && preds[order[j]!]! === preds[order[i]!]!) j++;
    groupEnd[i] = j;
    i = j;
  }
  return { order, groupEnd };
}

/** AUC with each row counted `weights[i]` times (ties count one half, as `auc`); NaN when a class is absent. */
function weightedAuc(s: SortedScores, labels: ArrayLike<number>, weights: Uint32Array): number {
  let negBelow = 0;
  let pairs = 0;
  let positives = 0;
  for (let i = 0; i < s.order.length; ) {
    const end = s.groupEnd[i]!;
    let pos = 0;
    let neg = 0;
    for (let k = i; k < end; k++) {
      const row = s.order[k]!;
      const w = weights[row]!;
      if (labels[row] === 1) pos += w;
      else neg += w;
    }
    pairs += pos * (negBelow + neg / 2);
    negBelow += neg;
    positives += pos;
    i = end;
  }
  return pairs / (positives * negBelow);
}

/** The `p`-quantile of sorted values, interpolated between neighbours (type 7). */
function quantile(sorted: Float64Array, p: number): number {
  const at = (sorted.length - 1) * p;
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export interface BootstrapOptions {
  resamples: number;
  seed: number;
  level?: number;
}

/**
 * Paired bootstrap of AUC differences over rows: every resample draws the test rows with replacement once
 * and scores every model on those same rows, so that each `pairs[k] = [a, b]` gets the percentile interval
 * of AUC(preds[a]) − AUC(preds[b]). Its estimate is the difference on all rows. Identical predictions give
 * exactly [0, 0]. Resamples left with one class only are skipped.
 */
export function pairedBootstrapAuc(labels: ArrayLike<number>, preds: readonly ArrayLike<number>[], pairs: readonly (readonly [number, number])[], options: BootstrapOptions): Interval[] {
  const n = labels.length;
  for (const [m, p] of preds.entries()) if (p.length !== n) throw new RangeError(`pairedBootstrapAuc: model ${m} has ${p.length} predictions for ${n} labels`);
  const used = [...new Set(pairs.flat())];
  const sorted = new Map(used.map((m) => [m, sortScores(preds[m]!)]));
  const ones = new Uint32Array(n).fill(1);
  const full = new Map(used.map((m) => [m, weightedAuc(sorted.get(m)!, labels, ones)]));
  const rand = mulberry32(options.seed);
  const weights = new Uint32Array(n);
  const diffs = pairs.map(() => new Float64Array(options.resamples));
  let kept = 0;
  for (let b = 0; b < options.resamples; b++) {
    weights.fill(0);
    for (let i = 0; i < n; i++) weights[Math.floor(rand() * n)]!++;
    const aucs = new Map(used.map((m) => [m, weightedAuc(sorted.get(m)!, labels, weights)]));
    if (used.some((m) => Number.isNaN(aucs.get(m)!))) continue;
    pairs.forEach(([a, c], k) => (diffs[k]![kept] = aucs.get(a)! - aucs.get(c)!));
    kept++;
  }
  const tail = (1 - (options.level ?? 0.95)) / 2;
  return pairs.map(([a, c], k) => {
    const d = diffs[k]!.slice(0, kept).sort();
    const estimate = full.get(a)! - full.get(c)!;
    return kept === 0 ? { estimate, low: NaN, high: NaN } : { estimate, low: quantile(d, tail), high: quantile(d, 1 - tail) };
  });
}
