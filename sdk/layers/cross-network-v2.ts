import type * as tf from "@tensorflow/tfjs-core";
import { Dense } from "./dense";
import type { ParamStore } from "./params";

/**
 * The full-rank cross network of DCN-V2 (Wang et al., WWW 2021, eq. 1), over a flat input x0 of width d:
 *
 *   x_{l+1} = x0 ⊙ (W_l x_l + b_l) + x_l,   W_l ∈ R^{d×d}
 *
 * Each layer is a Dense `name/layer_i` ([d, d] kernel, [d] bias), as FuxiCTR's CrossNetV2.
 */
export class CrossNetV2 {
  readonly layers: Dense[] = [];

  constructor(
    params: ParamStore,
    readonly name: string,
    readonly inDim: number,
    readonly numLayers: number,
  ) {
    for (let i = 0; i < numLayers; i++) this.layers.push(new Dense(params, `${name}/layer_${i}`, inDim, inDim));
  }

  /** [B, d] → [B, d]. */
  apply(x0: tf.Tensor2D): tf.Tensor2D {
    let x = x0;
    for (const layer of this.layers) x = x0.mul(layer.apply(x)).add(x);
    return x;
  }
}
