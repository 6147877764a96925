import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../data/batches";
import type { CtrModel, ModelOutput } from "../models/model";
import type { DenseOptimizer } from "./dense-optimizer";
import type { OptimizerConfig } from "./optimizer-config";

/** The loss of a batch from the model's output; `labels` is [n]. */
export type LossFunction = (out: ModelOutput, labels: tf.Tensor1D, batch: Batch) => tf.Scalar;

let stepCounter = 0;

/** Gathers each embedding table's rows for the batch as a [n, F, dim] tensor. */
export function gatherEmbeddings(model: CtrModel, ids: Int32Array, values: Float32Array, n: number, numFields: number): tf.Tensor3D[] {
  return model.tables.map((t) => tf.tensor3d(t.gather(ids, values, n * numFields), [n, numFields, t.dim]));
}

export interface StepOptions {
  numFields: number;
  /** Clip the global gradient norm (dense and embedding) to this value; 0 = no clipping (FuxiCTR: 10). */
  clipNorm: number;
  optimizer: DenseOptimizer;
  sparse: OptimizerConfig;
}

/**
 * One optimisation step. The gathered embeddings are leaf variables of the tape, so their gradient comes
 * back as a dense [n, F, dim] tensor that the tables apply to the touched rows only.
 */
export function trainStep(model: CtrModel, batch: Batch, loss: LossFunction, options: StepOptions): number {
  const { n } = batch;
  const stepId = stepCounter++;
  const inputs = tf.tidy(() => gatherEmbeddings(model, batch.ids, batch.values, n, options.numFields));
  const leaves = inputs.map((t, i) => tf.variable(t, true, `__step${stepId}_emb${i}`));
  inputs.forEach((t) => t.dispose());
  const labels = tf.tensor1d(batch.labels.subarray(0, n));
  const dense = model.params.trainable();
  try {
    const { value, grads } = tf.variableGrads(() => loss(model.forward(leaves, true), labels, batch), [...dense, ...leaves]);
    const all = Object.values(grads);
    const scale =
      options.clipNorm > 0
        ? tf.tidy(() => {
            const norm = Math.sqrt(tf.addN(all.map((g) => g.square().sum())).dataSync()[0]!);
            return norm > options.clipNorm ? options.clipNorm / norm : 1;
          })
        : 1;
    options.optimizer.apply(
      dense.map((v) => [v, grads[v.name]!]),
      scale,
    );
    model.tables.forEach((table, i) => {
      const g = grads[leaves[i]!.name]!.dataSync() as Float32Array;
      table.applyGradient(batch.ids, batch.values, n * options.numFields, g, options.sparse, scale);
    });
    const lossValue = value.dataSync()[0]!;
    value.dispose();
    tf.dispose(all);
    if (!Number.isFinite(lossValue)) throw new Error(`training diverged: the loss of step ${stepId} is ${lossValue}`);
    return lossValue;
  } finally {
    leaves.forEach((v) => v.dispose());
    labels.dispose();
  }
}

/** Logits of `n` encoded rows, computed in chunks of `batchSize` with the model in inference mode. */
export function predictLogits(model: CtrModel, ids: Int32Array, values: Float32Array, n: number, numFields: number, batchSize = 4096): Float32Array {
  const out = new Float32Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const m = Math.min(batchSize, n - start);
    const lo = start * numFields;
    const hi = (start + m) * numFields;
    const logits = tf.tidy(() => model.forward(gatherEmbeddings(model, ids.subarray(lo, hi), values.subarray(lo, hi), m, numFields), false).logit);
    out.set(logits.dataSync(), start);
    logits.dispose();
  }
  return out;
}
