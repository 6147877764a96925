import * as tf from "@tensorflow/tfjs-core";
import { Dense } from "./dense";
import type { ParamStore } from "./params";

export interface SelfAttentionOptions {
  /** Width of the attention output, split evenly over the heads. */
  attentionDim: number;
  numHeads: number;
  /** Adds the input (projected by `name/W_res` when its width differs) before the ReLU. */
  useResidual: boolean;
  /** Divides the scores by √(head dim); AutoInt itself does not. */
  useScale: boolean;
}

/**
 * One multi-head self-attention layer over fields (AutoInt, Song et al., CIKM 2019, eqs. 5–8), as FuxiCTR's
 * MultiHeadSelfAttention without layer norm:
 *
 *   Q = X W_q, K = X W_k, V = X W_v                       (per row: X is [F, inputDim], no biases)
 *   head_h = softmax(Q_h K_hᵀ [/ √d_h]) V_h                (softmax over the key fields)
 *   out    = ReLU([head_1 … head_H] + X W_res)             (residual: X itself when the widths agree)
 *
 * Heads are batched as [B·H, F, d_h] so each product is a single batched matMul.
 */
export class SelfAttention {
  readonly query: Dense;
  readonly key: Dense;
  readonly value: Dense;
  readonly residual: Dense | null;
  readonly headDim: number;

  constructor(
    params: ParamStore,
    readonly name: string,
    readonly inputDim: number,
    readonly options: SelfAttentionOptions,
  ) {
    const { attentionDim, numHeads } = options;
    if (!(numHeads >= 1 && attentionDim % numHeads === 0))
      throw new Error(`SelfAttention: 'attentionDim' (${attentionDim}) of '${name}' must be a multiple of 'numHeads' (${numHeads})`);
    this.headDim = attentionDim / numHeads;
    this.query = new Dense(params, `${name}/W_q`, inputDim, attentionDim, false);
    this.key = new Dense(params, `${name}/W_k`, inputDim, attentionDim, false);
    this.value = new Dense(params, `${name}/W_v`, inputDim, attentionDim, false);
    this.residual = options.useResidual && inputDim !== attentionDim ? new Dense(params, `${name}/W_res`, inputDim, attentionDim, false) : null;
  }

  /** [B, F, inputDim] → [B, F, attentionDim]. */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    const [b, f] = x.shape;
    const { attentionDim: a, numHeads: h, useResidual, useScale } = this.options;
    const flat = x.reshape([b * f, this.inputDim]) as tf.Tensor2D;
    const heads = (t: tf.Tensor2D): tf.Tensor3D =>
      h === 1 ? t.reshape([b, f, a]) : t.reshape([b, f, h, this.headDim]).transpose([0, 2, 1, 3]).reshape([b * h, f, this.headDim]);
    const q = heads(this.query.apply(flat));
    const k = heads(this.key.apply(flat));
    const v = heads(this.value.apply(flat));
    let scores = tf.matMul(q, k, false, true);
    if (useScale) scores = scores.mul(1 / Math.sqrt(this.headDim));
    const attended = tf.matMul(tf.softmax(scores), v) as tf.Tensor3D;
    let out: tf.Tensor3D = h === 1 ? attended : attended.reshape([b, h, f, this.headDim]).transpose([0, 2, 1, 3]).reshape([b, f, a]);
    if (useResidual) out = out.add(this.residual === null ? x : this.residual.apply(flat).reshape([b, f, a])) as tf.Tensor3D;
    return tf.relu(out);
  }
}
