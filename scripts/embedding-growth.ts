/**
 * Diagnostic: does a model's embedding table grow or shrink under training, and does its MLP still see the rows?
 * Trains MODEL on a preset with the given embedding init std(s), and prints test AUC / logloss, the table's RMS
 * (init RMS = the std), and how much the hint (last hidden) layer varies across 4,096 test rows: the largest
 * per-unit standard deviation (about 0 when the MLP has become a constant). Used for BENCHMARKS.md's note on NFM
 * and FiBiNET on MovieLens.
 *
 *   node scripts/bundle.mjs scripts/embedding-growth.ts dist/embedding-growth.js &&
 *     node dist/embedding-growth.js CONFIG MODEL EPOCHS REG STD [STD …]
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../sdk/backend";
import { parseConfig } from "../sdk/config";
import { prepareData } from "../sdk/data/prepare";
import { evaluateLogits } from "../sdk/train/evaluate";
import { gatherEmbeddings, predictLogits } from "../sdk/train/step";
import { trainOnLabels } from "../sdk/train/train-teacher";

const [configPath, model, epochs, regularizer, ...stds] = process.argv.slice(2);
if (configPath === undefined || model === undefined || stds.length === 0) {
  process.stderr.write("usage: embedding-growth CONFIG MODEL EPOCHS REG STD [STD …]\n");
  process.exit(1);
}
await selectBackend("wasm");
/** Each epoch's validation line on stderr (the test metrics go to stdout at the end). */
const epochLines = (line: string): void => {
  if (line.includes("valid auc")) process.stderr.write(line + "\n");
};
const config = parseConfig(JSON.parse(readFileSync(configPath, "utf8")), configPath);
const data = await prepareData(config.data, { seed: config.training.seed });
for (const std of stds.map(Number)) {
  const hp = { embeddingInitStd: std, embeddingRegularizer: Number(regularizer) };
  const trained = await trainOnLabels(model, hp, { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows }, { ...config.training, epochs: Number(epochs) }, epochLines, model, 0);
  const table = trained.model.tables[0]!.weights;
  const rms = Math.sqrt(table.reduce((s, w) => s + w * w, 0) / table.length);
  const m = evaluateLogits(data.test.labels, predictLogits(trained.model, data.test));
  const n = Math.min(4096, data.test.n);
  const S = data.test.layout.numSlots;
  const rows = { ids: data.test.ids.subarray(0, n * S), values: data.test.values.subarray(0, n * S), n, layout: data.test.layout };
  const hiddenStd = tf.tidy(() => {
    const hidden = trained.model.forward(gatherEmbeddings(trained.model, rows), false).hidden;
    return hidden === null ? NaN : tf.moments(hidden, 0).variance.sqrt().max().dataSync()[0]!;
  });
  console.log(
    `${model} init std ${std}, L2 ${regularizer}, ${epochs} epochs: test AUC ${m.auc.toFixed(4)}, logloss ${m.logloss.toFixed(4)}, ` +
      `embedding RMS ${rms.toExponential(2)}, hidden-layer std over rows ≤ ${hiddenStd.toExponential(2)}`,
  );
}
