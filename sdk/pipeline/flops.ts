import type { CtrModel } from "../models/model";

/**
 * Serving cost of one row, as FLOPs of the dense layers: 2 × the dense weights a row multiplies through
 * (every rank-2 kernel counts in·out multiply-adds). Embedding lookups are memory reads, not counted; the
 * interaction terms of FM, CIN or attention are not counted either, so teachers' figures are lower bounds.
 */
export function denseFlopsPerRow(model: CtrModel): number {
  let flops = 0;
  for (const [name, v] of model.params.entries()) if (v.shape.length === 2 && v.trainable && !name.startsWith("hint/")) flops += 2 * v.size;
  return flops;
}
