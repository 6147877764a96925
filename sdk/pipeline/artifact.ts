import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { RunConfig } from "../config-types";
import { saveFeatureMap } from "../data/feature-map-io";
import { exportStudentWasm } from "../export/export-student";
import { exportStudentOnnx } from "../export/onnx";
import type { StudentWeights } from "../export/student-weights";
import type { DenseQuantize, Quantize } from "../export/quantize";
import type { FeatureMap } from "../runtime/feature-map";
import type { Metrics } from "../train/evaluate";
import type { BudgetFit } from "./student-budget";

/** model.json's format tag and version. */
export const MODEL_FORMAT = "ctr-distill/model";
export const MODEL_VERSION = 1;

export interface ArtifactInputs {
  outDir: string;
  featureMap: FeatureMap;
  weights: StudentWeights;
  config: RunConfig;
  params: number;
  metrics: Record<string, Metrics>;
  /** Embedding storage of student.wasm and student.onnx (default f32, or the least lossy that fits `budget`). */
  quantize?: Quantize;
  /** Dense-layer storage of student.wasm (default f32); with "int8" no student.onnx is written (it has no ONNX form). */
  quantizeDense?: DenseQuantize;
  /** Largest student.wasm in bytes. */
  budget?: number;
  /** The student was sized to `student.budgetBytes` (student-budget.ts): its predicted sizes, checked and recorded. */
  budgetFit?: BudgetFit | null;
}

export interface Artifact {
  dir: string;
  modelId: string;
  wasm: Uint8Array;
  /** student.wasm's gzip size, as model.json records it. */
  gzipBytes: number;
  /** The embedding storage it was exported with. */
  quantize: Quantize;
}

/** Writes the run directory's serving part: feature-map.json, student.wasm and model.json (DESIGN.md). */
export async function writeArtifact(inputs: ArtifactInputs): Promise<Artifact> {
  const { outDir, featureMap, weights, config } = inputs;
  await mkdir(outDir, { recursive: true });
  const { wasm, modelId, quantize, quantizeDense } = await exportStudentWasm(weights, {
    featureMapId: featureMap.id,
    quantize: inputs.quantize,
    quantizeDense: inputs.quantizeDense,
    budget: inputs.budget,
  });
  const gzipBytes = gzipSync(wasm).byteLength;
  const fit = inputs.budgetFit ?? null;
  if (fit !== null && (wasm.byteLength !== fit.predicted.wasmBytes || gzipBytes > fit.budgetBytes))
    throw new Error(`writeArtifact: student.wasm has ${wasm.byteLength} bytes (${gzipBytes} gzip), the size formula predicted ${fit.predicted.wasmBytes} (gzip at most ${fit.predicted.gzipBytesAtMost})`);
  await saveFeatureMap(join(outDir, "feature-map.json"), featureMap);
  await writeFile(join(outDir, "student.wasm"), wasm);
  const onnxPath = join(outDir, "student.onnx");
  if (quantizeDense === "none") await writeFile(onnxPath, exportStudentOnnx(weights, { quantize, featureMapId: featureMap.id, modelId }));
  else await rm(onnxPath, { force: true });
  const model = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    id: modelId,
    featureMapId: featureMap.id,
    quantize,
    quantizeDense,
    createdAt: new Date().toISOString(),
    student: {
      embeddingDim: config.student.embeddingDim,
      hiddenUnits: config.student.hiddenUnits,
      params: inputs.params,
      ...(config.student.embedding === undefined ? {} : { embedding: config.student.embedding }),
    },
    metrics: inputs.metrics,
    // embeddingRows: the student's table (fewer than the feature map's totalRows with a compact embedding).
    sizes: {
      wasmBytes: wasm.byteLength,
      wasmGzipBytes: gzipBytes,
      embeddingRows: weights.totalRows,
      fields: weights.numFields,
      ...(fit === null ? {} : { budgetBytes: fit.budgetBytes, predictedWasmBytes: fit.predicted.wasmBytes, predictedGzipBytesAtMost: fit.predicted.gzipBytesAtMost }),
    },
    config,
  };
  await writeFile(join(outDir, "model.json"), JSON.stringify(model, null, 2) + "\n");
  return { dir: outDir, modelId, wasm, gzipBytes, quantize };
}
