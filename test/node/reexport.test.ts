import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { parseConfig } from "../../sdk/config";
import { prepareData, type PreparedData } from "../../sdk/data/prepare";
import { studentWeightsOf } from "../../sdk/distill/student-weights";
import { UserError } from "../../sdk/errors";
import { JsScorer } from "../../sdk/export/js-scorer";
import { dequantizedStudent, type Quantize } from "../../sdk/export/quantize";
import { reexportRun } from "../../sdk/export/reexport";
import type { StudentWeights } from "../../sdk/export/student-weights";
import { webAssembly } from "../../sdk/export/wasm-api";
import { silentLogger } from "../../sdk/log";
import { auc } from "../../sdk/metrics/auc";
import { writeArtifact } from "../../sdk/pipeline/artifact";
import { Scorer } from "../../sdk/runtime/scorer";
import { saveCheckpoint } from "../../sdk/train/checkpoint";
import { trainOnLabels } from "../../sdk/train/train-teacher";

/**
 * `reexportRun` on a run directory laid out as the pipeline lays it out (writeArtifact + the student's
 * checkpoint in DIR/student/), with a student really trained on the synthetic click log, so that the
 * quantised modules' AUC can be compared with the f32 module's.
 */

const STUDENT = { embeddingDim: 8, hiddenUnits: [64, 32] };
const CONFIG = {
  data: {
    synthetic: { seed: 21, rows: { train: 20000, valid: 3000, test: 12000 }, fields: 10, vocabSize: 40, interactions: 8, zipf: 1.0, ctr: 0.2 },
    label: "click",
  },
  teachers: [{ model: "DNN", hiddenUnits: [64] }],
  student: STUDENT,
  training: { batchSize: 512, epochs: 4, learningRate: 0.003, seed: 5, patience: 2 },
};

let runDir: string;
let data: PreparedData;
let weights: StudentWeights;
let f32Bytes: number;

async function moduleScores(dir: string): Promise<{ scorer: Scorer; scores: Float32Array }> {
  const scorer = Scorer.fromModule(new webAssembly.Module(await readFile(join(dir, "student.wasm"))));
  const t = data.test;
  return { scorer, scores: scorer.score(t.ids, t.values, t.n) };
}

async function modelJson(dir: string): Promise<{ id: string; quantize?: string; quantizeDense?: string; sizes: Record<string, number | undefined>; metrics: unknown }> {
  return JSON.parse(await readFile(join(dir, "model.json"), "utf8"));
}

beforeAll(async () => {
  await selectBackend();
  const config = parseConfig(CONFIG, "test");
  data = await prepareData(config.data, { seed: 5 });
  const trained = await trainOnLabels("DNN", STUDENT, { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows }, config.training, silentLogger, "test", 0);
  weights = studentWeightsOf(trained.model, config.student, data.train.layout);
  runDir = await mkdtemp(join(tmpdir(), "ctr-reexport-"));
  const artifact = await writeArtifact({ outDir: runDir, featureMap: data.featureMap, weights, config, params: trained.params, metrics: {} });
  f32Bytes = artifact.wasm.byteLength;
  await saveCheckpoint(trained.model, join(runDir, "student"), {
    hyperparameters: { embeddingDim: STUDENT.embeddingDim, hiddenUnits: STUDENT.hiddenUnits },
    featureMapId: data.featureMap.id,
    extra: {},
  });
});

afterAll(async () => {
  if (runDir) await rm(runDir, { recursive: true, force: true });
});

describe("reexportRun", () => {
  test("rebuilds an int8 student.wasm and student.onnx, sets model.json's id, quantize and sizes, and loses < 0.001 AUC", async () => {
    const before = await moduleScores(runDir);
    const oldMeta = await modelJson(runDir);
    const result = await reexportRun(runDir, { quantize: "int8" });
    expect(result.quantize).toBe("int8");
    expect(result.bytes).toBeLessThan(f32Bytes);

    const after = await moduleScores(runDir);
    expect(after.scorer.info.quantize).toBe("int8");
    expect(after.scorer.info.modelId).toBe(result.modelId);
    const meta = await modelJson(runDir);
    expect(meta.id).toBe(result.modelId);
    expect(meta.id).not.toBe(oldMeta.id);
    expect(meta.quantize).toBe("int8");
    expect(meta.sizes.wasmBytes).toBe(result.bytes);
    expect(meta.sizes.onnxBytes).toBe((await readFile(join(runDir, "student.onnx"))).byteLength);
    expect(meta.sizes.wasmGzipBytes).toBeLessThan(result.bytes);
    expect(meta.metrics).toEqual(oldMeta.metrics);

    // The checkpoint, read without tfjs, is the student the pipeline exported: same JS forward pass.
    const t = data.test;
    const want = new JsScorer(dequantizedStudent(weights, "int8")).score(t.ids, t.values, t.n);
    expect(after.scores.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0)).toBeLessThan(1e-5);
    const aucF32 = auc(t.labels, before.scores);
    const aucInt8 = auc(t.labels, after.scores);
    expect(aucF32).toBeGreaterThan(0.7);
    expect(Math.abs(aucInt8 - aucF32)).toBeLessThan(1e-3);
  });

  test("rebuilds a student.wasm with int8 dense layers: no student.onnx, model.json says so, the JS reference agrees, AUC within 2e-3", async () => {
    const before = await moduleScores(runDir);
    const f32Gzip = (await modelJson(runDir)).sizes.wasmGzipBytes!;
    const result = await reexportRun(runDir, { quantizeDense: "int8" });
    expect(result).toMatchObject({ quantize: "none", quantizeDense: "int8" });
    expect(result.bytes).toBeLessThan(f32Bytes);
    expect(existsSync(join(runDir, "student.onnx"))).toBe(false);
    const meta = await modelJson(runDir);
    expect(meta).toMatchObject({ id: result.modelId, quantize: "none", quantizeDense: "int8" });
    expect(meta.sizes.onnxBytes).toBeUndefined();
    expect(meta.sizes.wasmGzipBytes).toBeLessThan(f32Gzip);
    const after = await moduleScores(runDir);
    expect(after.scorer.info).toMatchObject({ quantize: "none", quantizeDense: "int8", modelId: result.modelId });
    const t = data.test;
    const want = new JsScorer(weights, { quantizeDense: "int8" }).score(t.ids, t.values, t.n);
    expect(after.scores.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0)).toBeLessThan(1e-5);
    expect(Math.abs(auc(t.labels, after.scores) - auc(t.labels, before.scores))).toBeLessThan(2e-3);
    // Back to f32 dense layers: student.onnx again.
    const again = await reexportRun(runDir, {});
    expect(again.quantizeDense).toBe("none");
    expect(existsSync(join(runDir, "student.onnx"))).toBe(true);
    expect((await modelJson(runDir)).sizes.onnxBytes).toBeGreaterThan(0);
  });

  test("picks fp16 for a budget that f32 exceeds and fp16 meets, and back to f32 for a budget it meets", async () => {
    const fp16 = await reexportRun(runDir, { budget: f32Bytes - 1 });
    expect(fp16.quantize).toBe("fp16");
    expect(fp16.bytes).toBeLessThanOrEqual(f32Bytes - 1);
    const none = await reexportRun(runDir, { budget: f32Bytes });
    expect(none).toMatchObject({ quantize: "none", bytes: f32Bytes });
    expect((await moduleScores(runDir)).scorer.info.quantize).toBe("none");
  });

  test("refuses a budget below the smallest option with a UserError, leaving the run as it was", async () => {
    const meta = await modelJson(runDir);
    const attempt = reexportRun(runDir, { budget: 1000 });
    await expect(attempt).rejects.toThrow(UserError);
    await expect(reexportRun(runDir, { budget: 1000 })).rejects.toThrow(/budget of 1,000 bytes; the smallest option is int8: [\d,]+ bytes/);
    expect((await modelJson(runDir)).id).toBe(meta.id);
  });

  test("refuses a run without a student checkpoint, or with a corrupted one, with a UserError", async () => {
    const bare = await mkdtemp(join(tmpdir(), "ctr-reexport-bare-"));
    try {
      await writeArtifact({ outDir: bare, featureMap: data.featureMap, weights, config: parseConfig(CONFIG, "test"), params: 0, metrics: {} });
      await expect(reexportRun(bare)).rejects.toThrow(/student: no readable checkpoint\.json/);
      await expect(reexportRun(join(bare, "nowhere"))).rejects.toThrow(/not a run directory/);
      const weightsBin = join(runDir, "student", "weights.bin");
      const original = await readFile(weightsBin);
      const corrupt = Buffer.from(original);
      corrupt[100] = corrupt[100]! ^ 1;
      await writeFile(weightsBin, corrupt);
      try {
        await expect(reexportRun(runDir)).rejects.toThrow(/checksum mismatch/);
      } finally {
        await writeFile(weightsBin, original);
      }
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });

  test.each<Quantize>(["fp16", "none"])("writes a %s student.onnx with the module's id in its metadata", async (quantize) => {
    const result = await reexportRun(runDir, { quantize });
    const onnx = new TextDecoder("latin1").decode(await readFile(join(runDir, "student.onnx")));
    expect(onnx).toContain(result.modelId);
    expect(onnx).toContain(data.featureMap.id);
    expect(onnx).toContain(quantize === "fp16" ? "embedding_f16" : "embedding");
  });
});
