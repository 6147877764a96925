import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { parseConfig } from "../../sdk/config";
import { prepareData, type PreparedData } from "../../sdk/data/prepare";
import { mulberry32 } from "../../sdk/data/prng";
import { exportStudentWasm } from "../../sdk/export/export-student";
import type { DenseQuantize, Quantize } from "../../sdk/export/quantize";
import { gzipBound, studentSizer, type StudentShape } from "../../sdk/export/student-size";
import type { StudentWeights } from "../../sdk/export/student-weights";
import { silentLogger } from "../../sdk/log";
import { runPipeline } from "../../sdk/pipeline/run";
import { fitStudentBudget } from "../../sdk/pipeline/student-budget";
import { compactRemapOf, type EmbeddingRemap } from "../../sdk/runtime/embedding-remap";

/** student.budgetBytes: the exact size formula of student.wasm, the gzip bound, and a student sized to a budget before training. */

const FEATURE_MAP_ID = "e".repeat(64);
const SYNTHETIC = { seed: 5, rows: { train: 4000, valid: 800, test: 800 }, fields: 6, vocabSize: 300, interactions: 5, zipf: 1.0, ctr: 0.25 };

function studentOf(shape: StudentShape, remap?: EmbeddingRemap): StudentWeights {
  const rand = mulberry32(shape.totalRows);
  const widths = [shape.numFields * shape.embeddingDim, ...shape.hiddenUnits, 1];
  return {
    numFields: shape.numFields,
    embeddingDim: shape.embeddingDim,
    totalRows: shape.totalRows,
    embedding: Float32Array.from({ length: shape.totalRows * shape.embeddingDim }, () => rand() - 0.5),
    layers: widths.slice(1).map((outDim, i) => ({
      inDim: widths[i]!,
      outDim,
      weights: Float32Array.from({ length: widths[i]! * outDim }, () => rand() - 0.5),
      bias: new Float32Array(outDim),
      activation: i === widths.length - 2 ? "linear" : "relu",
    })),
    ...(shape.slotCounts.some((c) => c > 1) ? { slotCounts: [...shape.slotCounts] } : {}),
    ...(remap === undefined ? {} : { remap }),
  };
}

let data: PreparedData;
beforeAll(async () => {
  await selectBackend();
  data = await prepareData({ format: "csv", delimiter: ",", header: true, label: "click", features: [], synthetic: SYNTHETIC }, { seed: 1 });
});

describe("the size formula of student.wasm", () => {
  it.each<[string, Quantize, boolean, number[], DenseQuantize]>([
    ["f32", "none", false, [1, 1, 1], "none"],
    ["fp16, pooled", "fp16", false, [1, 3, 2], "none"],
    ["int8, compact", "int8", true, [1, 1, 1], "none"],
    ["f32, compact and pooled", "none", true, [2, 1, 1], "none"],
    ["f32 with int8 dense layers (odd widths 15, 7, 3)", "none", false, [1, 1, 1], "int8"],
    ["int8 with int8 dense layers, compact and pooled", "int8", true, [2, 1, 1], "int8"],
  ])("predicts the exact bytes of a %s student, and bounds its gzip", async (_name, quantize, remapped, slotCounts, quantizeDense) => {
    const sizer = await studentSizer();
    const remap: EmbeddingRemap | undefined = remapped
      ? { inputRows: 90, totalRows: 33, fields: [0, 1, 2].map((f) => ({ inputOffset: 30 * f, inputSize: 30, op: "clamp" as const, param: 10, rowOffset: 11 * f, rows: 11 })) }
      : undefined;
    const shape: StudentShape = { numFields: 3, embeddingDim: 5, totalRows: remap?.totalRows ?? 90, hiddenUnits: [7, 3], slotCounts, remapped, quantize, quantizeDense };
    const predicted = sizer(shape);
    const { wasm } = await exportStudentWasm(studentOf(shape, remap), { featureMapId: FEATURE_MAP_ID, quantize, quantizeDense });
    expect(predicted.wasmBytes).toBe(wasm.byteLength);
    expect(gzipSync(wasm).byteLength).toBeLessThanOrEqual(predicted.gzipBytesAtMost);
  });

  it("bounds the gzip of incompressible bytes, and stays within 0.1 % of them", () => {
    const rand = mulberry32(1);
    for (const n of [0, 1, 1000, 100_000, 1_000_000]) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      const gz = gzipSync(bytes).byteLength;
      expect(gz).toBeLessThanOrEqual(gzipBound(n));
      expect(gzipBound(n)).toBeLessThan(n * 1.001 + 32);
    }
  });
});

describe("fitStudentBudget", () => {
  const config = (student: Record<string, unknown>) =>
    parseConfig({ data: { synthetic: SYNTHETIC }, teachers: [{ model: "LR" }], student: { embeddingDim: 8, hiddenUnits: [16], ...student } });

  it("chooses the largest keep whose student.wasm fits, so that one more would not", async () => {
    const budget = 30_000;
    const { config: sized, fit } = await fitStudentBudget(config({ budgetBytes: budget }), data.featureMap, data.train.layout, silentLogger);
    const keep = sized.student.embedding!.keep!;
    expect(sized.student.embedding).toEqual({ kind: "prune", keep });
    expect(fit!.predicted.gzipBytesAtMost).toBeLessThanOrEqual(budget);
    const sizer = await studentSizer();
    const sizeAt = (k: number) => {
      const remap = compactRemapOf(data.featureMap, { kind: "prune", keep: k })!;
      return sizer({ numFields: 6, embeddingDim: 8, totalRows: remap.totalRows, hiddenUnits: [16], slotCounts: data.train.layout.slotCounts, remapped: true, quantize: "none" });
    };
    expect(sizeAt(keep)).toEqual(fit!.predicted);
    expect(sizeAt(keep + 1).gzipBytesAtMost).toBeGreaterThan(budget);
    expect(keep).toBeGreaterThan(10);
    expect(keep).toBeLessThan(SYNTHETIC.vocabSize);
  });

  it("sizes hash buckets the same way, keeping per-field overrides", async () => {
    const { config: sized } = await fitStudentBudget(
      config({ budgetBytes: 30_000, embedding: { kind: "hash", fields: [{ name: "C1", kind: "prune", keep: 2 }] } }),
      data.featureMap,
      data.train.layout,
      silentLogger,
    );
    expect(sized.student.embedding).toMatchObject({ kind: "hash", fields: [{ name: "C1", kind: "prune", keep: 2 }] });
    expect(sized.student.embedding!.buckets).toBeGreaterThan(10);
  });

  it("keeps the whole table when it fits, and changes nothing without a budget", async () => {
    const { config: sized, fit } = await fitStudentBudget(config({ budgetBytes: 10_000_000 }), data.featureMap, data.train.layout, silentLogger);
    expect(compactRemapOf(data.featureMap, sized.student.embedding)).toBeUndefined();
    expect(fit!.predicted.gzipBytesAtMost).toBeLessThan(10_000_000);
    const plain = config({});
    expect((await fitStudentBudget(plain, data.featureMap, data.train.layout, silentLogger)).config).toBe(plain);
  });

  it("refuses an unreachable budget before training, naming the smallest reachable size", async () => {
    const sizer = await studentSizer();
    const smallest = sizer({ numFields: 6, embeddingDim: 8, totalRows: 6 * 3, hiddenUnits: [16], slotCounts: data.train.layout.slotCounts, remapped: true, quantize: "none" });
    await expect(fitStudentBudget(config({ budgetBytes: 1000 }), data.featureMap, data.train.layout, silentLogger)).rejects.toThrow(
      `config.student.budgetBytes: no student fits 1,000 bytes gzip; the smallest reachable is ${smallest.gzipBytesAtMost.toLocaleString("en-US")} bytes`,
    );
    expect(() => config({ budgetBytes: 5000, embedding: { kind: "prune", keep: 4 } })).toThrow("config.student.embedding.keep: is chosen by student.budgetBytes");
    expect(() => config({ budgetBytes: 5000, embedding: { kind: "qr", buckets: 4 } })).toThrow('config.student.budgetBytes: sizes the student by student.embedding kind "prune" (the default) or "hash"');
  });
});

describe("ctr-distill run with student.budgetBytes", () => {
  it("trains one student sized to the budget and records the predicted and actual sizes in model.json", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "ctr-budget-run-")), "run");
    const budget = 25_000;
    const config = parseConfig({
      data: { synthetic: SYNTHETIC },
      teachers: [{ model: "DNN", hiddenUnits: [16] }],
      student: { embeddingDim: 8, hiddenUnits: [16], budgetBytes: budget },
      distill: { ensemble: "mean" },
      training: { batchSize: 256, epochs: 2, learningRate: 0.01, seed: 1, patience: 1 },
    });
    const report = await runPipeline({ config, outDir: out, log: silentLogger, backend: "wasm", httpCheckPort: null });
    expect(report.wasm.maxAbsDiff).toBeLessThan(1e-5);
    const model = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
    const wasm = readFileSync(join(out, "student.wasm"));
    expect(model.sizes.budgetBytes).toBe(budget);
    expect(model.sizes.predictedWasmBytes).toBe(wasm.byteLength);
    expect(model.sizes.wasmGzipBytes).toBe(gzipSync(wasm).byteLength);
    expect(model.sizes.wasmGzipBytes).toBeLessThanOrEqual(model.sizes.predictedGzipBytesAtMost);
    expect(model.sizes.predictedGzipBytesAtMost).toBeLessThanOrEqual(budget);
    expect(model.student.embedding.kind).toBe("prune");
    expect(model.sizes.embeddingRows).toBeLessThan(data.featureMap.totalRows);
    // config.json keeps the config as given: the budget, not the keep it chose.
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).student).toEqual({ embeddingDim: 8, hiddenUnits: [16], budgetBytes: budget });
  });
});
