import { shuffledBatches } from "../data/batches";
import type { EncodedDataset } from "../data/dataset";
import { mulberry32 } from "../data/prng";
import type { Logger } from "../log";
import type { CtrModel } from "../models/model";
import { DenseOptimizer } from "./dense-optimizer";
import type { OptimizerConfig } from "./optimizer-config";
import { EpochProgress } from "./progress";
import { restoreSnapshot, takeSnapshot, type ModelSnapshot } from "./snapshot";
import { trainStep, type LossFunction, type SideInput } from "./step";

/** A validation measurement: `score` is maximised (e.g. AUC, or −KD loss); `metrics` are reported. */
export interface MonitorResult {
  score: number;
  metrics: Record<string, number>;
}

export interface FitOptions {
  label: string;
  train: EncodedDataset;
  batchSize: number;
  epochs: number;
  /** Epochs without improvement of the monitor before stopping (FuxiCTR: 2). */
  patience: number;
  seed: number;
  optimizer: OptimizerConfig;
  clipNorm: number;
  /** Learning rate × this factor when the monitor does not improve (FuxiCTR: 0.1), floored at minLearningRate. */
  lrDecayFactor: number;
  minLearningRate: number;
  loss: LossFunction;
  /** Per-row side inputs of the training rows, for models that take them (teacher gates). */
  side?: SideInput;
  monitor: (model: CtrModel) => MonitorResult;
  /** An epoch improves only when its score beats the best by more than this (Keras' `min_delta`). */
  minDelta: number;
  log: Logger;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  rowsPerSecond: number;
  seconds: number;
  learningRate: number;
  metrics: Record<string, number>;
  score: number;
}

export interface FitResult {
  history: EpochRecord[];
  bestEpoch: number;
  bestScore: number;
  stoppedEarly: boolean;
}

/**
 * Trains `model` for up to `epochs`, evaluating the monitor after each; keeps the best weights, decays the
 * learning rate on a plateau, stops after `patience` epochs without improvement and restores the best.
 */
export function fit(model: CtrModel, options: FitOptions): FitResult {
  const numFields = options.train.numFields;
  const optimizer = new DenseOptimizer({ ...options.optimizer });
  const sparse = optimizer.config;
  const rand = mulberry32(options.seed);
  const history: EpochRecord[] = [];
  let best: ModelSnapshot | null = null;
  let bestScore = -Infinity;
  let bestEpoch = 0;
  let sinceBest = 0;
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const progress = new EpochProgress(options.log, `${options.label} epoch ${epoch}`, options.train.n);
      for (const batch of shuffledBatches(options.train, options.batchSize, rand)) {
        const loss = trainStep(model, batch, options.loss, { numFields, clipNorm: options.clipNorm, optimizer, sparse, ...(options.side ? { side: options.side } : {}) });
        progress.step(batch.n, loss);
      }
      const { loss, rowsPerSecond, seconds } = progress.finish();
      const { score, metrics } = options.monitor(model);
      const record: EpochRecord = { epoch, trainLoss: loss, rowsPerSecond, seconds, learningRate: sparse.learningRate, metrics, score };
      history.push(record);
      const shown = Object.entries(metrics).map(([k, v]) => `${k} ${v.toFixed(5)}`).join(", ");
      options.log(`  ${options.label} epoch ${epoch}: train loss ${loss.toFixed(5)}, valid ${shown} (${Math.round(rowsPerSecond)} rows/s, ${seconds.toFixed(1)}s)`);
      if (score > bestScore + options.minDelta) {
        bestScore = score;
        bestEpoch = epoch;
        sinceBest = 0;
        best = takeSnapshot(model);
      } else {
        sinceBest++;
        if (sinceBest >= options.patience) {
          stoppedEarly = true;
          options.log(`  ${options.label}: no improvement for ${options.patience} epochs, stopping; best epoch ${bestEpoch}`);
          break;
        }
        sparse.learningRate = Math.max(options.minLearningRate, sparse.learningRate * options.lrDecayFactor);
        options.log(`  ${options.label}: learning rate → ${sparse.learningRate.toPrecision(2)}`);
      }
    }
    if (best !== null) restoreSnapshot(model, best);
  } finally {
    optimizer.dispose();
  }
  return { history, bestEpoch, bestScore, stoppedEarly };
}

