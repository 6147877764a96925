import * as tf from "@tensorflow/tfjs-core";

/**
 * Second-order factorisation machine term (Rendle 2010), in O(F·D):
 * ½ Σ_k [(Σ_f e_fk)² − Σ_f e_fk²] for embeddings e of shape [B, F, D]; returns [B].
 */
export function fmInteraction(e: tf.Tensor3D): tf.Tensor1D {
  const sumSquare = e.sum(1).square();
  const squareSum = e.square().sum(1);
  return sumSquare.sub(squareSum).sum(1).mul(0.5);
}

/** Bi-interaction pooling (NFM): the same term kept per dimension, [B, D]. */
export function biInteraction(e: tf.Tensor3D): tf.Tensor2D {
  return e.sum(1).square().sub(e.square().sum(1)).mul(0.5);
}
