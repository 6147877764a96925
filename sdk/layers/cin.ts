import * as tf from "@tensorflow/tfjs-core";
import { Dense } from "./dense";
import type { ParamStore } from "./params";

/**
 * The Compressed Interaction Network of xDeepFM (Lian et al., KDD 2018), as FuxiCTR's
 * CompressedInteractionNet: every layer's feature maps are sum-pooled into the output (no split-half).
 *
 *   Z^k[b, f, h, :] = X^0[b, f, :] ⊙ X^{k-1}[b, h, :]          (outer product over fields, per embedding dim)
 *   X^k[b, c, :]    = Σ_{f,h} W^k[f·H_{k-1} + h, c] · Z^k[b, f, h, :] + β^k[c]      (FuxiCTR's 1×1 conv)
 *   p^k[b, c]       = Σ_d X^k[b, c, d];   out = [p^1 … p^K] · W_o + b_o
 *
 * Layout: the maps are kept as [B, D, H] (embedding dim before channels), so the outer product is a
 * broadcast multiply and the 1×1 convolution one matMul over [B·D, F·H], with no einsum (absent on the wasm
 * backend). Parameters: `name/layer_k` (Dense [F·H_{k-1}, H_k]) and `name/output` (Dense [Σ H_k, outputDim]).
 */
export class Cin {
  readonly layers: Dense[] = [];
  readonly output: Dense;

  constructor(
    params: ParamStore,
    readonly name: string,
    readonly numFields: number,
    readonly hiddenUnits: readonly number[],
    outputDim = 1,
  ) {
    if (hiddenUnits.length === 0) throw new Error(`Cin: 'hiddenUnits' of '${name}' must have at least one layer`);
    let prev = numFields;
    hiddenUnits.forEach((units, k) => {
      this.layers.push(new Dense(params, `${name}/layer_${k}`, numFields * prev, units));
      prev = units;
    });
    this.output = new Dense(params, `${name}/output`, hiddenUnits.reduce((a, b) => a + b, 0), outputDim);
  }

  /** [B, F, D] → [B, outputDim]. */
  apply(e: tf.Tensor3D): tf.Tensor2D {
    const [b, f, d] = e.shape;
    const x0 = e.transpose([0, 2, 1]).reshape([b, d, f, 1]);
    let x: tf.Tensor3D = e.transpose([0, 2, 1]);
    const pooled: tf.Tensor2D[] = [];
    for (const layer of this.layers) {
      const h = x.shape[2];
      const z = x0.mul(x.reshape([b, d, 1, h])).reshape([b * d, f * h]) as tf.Tensor2D;
      x = layer.apply(z).reshape([b, d, layer.outDim]);
      pooled.push(x.sum(1));
    }
    return this.output.apply(pooled.length === 1 ? pooled[0]! : tf.concat(pooled, 1));
  }
}
