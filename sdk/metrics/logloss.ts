/** Probabilities are clipped to [EPS, 1 - EPS] before the log, as sklearn's log_loss in FuxiCTR (eps = 1e-7). */
export const LOGLOSS_EPS = 1e-7;

/** Mean binary cross-entropy of probabilities `preds` against 0/1 `labels` (natural log). */
export function logloss(labels: ArrayLike<number>, preds: ArrayLike<number>): number {
  if (labels.length !== preds.length)
    throw new RangeError(`logloss: 'labels' has ${labels.length} entries but 'preds' has ${preds.length}`);
  const n = labels.length;
  if (n === 0) throw new RangeError("logloss: no samples");
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    const raw = preds[i]!;
    if (Number.isNaN(raw)) throw new RangeError(`logloss: prediction ${i} is NaN`);
    if (y !== 0 && y !== 1) throw new RangeError(`logloss: label ${i} must be 0 or 1, got ${y}`);
    const p = Math.min(1 - LOGLOSS_EPS, Math.max(LOGLOSS_EPS, raw));
    sum -= y === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / n;
}
