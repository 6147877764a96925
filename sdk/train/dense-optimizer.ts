import * as tf from "@tensorflow/tfjs-core";
import { adamStepScales, type OptimizerConfig } from "./optimizer-config";

interface Slots {
  m: tf.Variable;
  v: tf.Variable;
}

/**
 * Adam (either variant: see AdamVariant) or Adagrad over tf.Variables, written out so that the learning rate can change mid-run (decay on
 * plateau) and the gradients can be scaled (clipping) without a second pass.
 */
export class DenseOptimizer {
  private readonly slots = new Map<tf.Variable, Slots>();
  private step = 0;

  constructor(public config: OptimizerConfig) {}

  apply(pairs: [tf.Variable, tf.Tensor][], scale = 1): void {
    this.step++;
    const { kind, beta1, beta2, epsilon, learningRate, initialAccumulator } = this.config;
    const { stepSize, sqrtVScale } = adamStepScales(this.config, this.step);
    for (const [variable, grad] of pairs) {
      let s = this.slots.get(variable);
      if (s === undefined) {
        const init = kind === "adagrad" ? initialAccumulator : 0;
        s = { m: tf.variable(tf.zerosLike(variable), false), v: tf.variable(tf.fill(variable.shape, init), false) };
        this.slots.set(variable, s);
      }
      const slots = s;
      tf.tidy(() => {
        const g = scale === 1 ? grad : grad.mul(scale);
        if (kind === "adam") {
          const m = slots.m.mul(beta1).add(g.mul(1 - beta1));
          const v = slots.v.mul(beta2).add(g.square().mul(1 - beta2));
          slots.m.assign(m);
          slots.v.assign(v);
          const sqrtV = sqrtVScale === 1 ? v.sqrt() : v.sqrt().mul(sqrtVScale);
          variable.assign(variable.sub(m.mul(stepSize).div(sqrtV.add(epsilon))));
        } else {
          const acc = slots.v.add(g.square());
          slots.v.assign(acc);
          variable.assign(variable.sub(g.mul(learningRate).div(acc.sqrt().add(epsilon))));
        }
      });
    }
  }

  dispose(): void {
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
  }
}
