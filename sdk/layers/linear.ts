import * as tf from "@tensorflow/tfjs-core";
import type { ParamStore } from "./params";

/** First-order (wide / LR) term: Σ_f w[id_f]·value_f + b, from a dim-1 embedding [B, F, 1]; returns [B]. */
export class Linear {
  readonly bias: tf.Variable;

  constructor(params: ParamStore, name: string) {
    this.bias = params.add(`${name}/bias`, [1], "zeros");
  }

  apply(weights: tf.Tensor3D): tf.Tensor1D {
    return weights.sum([1, 2]).add(this.bias) as tf.Tensor1D;
  }
}
