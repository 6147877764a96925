import * as tf from "@tensorflow/tfjs-core";
import { FieldPairs, fieldMajor } from "./field-pairs";

/**
 * Pairwise inner products of IPNN (Qu et al., ICDM 2016), as FuxiCTR's InnerProductInteraction with
 * output "inner_product": ⟨e_i, e_j⟩ for every field pair i < j in FieldPairs' order. [B, F, D] → [B, P].
 *
 * Computed field-major: both fields of each pair are picked by one-hot matMuls (see FieldPairs), multiplied
 * and summed over D, then transposed once.
 */
export class InnerProductInteraction {
  readonly pairs: FieldPairs;

  constructor(readonly numFields: number) {
    this.pairs = new FieldPairs(numFields);
  }

  apply(e: tf.Tensor3D): tf.Tensor2D {
    const [b, f, d] = e.shape;
    if (f !== this.numFields) throw new Error(`InnerProductInteraction.apply: expected ${this.numFields} fields, got ${f}`);
    if (f < 2) return tf.zeros([b, 0]);
    const x = fieldMajor(e);
    const products = this.pairs.pickLeft(x).mul(this.pairs.pickRight(x)).reshape([this.pairs.count, b, d]);
    return products.sum(2).transpose() as tf.Tensor2D;
  }
}
