import * as tf from "@tensorflow/tfjs-core";
import { BatchNorm } from "./batch-norm";
import { Dense } from "./dense";
import type { ParamStore } from "./params";

export interface MlpOptions {
  /** Dropout rate after each hidden activation (FuxiCTR's `net_dropout`). */
  dropout: number;
  batchNorm: boolean;
  /** Adds a final linear layer to this many units (1 for a logit); none when null. */
  outputDim: number | null;
  /** Seeds of dropout masks are drawn from here, so a run is reproducible. */
  nextSeed: () => number;
}

export interface MlpOutput {
  out: tf.Tensor2D;
  /** The last hidden layer (after activation), the hint layer for distillation. */
  hidden: tf.Tensor2D;
}

/** Dense → [batch norm] → ReLU → [dropout] per hidden layer, optionally followed by a linear output layer. */
export class Mlp {
  readonly layers: { dense: Dense; norm: BatchNorm | null }[] = [];
  readonly output: Dense | null;
  readonly outDim: number;
  readonly hiddenDim: number;

  constructor(
    params: ParamStore,
    readonly name: string,
    inDim: number,
    readonly hiddenUnits: readonly number[],
    private readonly options: MlpOptions,
  ) {
    let dim = inDim;
    hiddenUnits.forEach((units, i) => {
      const dense = new Dense(params, `${name}/dense_${i}`, dim, units);
      const norm = options.batchNorm ? new BatchNorm(params, `${name}/bn_${i}`, units) : null;
      this.layers.push({ dense, norm });
      dim = units;
    });
    this.hiddenDim = dim;
    this.output = options.outputDim === null ? null : new Dense(params, `${name}/output`, dim, options.outputDim);
    this.outDim = options.outputDim ?? dim;
  }

  apply(x: tf.Tensor2D, training: boolean): MlpOutput {
    let h = x;
    for (const { dense, norm } of this.layers) {
      h = dense.apply(h);
      if (norm !== null) h = norm.apply(h, training);
      h = tf.relu(h);
      if (training && this.options.dropout > 0) h = tf.dropout(h, this.options.dropout, undefined, this.options.nextSeed()) as tf.Tensor2D;
    }
    return { out: this.output === null ? h : this.output.apply(h), hidden: h };
  }
}
