import * as tf from "@tensorflow/tfjs";
import type { ParamStore } from "./params";

/** Which bilinear matrices FiBiNET shares: one for all pairs, one per left field, or one per pair. */
export type BilinearType = "field_all" | "field_each" | "field_interaction";
export const BILINEAR_TYPES: readonly BilinearType[] = ["field_all", "field_each", "field_interaction"];

/**
 * Bilinear interaction of FiBiNET (Huang et al., RecSys 2019, §3.4): for every field pair i < j, in the
 * order (0,1), (0,2), …, (0,F−1), (1,2), …,
 *
 *   p_ij = (v_i W) ⊙ v_j,   W = W (field_all) | W_i (field_each) | W_ij (field_interaction),   W ∈ R^{D×D}
 *
 * giving [B, F(F−1)/2, D]. Pairs are built from F−1 slices (no gather: its gradient is missing on the wasm
 * backend). Parameters, initialised N(0, 1/D) (Xavier normal per D×D matrix):
 * - field_all: `name/kernel` [D, D];
 * - field_each: `name/kernel` [F−1, D, D] (the last field is never on the left, so it has none);
 * - field_interaction: `name/kernel_i` [D, (F−1−i)·D] for i < F−1, the matrices W_ij (j = i+1 … F−1)
 *   side by side, so that all pairs of field i are one matMul.
 */
export class BilinearInteraction {
  readonly kernels: tf.Variable[] = [];
  readonly numPairs: number;

  constructor(
    params: ParamStore,
    readonly name: string,
    readonly numFields: number,
    readonly dim: number,
    readonly type: BilinearType = "field_all",
  ) {
    const f = numFields;
    const init = { normal: Math.sqrt(1 / dim) };
    this.numPairs = (f * (f - 1)) / 2;
    if (type === "field_all") this.kernels.push(params.add(`${name}/kernel`, [dim, dim], init));
    else if (type === "field_each") {
      if (f > 1) this.kernels.push(params.add(`${name}/kernel`, [f - 1, dim, dim], init));
    } else if (type === "field_interaction") {
      for (let i = 0; i < f - 1; i++) this.kernels.push(params.add(`${name}/kernel_${i}`, [dim, (f - 1 - i) * dim], init));
    } else throw new Error(`BilinearInteraction: 'type' must be one of ${BILINEAR_TYPES.join(", ")}, got '${String(type)}'`);
  }

  /** [B, F, D] → [B, F(F−1)/2, D]. */
  apply(e: tf.Tensor3D): tf.Tensor3D {
    const [b, f, d] = e.shape;
    if (f < 2) return tf.zeros([b, 0, d]);
    const parts: tf.Tensor3D[] = [];
    if (this.type === "field_interaction") {
      for (let i = 0; i < f - 1; i++) {
        const n = f - 1 - i;
        const left = tf.matMul(e.slice([0, i, 0], [b, 1, d]).reshape([b, d]) as tf.Tensor2D, this.kernels[i] as tf.Tensor2D).reshape([b, n, d]);
        parts.push(left.mul(e.slice([0, i + 1, 0], [b, n, d])));
      }
    } else {
      const lefts = e.slice([0, 0, 0], [b, f - 1, d]);
      const projected =
        this.type === "field_all"
          ? tf.matMul(lefts.reshape([b * (f - 1), d]) as tf.Tensor2D, this.kernels[0] as tf.Tensor2D).reshape([b, f - 1, d])
          : tf.matMul(lefts.transpose([1, 0, 2]), this.kernels[0] as tf.Tensor3D).transpose([1, 0, 2]);
      for (let i = 0; i < f - 1; i++) parts.push(projected.slice([0, i, 0], [b, 1, d]).mul(e.slice([0, i + 1, 0], [b, f - 1 - i, d])));
    }
    return parts.length === 1 ? parts[0]! : (tf.concat(parts, 1) as tf.Tensor3D);
  }
}
