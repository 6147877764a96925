import * as tf from "@tensorflow/tfjs";

/**
 * Pairwise inner products of IPNN (Qu et al., ICDM 2016), as FuxiCTR's InnerProductInteraction with
 * output "inner_product": ⟨e_i, e_j⟩ for every field pair i < j, in the order (0,1), (0,2), …, (1,2), …
 *
 * One batched Gram matrix e eᵀ ([B, F, F]), then its strict upper triangle row by row (F−1 slices: gather's
 * gradient is missing on the wasm backend). [B, F, D] → [B, F(F−1)/2].
 */
export function innerProductInteraction(e: tf.Tensor3D): tf.Tensor2D {
  const [b, f] = e.shape;
  if (f < 2) return tf.zeros([b, 0]);
  const gram = tf.matMul(e, e, false, true);
  const rows: tf.Tensor2D[] = [];
  for (let i = 0; i < f - 1; i++) rows.push(gram.slice([0, i, i + 1], [b, 1, f - 1 - i]).reshape([b, f - 1 - i]));
  return rows.length === 1 ? rows[0]! : tf.concat(rows, 1);
}
