import * as tf from "@tensorflow/tfjs-core";
import { FieldPairs, fieldMajor, sideBySide } from "./field-pairs";
import type { ParamStore } from "./params";

/** Which bilinear matrices FiBiNET shares: one for all pairs, one per left field, or one per pair. */
export type BilinearType = "field_all" | "field_each" | "field_interaction";
export const BILINEAR_TYPES: readonly BilinearType[] = ["field_all", "field_each", "field_interaction"];

/**
 * Bilinear interaction of FiBiNET (Huang et al., RecSys 2019, §3.4), as FuxiCTR's BilinearInteractionV2: for
 * every field pair i < j in FieldPairs' order,
 *
 *   p_ij = (v_i W) ⊙ v_j,   W = W (field_all) | W_i (field_each) | W_ij (field_interaction),   W ∈ R^{D×D}
 *
 * `groups` inputs, each with its own matrices, are handled in one pass and their outputs concatenated along the
 * pair axis: FiBiNET's two bilinear layers (over the embeddings and over their SENET re-weighting) are one
 * block with groups = 2, giving [B, 2P, D] as FuxiCTR's concatenation does.
 *
 * Parameter `name/kernel`, N(0, 1/D) (Xavier normal per D×D matrix): [G, D, D] (field_all), [G, F−1, D, D]
 * (field_each: the last field is never on the left, so unlike FuxiCTR it has no matrix), [G, P, D, D]
 * (field_interaction, in pair order).
 *
 * Computed field-major (see FieldPairs): the groups side by side as [F, G·B·D]; v W for every field first
 * (field_all, field_each), then both fields of every pair picked by one-hot matMuls; field_interaction applies
 * W_ij after picking, as one batched matMul. Only tensors of the input's size are concatenated, so no gradient
 * splits the [P, G·B·D] products.
 */
export class BilinearInteraction {
  readonly kernel: tf.Variable | null;
  readonly pairs: FieldPairs;

  constructor(
    params: ParamStore,
    readonly name: string,
    readonly numFields: number,
    readonly dim: number,
    readonly type: BilinearType = "field_all",
    readonly groups = 1,
  ) {
    if (!BILINEAR_TYPES.includes(type)) throw new Error(`BilinearInteraction: 'type' must be one of ${BILINEAR_TYPES.join(", ")}, got '${String(type)}'`);
    if (!(Number.isInteger(groups) && groups >= 1)) throw new Error(`BilinearInteraction: 'groups' must be an integer >= 1, got ${groups}`);
    this.pairs = new FieldPairs(numFields);
    const g = groups;
    const shape = type === "field_all" ? [g, dim, dim] : type === "field_each" ? [g, numFields - 1, dim, dim] : [g, this.pairs.count, dim, dim];
    this.kernel = this.pairs.count === 0 ? null : params.add(`${name}/kernel`, shape, { normal: Math.sqrt(1 / dim) });
  }

  /** One [B, F, D] input per group → [B, G·P, D]. */
  apply(...inputs: tf.Tensor3D[]): tf.Tensor3D {
    if (inputs.length !== this.groups) throw new Error(`BilinearInteraction.apply: expected ${this.groups} inputs, got ${inputs.length}`);
    const [b, f, d] = inputs[0]!.shape;
    for (const e of inputs)
      if (e.shape[0] !== b || e.shape[1] !== this.numFields || e.shape[2] !== this.dim)
        throw new Error(`BilinearInteraction.apply: expected inputs [${b}, ${this.numFields}, ${this.dim}], got [${e.shape.join(", ")}]`);
    const p = this.pairs.count;
    const g = this.groups;
    if (p === 0) return tf.zeros([b, 0, d]);
    const kernel = this.kernel!;
    const n = b * d;
    const right = sideBySide(inputs.map(fieldMajor));
    let left: tf.Tensor2D;
    if (this.type === "field_all") {
      left = this.pairs.pickLeft(
        sideBySide(inputs.map((e, k) => fieldMajor(tf.matMul(e.reshape([b * f, d]) as tf.Tensor2D, kernel.slice([k, 0, 0], [1, d, d]).reshape([d, d]) as tf.Tensor2D).reshape([b, f, d])))),
      );
    } else if (this.type === "field_each") {
      // Fields 0..F−2 of each group times their own matrices: one batched matMul over the field axis per group.
      const projected = inputs.map((e, k) => {
        const lefts = e.transpose([1, 0, 2]).slice([0, 0, 0], [f - 1, b, d]) as tf.Tensor3D;
        return tf.matMul(lefts, kernel.slice([k, 0, 0, 0], [1, f - 1, d, d]).reshape([f - 1, d, d]) as tf.Tensor3D).reshape([f - 1, n]) as tf.Tensor2D;
      });
      left = this.pairs.pickLeft(sideBySide(projected));
    } else {
      // [P, G·B·D] picked rows as P·G batches of [B, D], each times its W_ij of its group.
      const picked = this.pairs.pickLeft(right).reshape([p * g, b, d]) as tf.Tensor3D;
      const w = (g === 1 ? kernel : kernel.transpose([1, 0, 2, 3])).reshape([p * g, d, d]) as tf.Tensor3D;
      left = tf.matMul(picked, w).reshape([p, g * n]);
    }
    const products = left.mul(this.pairs.pickRight(right));
    // [P, G, B, D] → [B, G, P, D]: groups one after the other along the pair axis.
    return (g === 1 ? products.reshape([p, b, d]).transpose([1, 0, 2]) : products.reshape([p, g, b, d]).transpose([2, 1, 0, 3])).reshape([b, g * p, d]);
  }
}
