import { selectBackend } from "./sdk/backend";
import { prepareData } from "./sdk/data/prepare";
import { silentLogger } from "./sdk/log";
import { listModels } from "./sdk/models/zoo";
import { disposeModel } from "./sdk/models/model";
import { trainOnLabels } from "./sdk/train/train-teacher";

const backend = await selectBackend();
const fields = Number(process.env.FIELDS ?? 39);
const rows = Number(process.env.ROWS ?? 8192);
const data = await prepareData({ format: "csv", delimiter: ",", header: true, label: "click", features: [], synthetic: { seed: 1, rows: { train: rows, valid: 512, test: 16 }, fields, vocabSize: 100, interactions: 10, zipf: 1, ctr: 0.2 } }, { seed: 1 });
const only = process.env.ONLY?.split(",");
console.log(`backend ${backend.name}, node ${process.version}, ${fields} fields, ${rows} train rows, batch 1024, defaults (embeddingDim 10, MLP [400,400,400])`);
for (const m of listModels()) {
  if (only && !only.includes(m.name)) continue;
  const t = trainOnLabels(m.name, {}, { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows }, { batchSize: 1024, epochs: 1, learningRate: 1e-3, seed: 1, patience: 2 }, silentLogger, "x", 0);
  const h = t.fit.history[0]!;
  console.log(`${m.name.padEnd(9)} ${String(t.params).padStart(9)} params  ${Math.round(h.rowsPerSecond).toString().padStart(6)} rows/s  auc ${h.metrics.auc!.toFixed(3)}`);
  disposeModel(t.model);
}
