import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { randomSource } from "../../sdk/layers/random";
import { silentLogger } from "../../sdk/log";
import { disposeModel, type CtrModel } from "../../sdk/models/model";
import { buildModel } from "../../sdk/models/zoo";
import { DenseOptimizer } from "../../sdk/train/dense-optimizer";
import { runEpochs } from "../../sdk/train/fit";
import { DEFAULT_OPTIMIZER } from "../../sdk/train/optimizer-config";

beforeAll(async () => {
  await selectBackend("cpu");
});

/** Marks every weight of the model with the epoch that "trained" it, so a restore shows which epoch it kept. */
function stamp(model: CtrModel, epoch: number): void {
  for (const t of model.tables) t.weights.fill(epoch);
  for (const [, v] of model.params.entries()) tf.tidy(() => v.assign(tf.fill(v.shape, epoch)));
}

function stampOf(model: CtrModel): number[] {
  return [...model.tables.map((t) => t.weights[0]!), ...model.params.entries().map(([, v]) => v.dataSync()[0]!)];
}

/** runEpochs over a scripted monitor: epoch e scores `scores[e − 1]`. */
async function runScripted(scores: number[], options: { epochs: number; patience: number; minDelta: number; minLearningRate: number }) {
  const model = buildModel("FM", { embeddingDim: 2 }, { numFields: 2, totalRows: 4, rng: randomSource(1) });
  const optimizer = new DenseOptimizer({ ...DEFAULT_OPTIMIZER, learningRate: 1 });
  let current = 0;
  const result = await runEpochs({
    label: "scripted",
    ...options,
    lrDecayFactor: 0.1,
    optimizers: [optimizer],
    models: [model],
    rowsPerEpoch: 1,
    runEpoch: async (epoch) => {
      current = epoch;
      stamp(model, epoch);
      return { loss: 0, rowsPerSecond: 1, seconds: 0 };
    },
    monitor: () => ({ score: scores[current - 1]!, metrics: {} }),
    log: silentLogger,
  });
  const restored = stampOf(model);
  optimizer.dispose();
  disposeModel(model);
  return { result, restored };
}

describe("runEpochs", () => {
  it("keeps the best epoch, decays the learning rate on each plateau epoch (floored), stops after `patience`", async () => {
    // 3: a gain below minDelta is no improvement; 4: improves, resets patience; 5, 6: two misses → stop.
    const scores = [0.5, 0.6, 0.60005, 0.7, 0.65, 0.69, 0.9, 0.95];
    const { result, restored } = await runScripted(scores, { epochs: 8, patience: 2, minDelta: 1e-4, minLearningRate: 0.05 });
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.stoppedEarly).toBe(true);
    expect(result.bestEpoch).toBe(4);
    expect(result.bestScore).toBe(0.7);
    // The rate an epoch trained with: decayed ×0.1 after epochs 3 and 5, the second time floored at 0.05.
    expect(result.history.map((h) => h.learningRate)).toEqual([1, 1, 1, 0.1, 0.1, 0.05]);
    // Every table and dense weight is back at epoch 4's values, not the last epoch's.
    for (const w of restored) expect(w).toBe(4);
  });

  it("runs to the epoch cap while the monitor improves, and keeps the last epoch", async () => {
    const { result, restored } = await runScripted([0.1, 0.2, 0.3], { epochs: 3, patience: 1, minDelta: 0, minLearningRate: 1e-6 });
    expect(result.stoppedEarly).toBe(false);
    expect(result.bestEpoch).toBe(3);
    expect(result.history.map((h) => h.learningRate)).toEqual([1, 1, 1]);
    for (const w of restored) expect(w).toBe(3);
  });

  it("with patience 1, the first miss stops training and restores the epoch before it", async () => {
    const { result, restored } = await runScripted([0.3, 0.8, 0.7, 0.9], { epochs: 4, patience: 1, minDelta: 0, minLearningRate: 1e-6 });
    expect(result.history).toHaveLength(3);
    expect(result.stoppedEarly).toBe(true);
    expect(result.bestEpoch).toBe(2);
    for (const w of restored) expect(w).toBe(2);
  });
});
