/**
 * The accuracy table of BENCHMARKS.md: every registered model, trained with its defaults on each data set
 * preset, evaluated on the preset's test split; several seeds for the models named in --seeds-for.
 *
 *   npm run accuracy -- [--configs a.json,b.json] [--models DNN,DeepFM] [--seeds 3] [--seeds-for DNN,DeepFM,DCNv2] [--out F.json]
 *
 * Progress goes to stderr; stdout gets a markdown table (mean ± std over seeds).
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { selectBackend } from "../sdk/backend";
import { loadConfig } from "../sdk/config";
import { prepareData } from "../sdk/data/prepare";
import { disposeModel } from "../sdk/models/model";
import { listModels } from "../sdk/models/zoo";
import { evaluateLogits } from "../sdk/train/evaluate";
import { predictLogits } from "../sdk/train/step";
import { trainOnLabels } from "../sdk/train/train-teacher";

const { values: flags } = parseArgs({
  options: {
    configs: { type: "string", default: "configs/criteo-sample.json,configs/avazu-sample.json,configs/frappe-x1.json,configs/movielens-100k.json" },
    models: { type: "string" },
    seeds: { type: "string", default: "3" },
    "seeds-for": { type: "string", default: "DNN,DeepFM,DCNv2" },
    out: { type: "string" },
  },
});

interface Result {
  config: string;
  model: string;
  seed: number;
  auc: number;
  logloss: number;
  params: number;
  bestEpoch: number;
  seconds: number;
}

const backend = await selectBackend();
process.stderr.write(`tfjs backend: ${backend.name}\n`);
const models = flags.models?.split(",") ?? listModels().map((m) => m.name);
const multiSeed = new Set(flags["seeds-for"]!.split(","));
const results: Result[] = [];
for (const file of flags.configs!.split(",")) {
  const config = loadConfig(file);
  const data = await prepareData(config.data, { seed: config.training.seed, log: (m) => process.stderr.write(`${m}\n`) });
  for (const model of models) {
    const seeds = multiSeed.has(model) ? Number(flags.seeds) : 1;
    for (let s = 0; s < seeds; s++) {
      const started = performance.now();
      const training = { ...config.training, seed: config.training.seed + s };
      const trained = await trainOnLabels(model, {}, { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows }, training, () => {}, model, 1);
      const t = data.test;
      const m = evaluateLogits(t.labels, predictLogits(trained.model, t));
      const r: Result = { config: file, model, seed: training.seed, auc: m.auc, logloss: m.logloss, params: trained.params, bestEpoch: trained.fit.bestEpoch, seconds: (performance.now() - started) / 1000 };
      results.push(r);
      process.stderr.write(`${JSON.stringify(r)}\n`);
      disposeModel(trained.model);
    }
  }
}
if (flags.out !== undefined) writeFileSync(flags.out, JSON.stringify(results, null, 2) + "\n");

const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return xs.length > 1 ? `${mean.toFixed(4)} ± ${std.toFixed(4)}` : mean.toFixed(4);
};
const configs = [...new Set(results.map((r) => r.config))];
const lines = [`| model | ${configs.map((c) => c.replace(/^configs\//, "").replace(/\.json$/, "")).join(" | ")} |`, `|---|${configs.map(() => "---").join("|")}|`];
for (const model of models) {
  const cells = configs.map((c) => {
    const rs = results.filter((r) => r.config === c && r.model === model);
    return rs.length === 0 ? "-" : `${stats(rs.map((r) => r.auc))} / ${stats(rs.map((r) => r.logloss))}${rs.length > 1 ? ` (${rs.length} seeds)` : ""}`;
  });
  lines.push(`| ${model} | ${cells.join(" | ")} |`);
}
process.stdout.write(lines.join("\n") + "\n");
