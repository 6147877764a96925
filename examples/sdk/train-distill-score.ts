// Train two teachers, distil them into a small student through the teacher gate, export it and score rows.
import { distill, exportStudent, prepareData, resolveConfig, trainTeachers, type ProgressEvent } from "ctr-distill";
import { RowEncoder, Scorer, validateFeatureMap } from "ctr-distill/runtime";

const config = resolveConfig({
  data: { synthetic: { seed: 7, rows: { train: 4000, valid: 1000, test: 1000 }, fields: 6, vocabSize: 20, interactions: 4, zipf: 1, ctr: 0.2 } },
  teachers: [{ model: "DNN", hiddenUnits: [64, 64] }, { model: "DeepFM", hiddenUnits: [64, 64] }],
  student: { embeddingDim: 4, hiddenUnits: [16] },
  distill: { ensemble: "gating", alpha: 0.5, temperature: 2 },
  training: { epochs: 2, batchSize: 256, learningRate: 0.003 },
});
const onProgress = (e: ProgressEvent) => e.type === "epoch" && console.log(`${e.model} epoch ${e.epoch}/${e.epochs}: valid AUC ${e.metrics.auc!.toFixed(4)}`);

const data = await prepareData(config, { onProgress });
const teachers = await trainTeachers(config, data, { onProgress });
const { student, ensemble } = await distill(config, data, teachers, { onProgress });
console.log(`student test AUC ${student.test.auc.toFixed(4)}; gate weights ${ensemble.weights.map((w) => w.toFixed(2)).join(", ")}`);

const run = await exportStudent(config, data, student, { outDir: process.argv[2] ?? "my-student", overwrite: true });
const scorer = await Scorer.fromBytes(run.wasm);
const encoder = new RowEncoder(validateFeatureMap(run.featureMap), "json");
const { ids, values, n } = encoder.encodeObjects([{ C1: "v1", C2: "v3" }, { C1: "v2", C4: "v0" }]);
console.log(`model ${run.modelId.slice(0, 12)}… scores`, Array.from(scorer.score(ids, values, n)));
