import { createHash } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readRunModel } from "../pipeline/run-model";
import { UserError } from "../errors";
import { readCheckpointManifest, type CheckpointManifest } from "../train/checkpoint";
import type { CompileOptions } from "./compile";
import { exportStudentWasm } from "./export-student";
import { exportStudentOnnx } from "./onnx";
import type { DenseQuantize, Quantize } from "./quantize";
import { slotCountsOf, type DenseLayerWeights, type StudentWeights } from "./student-weights";
import { featureMapSlots, type SlotLayout } from "../runtime/slots";
import { compactRemapOf, type CompactEmbeddingSpec } from "../runtime/embedding-remap";
import type { FeatureMap } from "../runtime/feature-map";

/**
 * `ctr-distill export --run DIR [--quantize none|fp16|int8] [--quantize-dense none|int8] [--budget BYTES]`: rebuilds a
 * run's `student.wasm` and `student.onnx` (removed with int8 dense layers, which have no ONNX form) from the student checkpoint the pipeline saved in `DIR/student/`
 * (sdk/train/checkpoint.ts: `checkpoint.json` + `weights.bin`), and updates `model.json`'s id and sizes.
 * Reads the checkpoint's tensors directly: no tfjs model is built.
 */

export interface ReexportOptions {
  /** Embedding storage (default: "none", or with `budget` the least lossy option that fits). */
  quantize?: Quantize;
  /** Dense-layer storage (default "none": f32); "int8" removes the run's student.onnx. */
  quantizeDense?: DenseQuantize;
  /** Largest student.wasm in bytes (see exportStudentWasm). */
  budget?: number;
  /** Where assembly/ lives (tests). */
  compile?: CompileOptions;
}

export interface ReexportResult {
  modelId: string;
  /** Bytes of the new student.wasm. */
  bytes: number;
  quantize: Quantize;
  quantizeDense: DenseQuantize;
}

/** Sub-directory of a run holding the student checkpoint. */
export const STUDENT_CHECKPOINT_DIR = "student";
/** The checkpoint's names: the embedding table, then `mlp/dense_i` and `mlp/output` kernels and biases. */
const EMBEDDING_TENSOR = "table:embedding";
const HIDDEN_PREFIX = "mlp/dense_";
const OUTPUT_LAYER = "mlp/output";

/** Writes `path` through a temporary file and a rename, so a reader never sees half a file. */
async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** The student's weights from a checkpoint directory, checked against its checksum and the feature map. */
export async function readStudentCheckpoint(dir: string, expect: { featureMap: FeatureMap; layout: SlotLayout }): Promise<{ weights: StudentWeights; manifest: CheckpointManifest }> {
  const manifest = await readCheckpointManifest(dir);
  const { featureMap } = expect;
  // A compact student's table has the rows of the spec it was trained with (save-student.ts keeps it).
  const remap = compactRemapOf(featureMap, manifest.hyperparameters.embedding as CompactEmbeddingSpec | undefined);
  const expectedRows = remap?.totalRows ?? featureMap.totalRows;
  if (manifest.model !== "DNN") throw new UserError(`${dir}: the checkpoint holds a ${manifest.model}, not the DNN student`);
  if (manifest.featureMapId !== featureMap.id)
    throw new UserError(`${dir}: the student was trained with feature map ${manifest.featureMapId}, the run's is ${featureMap.id}`);
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, "weights.bin"));
  } catch {
    throw new UserError(`${dir}: no readable weights.bin`);
  }
  if (createHash("sha256").update(bytes).digest("hex") !== manifest.sha256) throw new UserError(`${dir}/weights.bin: checksum mismatch (corrupt or replaced file)`);
  if (bytes.byteLength % 4 !== 0) throw new UserError(`${dir}/weights.bin: ${bytes.byteLength} bytes is not a whole number of floats`);
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const byName = new Map(manifest.tensors.map((t) => [t.name, t]));

  const tensor = (name: string, rank: number): { shape: number[]; data: Float32Array } => {
    const entry = byName.get(name);
    if (entry === undefined) throw new UserError(`${dir}: the checkpoint has no tensor '${name}'`);
    const size = entry.shape.reduce((a, b) => a * b, 1);
    if (entry.shape.length !== rank || !Number.isInteger(entry.offset) || entry.offset < 0 || entry.offset + size > floats.length)
      throw new UserError(`${dir}: tensor '${name}' has shape [${entry.shape.join(", ")}] at offset ${entry.offset}, which weights.bin does not hold`);
    return { shape: entry.shape, data: floats.slice(entry.offset, entry.offset + size) };
  };

  const table = tensor(EMBEDDING_TENSOR, 2);
  const [totalRows, embeddingDim] = table.shape as [number, number];
  if (totalRows !== expectedRows)
    throw new UserError(`${dir}: the embedding table has ${totalRows} rows, the ${remap === undefined ? "feature map" : "student's compact embedding"} ${expectedRows}`);
  const names: string[] = [];
  for (let i = 0; byName.has(`${HIDDEN_PREFIX}${i}/kernel`); i++) names.push(`${HIDDEN_PREFIX}${i}`);
  names.push(OUTPUT_LAYER);
  const unfolded = manifest.tensors.find((t) => t.name.startsWith("mlp/") && !names.some((n) => t.name === `${n}/kernel` || t.name === `${n}/bias`));
  if (unfolded) throw new UserError(`${dir}: the student has a tensor '${unfolded.name}' (batch norm?) that export does not fold`);
  const hidden = manifest.hyperparameters.hiddenUnits;
  if (Array.isArray(hidden) && hidden.length !== names.length - 1)
    throw new UserError(`${dir}: hyperparameters list ${hidden.length} hidden layers, the checkpoint holds ${names.length - 1}`);

  const layers: DenseLayerWeights[] = names.map((name, i) => {
    const kernel = tensor(`${name}/kernel`, 2);
    const [inDim, outDim] = kernel.shape as [number, number];
    return { inDim, outDim, weights: kernel.data, bias: tensor(`${name}/bias`, 1).data, activation: i < names.length - 1 ? "relu" : "linear" };
  });
  const numFields = layers[0]!.inDim / embeddingDim;
  if (numFields !== expect.layout.numFields)
    throw new UserError(`${dir}: the first layer takes ${layers[0]!.inDim} inputs, not ${expect.layout.numFields} fields × embeddingDim ${embeddingDim}`);
  return { weights: { numFields, ...slotCountsOf(expect.layout), embeddingDim, totalRows, embedding: table.data, layers, ...(remap === undefined ? {} : { remap }) }, manifest };
}

/**
 * Rebuilds `DIR/student.wasm` (quantised or to a byte budget as asked) and `DIR/student.onnx` (the same
 * quantisation) from `DIR/student/`, then sets model.json's `id`, `quantize`, `quantizeDense` and `sizes`. Metrics in
 * model.json stay those of the f32 student (quantisation is measured, not retrained: see BENCHMARKS.md).
 */
export async function reexportRun(dir: string, opts: ReexportOptions = {}): Promise<ReexportResult> {
  const { model, featureMap } = await readRunModel(dir);
  const checkpointDir = join(dir, STUDENT_CHECKPOINT_DIR);
  const { weights } = await readStudentCheckpoint(checkpointDir, { featureMap, layout: featureMapSlots(featureMap) });

  const exported = await exportStudentWasm(weights, {
    featureMapId: featureMap.id,
    quantize: opts.quantize,
    quantizeDense: opts.quantizeDense,
    budget: opts.budget,
    compile: opts.compile,
  });
  // int8 dense layers have no ONNX form (onnx.ts): no student.onnx, rather than one that scores other numbers.
  const onnx = exported.quantizeDense === "none" ? exportStudentOnnx(weights, { quantize: exported.quantize, featureMapId: featureMap.id, modelId: exported.modelId }) : null;
  await writeAtomic(join(dir, "student.wasm"), exported.wasm);
  if (onnx !== null) await writeAtomic(join(dir, "student.onnx"), onnx);
  else await rm(join(dir, "student.onnx"), { force: true });
  const { onnxBytes: _stale, ...sizes } = (model.sizes ?? {}) as Record<string, unknown>;
  const updated = {
    ...model,
    id: exported.modelId,
    quantize: exported.quantize,
    quantizeDense: exported.quantizeDense,
    sizes: {
      ...sizes,
      wasmBytes: exported.wasm.byteLength,
      wasmGzipBytes: gzipSync(exported.wasm).byteLength,
      embeddingBytes: exported.embeddingBytes,
      ...(onnx === null ? {} : { onnxBytes: onnx.byteLength }),
    },
  };
  await writeAtomic(join(dir, "model.json"), JSON.stringify(updated, null, 2) + "\n");
  return { modelId: exported.modelId, bytes: exported.wasm.byteLength, quantize: exported.quantize, quantizeDense: exported.quantizeDense };
}
