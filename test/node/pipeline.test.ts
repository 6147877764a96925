import { existsSync, readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { parseConfig } from "../../sdk/config";
import { prepareData } from "../../sdk/data/prepare";
import { studentWeightsOf } from "../../sdk/distill/student-weights";
import { exportStudentWasm } from "../../sdk/export/export-student";
import { randomSource } from "../../sdk/layers/random";
import { silentLogger } from "../../sdk/log";
import { buildModel } from "../../sdk/models/zoo";
import { runPipeline } from "../../sdk/pipeline/run";
import { Scorer } from "../../sdk/runtime/scorer";
import { evaluateLogits, probabilities } from "../../sdk/train/evaluate";
import { predictLogits } from "../../sdk/train/step";
import { trainOnLabels } from "../../sdk/train/train-teacher";
import { unpooledLayout } from "../../sdk/runtime/slots";

const SYNTHETIC = { seed: 11, rows: { train: 30000, valid: 4000, test: 8000 }, fields: 10, vocabSize: 20, interactions: 8, zipf: 1.0, ctr: 0.2 };

beforeAll(async () => {
  await selectBackend();
});

describe("training on the synthetic click log", () => {
  it("a DNN lands well above AUC 0.5 and near the Bayes-optimal AUC of the test split", async () => {
    const data = await prepareData({ format: "csv", delimiter: ",", header: true, label: "click", features: [], synthetic: SYNTHETIC }, { seed: 1 });
    const trained = await trainOnLabels("DNN", { hiddenUnits: [64, 64] }, { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows }, { batchSize: 512, epochs: 12, learningRate: 0.003, seed: 3, patience: 2, optimizer: "adam", adamVariant: "pytorch", embeddingUpdate: "lazy" }, silentLogger, "test", 0);
    const t = data.test;
    const { auc } = evaluateLogits(t.labels, predictLogits(trained.model, t));
    const bayes = data.bayes!.auc;
    expect(auc).toBeGreaterThan(0.75);
    expect(bayes - auc).toBeLessThan(0.07);
    expect(auc).toBeLessThanOrEqual(bayes + 0.01);
  });
});

describe("the exported student.wasm", () => {
  it("matches the tfjs student within 1e-5 per row on random inputs", async () => {
    const numFields = 7;
    const totalRows = 300;
    const hiddenUnits = [33, 17];
    const model = buildModel("DNN", { embeddingDim: 6, hiddenUnits, embeddingInitStd: 0.5 }, { numFields, totalRows, rng: randomSource(5) });
    const weights = studentWeightsOf(model, { embeddingDim: 6, hiddenUnits }, unpooledLayout(numFields));
    const { wasm } = await exportStudentWasm(weights, { featureMapId: "f".repeat(64) });
    const scorer = await Scorer.fromBytes(wasm);
    const rng = randomSource(9);
    const n = 1000;
    const ids = new Int32Array(n * numFields).map(() => Math.floor(rng.next() * totalRows));
    const values = new Float32Array(n * numFields).map(() => (rng.next() < 0.5 ? 1 : rng.normal()));
    const expected = probabilities(predictLogits(model, { ids, values, n, layout: unpooledLayout(numFields) }));
    const got = scorer.score(ids, values, n);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-5);
    // The inputs must exercise the sigmoid's range, or agreement would be trivial.
    expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.3);
  });
});

describe("ctr-distill run", () => {
  it("writes a run directory whose model, feature map and module belong together", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "ctr-distill-run-")), "run");
    const config = parseConfig({
      data: { synthetic: { ...SYNTHETIC, rows: { train: 8000, valid: 1000, test: 1000 } } },
      teachers: [{ model: "DNN", hiddenUnits: [16] }, { model: "DeepFM", hiddenUnits: [16] }],
      student: { embeddingDim: 4, hiddenUnits: [8] },
      distill: { ensemble: "mean" },
      training: { batchSize: 256, epochs: 3, learningRate: 0.01, seed: 1, patience: 1 },
    });
    const report = await runPipeline({ config, outDir: out, log: silentLogger, backend: "wasm", httpCheckPort: null });
    expect(report.teachers.map((t) => t.model)).toEqual(["DNN", "DeepFM"]);
    expect(report.students.map((s) => s.ensemble)).toEqual([null, "mean"]);
    for (const row of [...report.teachers, ...report.students]) expect(row.auc).toBeGreaterThan(0.5);
    expect(report.wasm.maxAbsDiff).toBeLessThan(1e-5);
    for (const f of ["feature-map.json", "student.wasm", "model.json", "teachers/0-DNN/checkpoint.json", "teachers/1-DeepFM/weights.bin"]) expect(existsSync(join(out, f))).toBe(true);
    // report.html: every model's row and curves; metrics.jsonl: one line per model epoch.
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain("by ctr-distill run");
    expect(html).toContain(`<svg id="chart-train-loss"`);
    const models = ["DNN", "DeepFM", "student (no KD)", "student (KD, mean)"];
    for (const name of models) expect(html).toContain(`<th scope="row" class="name">${name}</th>`);
    const metrics = readFileSync(join(out, "metrics.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as { model: string; epoch: number });
    expect([...new Set(metrics.map((m) => m.model))]).toEqual(models);
    const dnnFit = (JSON.parse(readFileSync(join(out, "teachers/0-DNN/checkpoint.json"), "utf8")) as { extra: { fit: { history: unknown[] } } }).extra.fit;
    expect(metrics.filter((m) => m.model === "DNN")).toHaveLength(dnnFit.history.length);
    // --resume after an interruption: finished teachers are reused, not trained again.
    const lines: string[] = [];
    const resumed = await runPipeline({ config, outDir: out, log: (l) => lines.push(l), backend: "wasm", httpCheckPort: null, resume: true });
    expect(lines.filter((l) => l.includes("resumed from"))).toHaveLength(2);
    expect(resumed.teachers.map((t) => t.auc)).toEqual(report.teachers.map((t) => t.auc));
    const model = JSON.parse(readFileSync(join(out, "model.json"), "utf8")) as { id: string; featureMapId: string };
    const scorer = await Scorer.fromBytes(readFileSync(join(out, "student.wasm")));
    expect(scorer.info.modelId).toBe(model.id);
    expect(scorer.info.featureMapId).toBe(model.featureMapId);
  });
});
