import * as tf from "@tensorflow/tfjs-core";

/**
 * Field pairs i < j in FuxiCTR's order (`itertools.combinations`): (0,1), (0,2), …, (0,F−1), (1,2), …
 *
 * Pair interactions (IPNN, FiBiNET) pick the two fields of every pair with one-hot matMuls over a
 * field-major layout [F, N] (N = B·D), never with gather or slices: on tfjs-backend-wasm gather's gradient
 * is missing, and every Slice (so every split, and the gradient of every concat) copies its whole input,
 * which made the per-field slice version of these blocks 10–20× slower than their MLPs. A matMul with a
 * P×F one-hot matrix costs P·F·N multiply-adds, and its gradient is one more such matMul.
 */
export class FieldPairs {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly count: number;
  /** One-hot [P, F] matrices, row p selecting left(p) / right(p). */
  private readonly leftOneHot: Float32Array;
  private readonly rightOneHot: Float32Array;
  /** `leftOneHot` without its last (all-zero) column, made on first use. */
  private leftOneHotShort: Float32Array | null = null;

  constructor(readonly numFields: number) {
    const f = numFields;
    this.count = (f * (f - 1)) / 2;
    this.left = new Int32Array(this.count);
    this.right = new Int32Array(this.count);
    this.leftOneHot = new Float32Array(this.count * f);
    this.rightOneHot = new Float32Array(this.count * f);
    let p = 0;
    for (let i = 0; i < f; i++)
      for (let j = i + 1; j < f; j++, p++) {
        this.left[p] = i;
        this.right[p] = j;
        this.leftOneHot[p * f + i] = 1;
        this.rightOneHot[p * f + j] = 1;
      }
  }

  /**
   * Rows of the left field of every pair: [F, N] → [P, N]. The last field is never on the left, so x may also
   * hold only fields 0..F−2 ([F−1, N]).
   */
  pickLeft(x: tf.Tensor2D): tf.Tensor2D {
    const f = this.numFields;
    if (x.shape[0] === f) return tf.matMul(tf.tensor2d(this.leftOneHot, [this.count, f]), x);
    if (x.shape[0] !== f - 1) throw new Error(`FieldPairs.pickLeft: 'x' must have ${f} or ${f - 1} rows, got ${x.shape[0]}`);
    this.leftOneHotShort ??= Float32Array.from({ length: this.count * (f - 1) }, (_, k) => this.leftOneHot[Math.floor(k / (f - 1)) * f + (k % (f - 1))]!);
    return tf.matMul(tf.tensor2d(this.leftOneHotShort, [this.count, f - 1]), x);
  }

  /** Rows of the right field of every pair: [F, N] → [P, N]. */
  pickRight(x: tf.Tensor2D): tf.Tensor2D {
    return tf.matMul(tf.tensor2d(this.rightOneHot, [this.count, this.numFields]), x);
  }
}

/** [B, F, D] → field-major [F, B·D]. */
export function fieldMajor(e: tf.Tensor3D): tf.Tensor2D {
  const [b, f, d] = e.shape;
  return e.transpose([1, 0, 2]).reshape([f, b * d]);
}

/** Several field-major blocks side by side, [F, N1] … → [F, N1 + …] (no copy for one). */
export function sideBySide(blocks: tf.Tensor2D[]): tf.Tensor2D {
  return blocks.length === 1 ? blocks[0]! : tf.concat(blocks, 1);
}
