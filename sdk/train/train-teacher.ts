import * as tf from "@tensorflow/tfjs-core";
import type { EncodedDataset, RowDataset } from "../data/dataset";
import { deriveSeed } from "../data/prng";
import { randomSource } from "../layers/random";
import type { Logger } from "../log";
import { countParams, type CtrModel } from "../models/model";
import { buildModel } from "../models/zoo";
import type { TrainingConfig } from "../config-types";
import type { EmbeddingRemap } from "../runtime/embedding-remap";
import { evaluateLogits } from "./evaluate";
import { fit, type FitResult } from "./fit";
import { optimizerOf } from "./optimizer-config";
import { predictLogits } from "./step";

/** FuxiCTR's training defaults: clip the gradient norm at 10, learning rate × 0.1 on plateau, floor 1e-6. */
export const CLIP_NORM = 10;
export const LR_DECAY_FACTOR = 0.1;
export const MIN_LEARNING_RATE = 1e-6;
/** Smallest gain of the validation monitor that counts as an improvement. */
export const MIN_DELTA = 1e-4;

/** The fit settings every trainer shares: batches, epochs, patience and FuxiCTR's clipping and decay. */
export function fitSettings(training: TrainingConfig, seed: number) {
  return {
    batchSize: training.batchSize,
    epochs: training.epochs,
    patience: training.patience,
    seed,
    optimizer: optimizerOf(training),
    clipNorm: CLIP_NORM,
    lrDecayFactor: LR_DECAY_FACTOR,
    minLearningRate: MIN_LEARNING_RATE,
    minDelta: MIN_DELTA,
  };
}

export interface TrainedModel {
  model: CtrModel;
  params: number;
  fit: FitResult;
}

/** Hard-label binary cross-entropy on logits, the loss of every teacher. */
export function bceLoss(logit: tf.Tensor1D, labels: tf.Tensor1D): tf.Scalar {
  return tf.losses.sigmoidCrossEntropy(labels, logit);
}

/**
 * Trains one model on labels, with early stopping on FuxiCTR's monitor {AUC: 1, logloss: −1} over the
 * validation split. `index` separates the seeds of models trained in one run.
 */
export async function trainOnLabels(
  modelName: string,
  hyperparameters: Record<string, unknown>,
  data: { train: RowDataset; valid: EncodedDataset; totalRows: number; remap?: EmbeddingRemap },
  training: TrainingConfig,
  log: Logger,
  where: string,
  index: number,
): Promise<TrainedModel> {
  const seed = deriveSeed(training.seed, index);
  const model = buildModel(modelName, hyperparameters, { numFields: data.train.layout.numFields, totalRows: data.totalRows, rng: randomSource(seed), remap: data.remap }, where);
  const params = countParams(model);
  log(`training ${modelName} (${params.toLocaleString("en-US")} parameters)`);
  const { valid } = data;
  const result = await fit(model, {
    label: modelName,
    train: data.train,
    ...fitSettings(training, seed),
    loss: (out, labels) => bceLoss(out.logit, labels),
    monitor: (m) => {
      const metrics = evaluateLogits(valid.labels, predictLogits(m, valid));
      return { score: metrics.auc - metrics.logloss, metrics: { auc: metrics.auc, logloss: metrics.logloss } };
    },
    log,
  });
  return { model, params, fit: result };
}
