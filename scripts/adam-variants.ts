/**
 * Models trained on labels with each Adam variant (`training.adamVariant`), side by side: the best epoch's
 * validation AUC and logloss (the numbers to compare) and the test AUC of the restored weights.
 *
 *   node scripts/bundle.mjs scripts/adam-variants.ts dist/adam-variants.js && node dist/adam-variants.js \
 *     [--config configs/movielens-100k.json] [--models LR,NFM,FiBiNET] [--variants pytorch,keras] [--epochs 30] [--hp '{"netDropout":0.2}']
 *
 * One line per model and variant on stdout, with the validation curve.
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../sdk/backend";
import { loadConfig } from "../sdk/config";
import { prepareData } from "../sdk/data/prepare";
import { disposeModel } from "../sdk/models/model";
import { evaluateLogits } from "../sdk/train/evaluate";
import type { AdamVariant } from "../sdk/train/optimizer-config";
import { predictLogits } from "../sdk/train/step";
import { trainOnLabels } from "../sdk/train/train-teacher";

const { values: flags } = parseArgs({
  options: {
    config: { type: "string", default: "configs/movielens-100k.json" },
    models: { type: "string", default: "LR,NFM,FiBiNET" },
    variants: { type: "string", default: "pytorch,keras" },
    epochs: { type: "string" },
    hp: { type: "string", default: "{}" },
  },
});

const backend = await selectBackend();
process.stderr.write(`tfjs backend: ${backend.name}\n`);
const config = loadConfig(flags.config!);
const hyperparameters = JSON.parse(flags.hp!) as Record<string, unknown>;
const data = await prepareData(config.data, { seed: config.training.seed, log: (m) => process.stderr.write(`${m}\n`) });
for (const variant of flags.variants!.split(",") as AdamVariant[]) {
  for (const model of flags.models!.split(",")) {
    const started = performance.now();
    const training = { ...config.training, adamVariant: variant, ...(flags.epochs === undefined ? {} : { epochs: Number(flags.epochs) }) };
    const trained = await trainOnLabels(model, hyperparameters, { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows }, training, () => {}, model, 1);
    const best = trained.fit.history[trained.fit.bestEpoch - 1]!.metrics;
    const test = evaluateLogits(data.test.labels, predictLogits(trained.model, data.test));
    const curve = trained.fit.history.map((h) => h.metrics.auc!.toFixed(4)).join(" ");
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(
      `${variant} ${model}: best epoch ${trained.fit.bestEpoch}/${trained.fit.history.length}, valid AUC ${best.auc!.toFixed(4)} logloss ${best.logloss!.toFixed(4)}, test AUC ${test.auc.toFixed(4)} (${seconds}s); valid AUC by epoch: ${curve}`,
    );
    disposeModel(trained.model);
  }
}
