import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { distillationLoss, kdLossValue } from "../../sdk/distill/kd-loss";

/**
 * The combined loss at T ≠ 1 and 0 < α < 1 against the paper's formula in float64:
 * L = α·mean BCE(y, σ(z)) + (1 − α)·T²·mean BCE(σ(z_t/T), σ(z/T)), whose gradient is
 * ∂L/∂z_i = [α·(σ(z_i) − y_i) + (1 − α)·T·(σ(z_i/T) − σ(z_t,i/T))] / n.
 */
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** BCE between a target probability q and σ(x), from the logit x. */
const bce = (q: number, x: number) => Math.max(x, 0) - x * q + Math.log1p(Math.exp(-Math.abs(x)));

function referenceLoss(z: number[], y: number[], zt: number[], alpha: number, T: number): number {
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += alpha * bce(y[i]!, z[i]!) + (1 - alpha) * T * T * bce(sigmoid(zt[i]! / T), z[i]! / T);
  return sum / z.length;
}

function referenceGradient(z: number[], y: number[], zt: number[], alpha: number, T: number): number[] {
  return z.map((zi, i) => (alpha * (sigmoid(zi) - y[i]!) + (1 - alpha) * T * (sigmoid(zi / T) - sigmoid(zt[i]! / T))) / z.length);
}

const STUDENT = [-3.1, -1.2, -0.4, 0.0, 0.7, 1.9, 4.2, -6.5];
const TEACHER = [-2.0, 0.8, -1.5, 2.5, 0.3, -0.9, 5.5, -4.0];
const LABELS = [0, 1, 0, 1, 1, 0, 1, 0];

beforeAll(async () => {
  await selectBackend("cpu");
});

describe("distillationLoss (soft KD)", () => {
  for (const T of [1, 2, 5]) {
    for (const alpha of [0.3, 0.7]) {
      const cfg = { alpha, temperature: T, kdLoss: "soft" as const };

      it(`T = ${T}, α = ${alpha}: value and gradient match the formula; finite differences confirm the formula`, () => {
        const labels = tf.tensor1d(LABELS);
        const teacher = tf.tensor1d(TEACHER);
        const student = tf.tensor1d(STUDENT);
        const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => distillationLoss(z as tf.Tensor1D, labels, teacher, cfg))(student);
        const expected = referenceGradient(STUDENT, LABELS, TEACHER, alpha, T);
        expect(value.dataSync()[0]).toBeCloseTo(referenceLoss(STUDENT, LABELS, TEACHER, alpha, T), 5);
        const got = grad.dataSync();
        expected.forEach((g, i) => expect(Math.abs(got[i]! - g), `∂L/∂z_${i}`).toBeLessThan(1e-6));
        // Central differences of the float64 loss tie the gradient formula to the loss it claims to differentiate.
        const h = 1e-5;
        expected.forEach((g, i) => {
          const at = (d: number) => referenceLoss(STUDENT.map((z, j) => (j === i ? z + d : z)), LABELS, TEACHER, alpha, T);
          expect((at(h) - at(-h)) / (2 * h)).toBeCloseTo(g, 8);
        });
        tf.dispose([labels, teacher, student, value, grad]);
      });
    }
  }

  it("the KD part alone (α = 0) is T²·BCE at temperature T, and kdLossValue agrees with it", () => {
    for (const T of [1, 2, 5]) {
      const cfg = { alpha: 0, temperature: T, kdLoss: "soft" as const };
      const value = tf.tidy(() => distillationLoss(tf.tensor1d(STUDENT), tf.tensor1d(LABELS), tf.tensor1d(TEACHER), cfg).dataSync()[0]!);
      const expected = referenceLoss(STUDENT, LABELS, TEACHER, 0, T);
      expect(value).toBeCloseTo(expected, 5);
      expect(kdLossValue(Float32Array.from(STUDENT), Float32Array.from(TEACHER), cfg)).toBeCloseTo(expected, 5);
    }
  });

  it("the soft KD gradient vanishes where the student equals the teacher, at every T", () => {
    for (const T of [1, 2, 5]) {
      const cfg = { alpha: 0, temperature: T, kdLoss: "soft" as const };
      const grad = tf.tidy(() => {
        const teacher = tf.tensor1d(TEACHER);
        return tf.grad((z: tf.Tensor) => distillationLoss(z as tf.Tensor1D, tf.tensor1d(LABELS), teacher, cfg))(tf.tensor1d(TEACHER)).dataSync();
      });
      for (const g of grad) expect(Math.abs(g)).toBeLessThan(1e-7);
    }
  });
});
