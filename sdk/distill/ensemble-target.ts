import * as tf from "@tensorflow/tfjs-core";
import type { DistillConfig } from "../config-types";

/** How teachers' outputs are mixed into the ensemble's target: `distill.ensembleTarget` and the KD temperature. */
export type EnsembleMix = Pick<DistillConfig, "ensembleTarget" | "temperature">;

/** Probabilities are clipped this far from 0 and 1 before turning back into a logit. */
const PROBABILITY_EPSILON = 1e-7;

/**
 * The ensemble's logit from per-sample weights [B, M] and the teachers' logits [B, M].
 * - "logit": Σ_m w_m·z_m, a weighted mean of the logits.
 * - "probability": T·logit(Σ_m w_m·σ(z_m/T)). Soft KD against it at temperature T equals the w-weighted sum
 *   of per-teacher KD losses, since cross-entropy is linear in its target.
 */
export function mixTeachers(weights: tf.Tensor2D, logits: tf.Tensor2D, mix: EnsembleMix): tf.Tensor1D {
  return tf.tidy(() => {
    if (mix.ensembleTarget === "logit") return weights.mul(logits).sum(1) as tf.Tensor1D;
    const T = mix.temperature;
    const p = weights.mul(tf.sigmoid(logits.div(T))).sum(1).clipByValue(PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
    return p.log().sub(tf.scalar(1).sub(p).log()).mul(T) as tf.Tensor1D;
  });
}
