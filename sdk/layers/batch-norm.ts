import * as tf from "@tensorflow/tfjs-core";
import type { ParamStore } from "./params";

/** Keras' defaults: moving-average momentum and variance epsilon. */
const MOMENTUM = 0.99;
const EPSILON = 1e-3;

/**
 * Batch normalisation over the batch axis of [B, units]: batch statistics while training (moving averages
 * updated as a side effect), moving averages at inference. Export folds it into the preceding dense layer.
 */
export class BatchNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;
  readonly epsilon = EPSILON;

  constructor(params: ParamStore, name: string, units: number) {
    this.gamma = params.add(`${name}/gamma`, [units], "ones");
    this.beta = params.add(`${name}/beta`, [units], "zeros");
    this.movingMean = params.add(`${name}/moving_mean`, [units], "zeros", false);
    this.movingVariance = params.add(`${name}/moving_variance`, [units], "ones", false);
  }

  apply(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    if (!training) return tf.batchNorm(x, this.movingMean as tf.Tensor1D, this.movingVariance as tf.Tensor1D, this.beta as tf.Tensor1D, this.gamma as tf.Tensor1D, EPSILON);
    const { mean, variance } = tf.moments(x, 0);
    // Plain data copies: assignments are not recorded on the gradient tape.
    tf.tidy(() => {
      this.movingMean.assign(this.movingMean.mul(MOMENTUM).add(mean.mul(1 - MOMENTUM)));
      this.movingVariance.assign(this.movingVariance.mul(MOMENTUM).add(variance.mul(1 - MOMENTUM)));
    });
    return tf.batchNorm(x, mean as tf.Tensor1D, variance as tf.Tensor1D, this.beta as tf.Tensor1D, this.gamma as tf.Tensor1D, EPSILON);
  }
}
