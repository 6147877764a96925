import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { parseConfig } from "../../sdk/config";
import type { Batch } from "../../sdk/data/batches";
import type { EncodedDataset } from "../../sdk/data/dataset";
import { prepareData } from "../../sdk/data/prepare";
import { generateSynthetic } from "../../sdk/data/synthetic";
import { mulberry32, randNormal, shuffleInPlace } from "../../sdk/data/prng";
import { distillStudent, HINT_PROJECTION } from "../../sdk/distill/distill";
import { silentLogger } from "../../sdk/log";
import type { TrainedModel } from "../../sdk/train/train-teacher";
import { predictOutputs, sideTensor, type SideInput } from "../../sdk/train/step";

beforeAll(async () => {
  await selectBackend("cpu");
});

const synthetic = { seed: 5, rows: { train: 3000, valid: 500, test: 500 }, fields: 4, vocabSize: 20, interactions: 2, zipf: 0.5, ctr: 0.3 };
const config = parseConfig({
  data: { synthetic },
  teachers: [{ model: "DNN" }],
  student: { embeddingDim: 4, hiddenUnits: [32, 16] },
  distill: { ensemble: "mean", hint: true, hintWeight: 1, alpha: 0.5, earlyStop: "kd-loss" },
  training: { epochs: 12, batchSize: 128, learningRate: 1e-2, patience: 12 },
});
const DIM = 3;

/** A hint a student can learn from its ids: per row, the sum over fields of a fixed random vector per id. */
function idHints(ds: EncodedDataset, totalRows: number): SideInput {
  const rand = mulberry32(11);
  const table = Float32Array.from({ length: totalRows * DIM }, () => randNormal(rand));
  const values = new Float32Array(ds.n * DIM);
  const S = ds.layout.numSlots;
  for (let i = 0; i < ds.n; i++) for (let s = 0; s < S; s++) for (let k = 0; k < DIM; k++) values[i * DIM + k]! += table[ds.ids[i * S + s]! * DIM + k]!;
  return { values, dim: DIM };
}

function permuted(side: SideInput, n: number): SideInput {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(order, mulberry32(12));
  const values = new Float32Array(side.values.length);
  order.forEach((from, to) => values.set(side.values.subarray(from * DIM, (from + 1) * DIM), to * DIM));
  return { values, dim: DIM };
}

/** mean‖v_t − W·v_s‖² over the training rows, with the student's learned projection W. */
function hintMse(trained: TrainedModel, ds: EncodedDataset, side: SideInput): number {
  const width = config.student.hiddenUnits.at(-1)!;
  const hidden = predictOutputs(trained.model, ds, (o) => o.hidden!, width);
  return tf.tidy(() => {
    const projected = tf.matMul(tf.tensor2d(hidden, [ds.n, width]), trained.model.params.get(HINT_PROJECTION) as tf.Tensor2D);
    return tf.losses.meanSquaredError(tf.tensor2d(side.values, [ds.n, DIM]), projected).dataSync()[0]!;
  });
}

describe("hint regularisation", () => {
  it("the hint loss falls during training, and permuting the hint rows changes the student", async () => {
    const data = await prepareData(config.data, { seed: config.training.seed });
    const train = data.train as EncodedDataset;
    // The generator's true click logits as the teacher: KD-loss stopping then runs to the late epochs.
    const truth = generateSynthetic(synthetic);
    const logit = (p: Float64Array) => Float32Array.from(p, (x) => Math.log(x / (1 - x)));
    const hints = idHints(train, data.featureMap.totalRows);
    const shuffled = permuted(hints, train.n);
    const inputs = { train, valid: data.valid, totalRows: data.featureMap.totalRows, teacherTrain: logit(truth.train.probs), teacherValid: logit(truth.valid.probs) };
    const source = (side: SideInput) => ({ dim: DIM, teacher: "ids", targets: (batch: Batch) => sideTensor(side, batch.index, batch.n) });
    const run = (side: SideInput) => distillStudent({ ...inputs, hint: source(side) }, config.student, config.distill, config.training, silentLogger, "hint", 1000);
    const aligned = await run(hints);
    const scrambled = await run(shuffled);
    // An untrained student predicts about 0, so its hint loss is about mean‖v_t‖²: training must cut it well below.
    const start = hints.values.reduce((s, x) => s + x * x, 0) / hints.values.length;
    const learned = hintMse(aligned, train, hints);
    expect(learned, "hint MSE after training vs mean‖v_t‖²").toBeLessThan(0.5 * start);
    // Hints out of row order carry nothing the ids predict: a student that reads each row's own hint does far better.
    const unlearnable = hintMse(scrambled, train, shuffled);
    expect(learned).toBeLessThan(0.7 * unlearnable);
    const logits = (t: TrainedModel) => predictOutputs(t.model, data.valid, (o) => o.logit.reshape([-1, 1]), 1);
    const [a, b] = [logits(aligned), logits(scrambled)];
    expect(a.some((x, i) => Math.abs(x - b[i]!) > 1e-3), "the students differ").toBe(true);
  });
});
