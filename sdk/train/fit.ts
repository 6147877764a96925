import { shuffledBatches, stackedShuffledBatches } from "../data/batches";
import type { EncodedDataset, RowDataset } from "../data/dataset";
import { mulberry32 } from "../data/prng";
import type { Logger } from "../log";
import type { CtrModel } from "../models/model";
import { DenseOptimizer } from "./dense-optimizer";
import type { OptimizerConfig } from "./optimizer-config";
import { EpochProgress, type EpochPosition } from "./progress";
import { restoreSnapshot, takeSnapshot, type ModelSnapshot } from "./snapshot";
import { trainStep, type LossFunction, type SideInput } from "./step";

/** A validation measurement: `score` is maximised (e.g. AUC, or −KD loss); `metrics` are reported. */
export interface MonitorResult {
  score: number;
  metrics: Record<string, number>;
}

export interface FitOptions {
  label: string;
  train: RowDataset;
  /**
   * In-memory rows trained beside `train`, shuffled into the same batches and indexed after it: a batch row
   * whose `index` is i ≥ train.n is row i − train.n of these. Needs `train` in memory, and no `side`.
   */
  alsoTrain?: EncodedDataset;
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

/** What the epoch loop needs besides the work of an epoch: stopping, decay, snapshots. */
export interface EpochLoopOptions {
  label: string;
  epochs: number;
  patience: number;
  minDelta: number;
  lrDecayFactor: number;
  minLearningRate: number;
  /** Their learning rates decay together on a plateau. */
  optimizers: DenseOptimizer[];
  /** Their weights are snapshotted at the best epoch and restored at the end. */
  models: CtrModel[];
  /** Trains one epoch (its progress at `EpochPosition`); returns its mean loss and throughput. */
  runEpoch: (epoch: number, at: EpochPosition) => Promise<{ loss: number; rowsPerSecond: number; seconds: number }>;
  /** Rows of an epoch, for the progress lines' share and ETA. */
  rowsPerEpoch: number;
  monitor: () => MonitorResult;
  log: Logger;
}

/**
 * The epoch loop shared by every trainer: evaluate the monitor after each epoch, keep the best weights,
 * decay the learning rate on a plateau, stop after `patience` epochs without improvement, restore the best.
 */
export async function runEpochs(options: EpochLoopOptions): Promise<FitResult> {
  const history: EpochRecord[] = [];
  let best: ModelSnapshot[] | null = null;
  let bestScore = -Infinity;
  let bestEpoch = 0;
  let sinceBest = 0;
  let stoppedEarly = false;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const at: EpochPosition = { model: options.label, epoch, epochs: options.epochs, totalRows: options.rowsPerEpoch };
    const { loss, rowsPerSecond, seconds } = await options.runEpoch(epoch, at);
    const { score, metrics } = options.monitor();
    const learningRate = options.optimizers[0]?.config.learningRate ?? 0;
    history.push({ epoch, trainLoss: loss, rowsPerSecond, seconds, learningRate, metrics, score });
    const improved = score > bestScore + options.minDelta;
    options.log.progress?.({ type: "epoch", model: options.label, epoch, epochs: options.epochs, trainLoss: loss, metrics, learningRate, rowsPerSecond, seconds, improved });
    const shown = Object.entries(metrics).map(([k, v]) => `${k} ${v.toFixed(5)}`).join(", ");
    options.log(`  ${options.label} epoch ${epoch}/${options.epochs}: train loss ${loss.toFixed(5)}, valid ${shown} (${Math.round(rowsPerSecond)} rows/s, ${seconds.toFixed(1)}s)`);
    if (improved) {
      bestScore = score;
      bestEpoch = epoch;
      sinceBest = 0;
      best = options.models.map(takeSnapshot);
      continue;
    }
    sinceBest++;
    if (sinceBest >= options.patience) {
      stoppedEarly = true;
      options.log(`  ${options.label}: no improvement for ${options.patience} epochs, stopping; best epoch ${bestEpoch}`);
      break;
    }
    for (const o of options.optimizers) o.config.learningRate = Math.max(options.minLearningRate, o.config.learningRate * options.lrDecayFactor);
    options.log(`  ${options.label}: learning rate → ${options.optimizers[0]?.config.learningRate.toPrecision(2)}`);
  }
  if (!stoppedEarly) options.log(`  ${options.label}: stopped at the epoch cap (${options.epochs}); best epoch ${bestEpoch}${bestEpoch === options.epochs ? ", still improving: more epochs may help" : ""}`);
  if (best !== null) options.models.forEach((m, i) => restoreSnapshot(m, best[i]!));
  return { history, bestEpoch, bestScore, stoppedEarly };
}

/** Trains `model` on `options.loss` over shuffled batches, with runEpochs' stopping and restore. */
export async function fit(model: CtrModel, options: FitOptions): Promise<FitResult> {
  const optimizer = new DenseOptimizer({ ...options.optimizer });
  const rand = mulberry32(options.seed);
  const step = { layout: options.train.layout, clipNorm: options.clipNorm, optimizer, sparse: optimizer.config, ...(options.side ? { side: options.side } : {}) };
  const { train, alsoTrain } = options;
  let epochBatches = () => shuffledBatches(train, options.batchSize, rand);
  if (alsoTrain !== undefined) {
    if ("store" in train || options.side !== undefined)
      throw new Error(`fit: 'alsoTrain' needs 'train' in memory and no 'side' (${options.label} has ${"store" in train ? "its train split on disk" : "a side input"})`);
    epochBatches = () => stackedShuffledBatches([train, alsoTrain], options.batchSize, rand);
  }
  try {
    return await runEpochs({
      ...options,
      optimizers: [optimizer],
      models: [model],
      rowsPerEpoch: train.n + (alsoTrain?.n ?? 0),
      runEpoch: async (_epoch, at) => {
        const progress = new EpochProgress(options.log, at);
        for (const batch of epochBatches()) await progress.step(batch.n, trainStep(model, batch, options.loss, step));
        return progress.finish();
      },
      monitor: () => options.monitor(model),
    });
  } finally {
    optimizer.dispose();
  }
}
