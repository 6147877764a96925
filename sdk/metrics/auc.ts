/**
 * Exact ROC AUC by sorting: the Mann–Whitney statistic with average ranks for tied predictions, so a tie
 * between a positive and a negative counts one half (as sklearn's roc_auc_score).
 */

function checkInputs(fn: string, labels: ArrayLike<number>, preds: ArrayLike<number>): void {
  if (labels.length !== preds.length)
    throw new RangeError(`${fn}: 'labels' has ${labels.length} entries but 'preds' has ${preds.length}`);
  if (labels.length === 0) throw new RangeError(`${fn}: no samples`);
}

/** AUC of `preds` against 0/1 `labels`. Throws when only one class is present, on a NaN or a non-0/1 label. */
export function auc(labels: ArrayLike<number>, preds: ArrayLike<number>): number {
  checkInputs("auc", labels, preds);
  const n = labels.length;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (y === 1) pos++;
    else if (y !== 0) throw new RangeError(`auc: label ${i} must be 0 or 1, got ${y}`);
    if (Number.isNaN(preds[i]!)) throw new RangeError(`auc: prediction ${i} is NaN`);
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0)
    throw new RangeError(`auc: needs both classes, got ${pos} positive and ${neg} negative labels`);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => preds[a]! - preds[b]!);
  // Sum of the (1-based, tie-averaged) ranks of the positives.
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    const p = preds[order[i]!]!;
    let j = i + 1;
    while (j < n && preds[order[j]!]! === p) j++;
    const avgRank = (i + 1 + j) / 2;
    let posInTie = 0;
    for (let k = i; k < j; k++) posInTie += labels[order[k]!]!;
    rankSum += avgRank * posInTie;
    i = j;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * Group AUC: the AUC of each group (e.g. per user) weighted by its number of samples; groups with only one
 * class are skipped, as in the usual definition (Zhou et al., DIN). Throws if no group has both classes.
 */
export function gauc(labels: ArrayLike<number>, preds: ArrayLike<number>, groups: ArrayLike<number | string>): number {
  checkInputs("gauc", labels, preds);
  if (groups.length !== labels.length)
    throw new RangeError(`gauc: 'groups' has ${groups.length} entries but 'labels' has ${labels.length}`);
  const members = new Map<number | string, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const g = groups[i]!;
    let m = members.get(g);
    if (m === undefined) members.set(g, (m = []));
    m.push(i);
  }
  let weighted = 0;
  let weight = 0;
  for (const idx of members.values()) {
    let pos = 0;
    for (const i of idx) pos += labels[i]! === 1 ? 1 : 0;
    if (pos === 0 || pos === idx.length) continue;
    const a = auc(idx.map((i) => labels[i]!), idx.map((i) => preds[i]!));
    weighted += a * idx.length;
    weight += idx.length;
  }
  if (weight === 0) throw new RangeError("gauc: no group has both positive and negative labels");
  return weighted / weight;
}
