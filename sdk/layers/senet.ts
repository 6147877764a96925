import * as tf from "@tensorflow/tfjs-core";
import { Dense } from "./dense";
import type { ParamStore } from "./params";

/** Activation at the end of the excitation network (FuxiCTR's `excitation_activation`). */
export type ExcitationActivation = "relu" | "sigmoid";

/**
 * SENET field re-weighting of FiBiNET (Huang et al., RecSys 2019, §3.3), as FuxiCTR's SqueezeExcitation:
 *
 *   z = mean_d e[:, f, d]                                  squeeze, [B, F]
 *   a = act(ReLU(z W_1) W_2)                               excitation, W_1: [F, r], W_2: [r, F], no biases
 *   v = e ⊙ a                                              re-weight every field's embedding
 *
 * with r = max(1, ⌊F / reductionRatio⌋).
 */
export class SqueezeExcitation {
  readonly reduce: Dense;
  readonly expand: Dense;

  constructor(
    params: ParamStore,
    readonly name: string,
    numFields: number,
    reductionRatio: number,
    readonly activation: ExcitationActivation = "relu",
  ) {
    if (!(reductionRatio > 0)) throw new Error(`SqueezeExcitation: 'reductionRatio' of '${name}' must be > 0, got ${reductionRatio}`);
    const reduced = Math.max(1, Math.floor(numFields / reductionRatio));
    this.reduce = new Dense(params, `${name}/W_1`, numFields, reduced, false);
    this.expand = new Dense(params, `${name}/W_2`, reduced, numFields, false);
  }

  /** Field weights a, [B, F]. */
  weights(e: tf.Tensor3D): tf.Tensor2D {
    const a = this.expand.apply(tf.relu(this.reduce.apply(e.mean(2))));
    return this.activation === "relu" ? tf.relu(a) : tf.sigmoid(a);
  }

  /** [B, F, D] → [B, F, D]. */
  apply(e: tf.Tensor3D): tf.Tensor3D {
    return e.mul(this.weights(e).expandDims(2));
  }
}
