import * as tf from "@tensorflow/tfjs-core";
import type { DistillConfig } from "../config-types";

/**
 * Soft-label KD (Hinton et al., 2015, for a binary output): cross-entropy between the teacher's and the
 * student's tempered probabilities σ(z_t/T) and σ(z_s/T), scaled by T² so that its gradients keep their size
 * as T changes.
 */
export function softKdLoss(student: tf.Tensor1D, teacher: tf.Tensor1D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const target = tf.sigmoid(teacher.div(temperature));
    return tf.losses.sigmoidCrossEntropy(target, student.div(temperature)).mul(temperature * temperature);
  });
}

/** Logit matching: mean squared error between student and teacher logits. */
export function mseKdLoss(student: tf.Tensor1D, teacher: tf.Tensor1D): tf.Scalar {
  return tf.losses.meanSquaredError(teacher, student);
}

export function kdLoss(student: tf.Tensor1D, teacher: tf.Tensor1D, cfg: Pick<DistillConfig, "kdLoss" | "temperature">): tf.Scalar {
  return cfg.kdLoss === "mse" ? mseKdLoss(student, teacher) : softKdLoss(student, teacher, cfg.temperature);
}

/**
 * L = α·BCE(y, σ(z_s)) + (1 − α)·KD(z_t, z_s), the mean over the batch's rows. `labelled` (1 or 0 per row, all 1
 * when left out) drops the BCE of the rows marked 0: they add only their (1 − α)·KD to the sum, and their
 * labels count for nothing (`distill.validKdFraction`'s validation rows).
 */
export function distillationLoss(
  student: tf.Tensor1D,
  labels: tf.Tensor1D,
  teacher: tf.Tensor1D,
  cfg: Pick<DistillConfig, "alpha" | "kdLoss" | "temperature">,
  labelled?: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy(() => {
    const hard =
      labelled === undefined ? tf.losses.sigmoidCrossEntropy(labels, student) : tf.losses.sigmoidCrossEntropy(labels, student, labelled, 0, tf.Reduction.SUM).div(student.shape[0]);
    return hard.mul(cfg.alpha).add(kdLoss(student, teacher, cfg).mul(1 - cfg.alpha));
  });
}

/** The KD loss over a whole split, in plain JS: the validation signal of early stopping by distillation loss. */
export function kdLossValue(student: Float32Array, teacher: Float32Array, cfg: Pick<DistillConfig, "kdLoss" | "temperature">): number {
  let sum = 0;
  const T = cfg.temperature;
  for (let i = 0; i < student.length; i++) {
    const zs = student[i]!;
    const zt = teacher[i]!;
    if (cfg.kdLoss === "mse") sum += (zs - zt) ** 2;
    else {
      const x = zs / T;
      const q = 1 / (1 + Math.exp(-zt / T));
      // Stable cross-entropy with logits: max(x, 0) − x·q + log(1 + e^−|x|).
      sum += (Math.max(x, 0) - x * q + Math.log1p(Math.exp(-Math.abs(x)))) * T * T;
    }
  }
  return sum / student.length;
}

/**
 * The KD divergence over a whole split: soft KD less the teacher's own (tempered, T²-scaled) entropy, i.e.
 * T²·KL(σ(z_t/T) ‖ σ(z_s/T)), which is 0 when the student matches; mse is a divergence already. A monitor for
 * teachers that move (joint training): their entropy falls as they train, which alone would lower the KD loss.
 */
export function kdDivergenceValue(student: Float32Array, teacher: Float32Array, cfg: Pick<DistillConfig, "kdLoss" | "temperature">): number {
  const kd = kdLossValue(student, teacher, cfg);
  if (cfg.kdLoss === "mse") return kd;
  return kd - kdLossValue(teacher, teacher, cfg);
}
