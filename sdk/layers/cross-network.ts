import * as tf from "@tensorflow/tfjs-core";
import type { ParamStore } from "./params";

/**
 * The cross network of DCN (Wang et al., ADKDD 2017, eq. 3), over a flat input x0 of width d:
 *
 *   x_{l+1} = x0 · (x_l · w_l) + b_l + x_l,   w_l, b_l ∈ R^d
 *
 * Each layer costs O(d) parameters and raises the polynomial degree by one. Parameters `name/layer_i/kernel`
 * ([d, 1], Glorot) and `name/layer_i/bias` ([d], zeros), as FuxiCTR's CrossInteraction.
 */
export class CrossNet {
  readonly layers: { kernel: tf.Variable; bias: tf.Variable }[] = [];

  constructor(
    params: ParamStore,
    readonly name: string,
    readonly inDim: number,
    readonly numLayers: number,
  ) {
    for (let i = 0; i < numLayers; i++)
      this.layers.push({ kernel: params.add(`${name}/layer_${i}/kernel`, [inDim, 1], "glorot"), bias: params.add(`${name}/layer_${i}/bias`, [inDim], "zeros") });
  }

  /** [B, d] → [B, d]. */
  apply(x0: tf.Tensor2D): tf.Tensor2D {
    let x = x0;
    for (const { kernel, bias } of this.layers) {
      const xw = tf.matMul(x, kernel as tf.Tensor2D);
      x = x0.mul(xw).add(bias).add(x);
    }
    return x;
  }
}
