import { BLOB_VERSION, BLOB_VERSION_POOLED, BLOB_VERSION_REMAPPED, HeaderField, REMAP_RECORD_BYTES, RemapField } from "../runtime/blob-header";
import { BLOB_HEADER_BYTES, modelIdOf } from "../runtime/model-id";
import { REMAP_OP_CODE } from "../runtime/embedding-remap";
import { slotLayoutOf, unpooledLayout } from "../runtime/slots";
import { int8DenseWeightsBytes, packInt8Dense, quantizeDenseChannels } from "./dense-int8";
import { DENSE_QUANTIZE_ORDER, isDenseQuantize, isQuantize, QUANTIZE_ORDER, quantizeF16, quantizeInt8Rows, type DenseQuantize, type Quantize } from "./quantize";
import { MAX_LAYER_WIDTH, validateStudentWeights, type StudentWeights } from "./student-weights";

/**
 * Packs StudentWeights into the blob the scorer module reads at modelBase(). The layout is drawn in
 * assembly/layout.ts; the constants below mirror it (change both together and bump BLOB_VERSION).
 * All fields little-endian u32; every array 16-byte aligned; dense layers f32 or int8 with per-channel f32
 * scales (DenseDtype), the embedding table f32, int8 with per-row f32 scales, or binary16 (EmbeddingDtype).
 */

// The header's and remap table's layout, shared with the loader (sdk/runtime/blob-header.ts).
export { BLOB_VERSION, BLOB_VERSION_POOLED, BLOB_VERSION_REMAPPED, HeaderField, REMAP_RECORD_BYTES, RemapField };

/** "CTRD" as a little-endian u32. */
export const BLOB_MAGIC = 0x44525443;
/** Bytes of the fixed header. */
export const HEADER_BYTES = BLOB_HEADER_BYTES;
/** Bytes of one layer-table record. */
export const LAYER_RECORD_BYTES = 32;
/** Output columns per weight panel (one f32x4). */
export const PANEL_WIDTH = 4;
/** Rows per score() call unless asked otherwise. */
export const DEFAULT_MAX_BATCH = 256;
/** Largest maxBatch the module accepts. */
export const MAX_BATCH_LIMIT = 1 << 16;
/** Largest blob the exporter writes (leaves room below 4 GiB for static data and scratch). */
export const MAX_BLOB_BYTES = 2 ** 31;

/** Embedding element types (layout.ts EMBEDDING_*). */
export const EmbeddingDtype = { f32: 0, int8RowScale: 1, f16: 2 } as const;

/** The dtype code each quantisation stores its table as. */
export const DTYPE_OF: Record<Quantize, number> = { none: EmbeddingDtype.f32, fp16: EmbeddingDtype.f16, int8: EmbeddingDtype.int8RowScale };

/** Dense-layer types (layout.ts DENSE_*). */
export const DenseDtype = { f32: 0, int8ChannelScale: 1 } as const;

/** The dtype code each dense quantisation stores its weights as. */
export const DENSE_DTYPE_OF: Record<DenseQuantize, number> = { none: DenseDtype.f32, int8: DenseDtype.int8ChannelScale };

/** Activation codes of the layer table. */
export const ActivationCode = { linear: 0, relu: 1 } as const;

/** Byte offsets of the fields of a layer-table record. */
export const LayerField = {
  inDim: 0,
  outDim: 4,
  outPadded: 8,
  activation: 12,
  weightsOffset: 16,
  weightsBytes: 20,
  biasOffset: 24,
  biasBytes: 28,
} as const;

export interface PackOptions {
  /** sha256 hex id of the feature map the student was trained with. */
  featureMapId: string;
  /** Rows per score() call of the module (default 256). */
  maxBatch?: number;
  /** How the embedding table is stored (default "none": f32). */
  quantize?: Quantize;
  /** How the dense layers are stored (default "none": f32). */
  quantizeDense?: DenseQuantize;
}

export interface PackedModel {
  blob: Uint8Array;
  /** Bytes of the embedding section (scales and codes for int8). */
  embeddingBytes: number;
  /** sha256 hex of the blob with its maxBatch and both id fields zeroed: shapes, layer table and weights (modelIdOf). */
  modelId: string;
}

/** Rounds up to a multiple of `m`. */
function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}

/**
 * Packs a row-major [inDim][outDim] kernel into panels [outPadded / 4][inDim][4]: panel p, row k holds
 * W[k][4p .. 4p + 3], zero beyond outDim. This is the order the SIMD kernel streams.
 */
export function packDensePanels(weights: Float32Array, inDim: number, outDim: number): Float32Array {
  if (weights.length !== inDim * outDim)
    throw new RangeError(`packDensePanels: 'weights' has ${weights.length} values, expected inDim * outDim = ${inDim * outDim}`);
  const outPadded = roundUp(outDim, PANEL_WIDTH);
  const packed = new Float32Array(inDim * outPadded);
  for (let j = 0; j < outDim; j++) {
    const panel = (j / PANEL_WIDTH) | 0;
    const base = panel * inDim * PANEL_WIDTH + (j % PANEL_WIDTH);
    for (let k = 0; k < inDim; k++) packed[base + k * PANEL_WIDTH] = weights[k * outDim + j]!;
  }
  return packed;
}

/** Pads a bias to a whole number of panels. */
export function padBias(bias: Float32Array, outDim: number): Float32Array {
  const padded = new Float32Array(roundUp(outDim, PANEL_WIDTH));
  padded.set(bias.subarray(0, outDim));
  return padded;
}

/** Checks the featureMapId and maxBatch options; returns maxBatch. */
function checkOptions(opts: PackOptions, fn: string): number {
  if (typeof opts?.featureMapId !== "string" || !/^[0-9a-f]{64}$/.test(opts.featureMapId))
    throw new RangeError(`${fn}: 'featureMapId' must be a sha256 hex string (64 lowercase hex digits), got ${JSON.stringify(opts?.featureMapId)}`);
  const maxBatch = opts.maxBatch ?? DEFAULT_MAX_BATCH;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > MAX_BATCH_LIMIT)
    throw new RangeError(`${fn}: 'maxBatch' must be an integer in [1, ${MAX_BATCH_LIMIT}], got ${maxBatch}`);
  if (opts.quantize !== undefined && !isQuantize(opts.quantize))
    throw new RangeError(`${fn}: 'quantize' must be one of ${QUANTIZE_ORDER.join(", ")}, got ${JSON.stringify(opts.quantize)}`);
  if (opts.quantizeDense !== undefined && !isDenseQuantize(opts.quantizeDense))
    throw new RangeError(`${fn}: 'quantizeDense' must be one of ${DENSE_QUANTIZE_ORDER.join(", ")}, got ${JSON.stringify(opts.quantizeDense)}`);
  return maxBatch;
}

/** Packs the student into the blob and computes its model id. */
export function packStudent(weights: StudentWeights, opts: PackOptions): PackedModel {
  const fn = "packStudent";
  const maxBatch = checkOptions(opts, fn);
  validateStudentWeights(weights, fn);
  const { numFields, embeddingDim, totalRows, layers } = weights;
  const quantize = opts.quantize ?? "none";
  const quantizeDense = opts.quantizeDense ?? "none";
  const table = encodeEmbedding(weights, quantize);
  // Only pooled students get the v2 header and slot table, only compact ones v3: every other blob, and its model id, stays as it was.
  const { remap } = weights;
  const layout = weights.slotCounts === undefined ? (remap === undefined ? null : unpooledLayout(numFields)) : slotLayoutOf(weights.slotCounts);
  const pooled = layout?.pooled || remap !== undefined ? layout : null;
  if (pooled && pooled.numSlots * embeddingDim > MAX_LAYER_WIDTH)
    throw new RangeError(`${fn}: numSlots * embeddingDim = ${pooled.numSlots * embeddingDim} exceeds ${MAX_LAYER_WIDTH}`);

  const { layerTableOffset, slotTableOffset, remapTableOffset, embeddingOffset, layers: placedLayers, blobBytes } = blobLayout({
    numFields,
    layers,
    pooled: pooled !== null,
    remapped: remap !== undefined,
    embeddingBytes: table.bytes,
    quantizeDense,
  });
  const embeddingBytes = table.bytes;
  const placed = placedLayers.map((p, i) => ({ ...p, layer: layers[i]! }));
  if (blobBytes > MAX_BLOB_BYTES) throw new RangeError(`${fn}: the packed model would take ${blobBytes} bytes, over the ${MAX_BLOB_BYTES} limit`);

  const blob = new Uint8Array(blobBytes);
  const view = new DataView(blob.buffer);
  const u32 = (offset: number, value: number): void => view.setUint32(offset, value, true);
  u32(HeaderField.magic, BLOB_MAGIC);
  u32(HeaderField.version, remap !== undefined ? BLOB_VERSION_REMAPPED : pooled ? BLOB_VERSION_POOLED : BLOB_VERSION);
  u32(HeaderField.numFields, numFields);
  u32(HeaderField.embeddingDim, embeddingDim);
  u32(HeaderField.totalRows, totalRows);
  u32(HeaderField.embeddingDtype, DTYPE_OF[quantize]);
  u32(HeaderField.numLayers, layers.length);
  u32(HeaderField.embeddingOffset, embeddingOffset);
  u32(HeaderField.embeddingBytes, embeddingBytes);
  u32(HeaderField.layerTableOffset, layerTableOffset);
  u32(HeaderField.blobBytes, blobBytes);
  u32(HeaderField.denseDtype, DENSE_DTYPE_OF[quantizeDense]);
  if (pooled) {
    u32(HeaderField.numSlots, pooled.numSlots);
    u32(HeaderField.slotTableOffset, slotTableOffset);
    new Uint32Array(blob.buffer, slotTableOffset, numFields).set(pooled.slotCounts);
  }
  if (remap !== undefined) {
    u32(HeaderField.remapTableOffset, remapTableOffset);
    u32(HeaderField.inputRows, remap.inputRows);
    remap.fields.forEach((f, i) => {
      const rec = remapTableOffset + i * REMAP_RECORD_BYTES;
      u32(rec + RemapField.inputOffset, f.inputOffset);
      u32(rec + RemapField.inputSize, f.inputSize);
      u32(rec + RemapField.op, REMAP_OP_CODE[f.op]);
      u32(rec + RemapField.param, f.param);
      u32(rec + RemapField.rowOffset, f.rowOffset);
      u32(rec + RemapField.rows, f.rows);
    });
  }
  const f32 = (offset: number, data: Float32Array): void => {
    new Float32Array(blob.buffer, offset, data.length).set(data);
  };
  table.write(blob, embeddingOffset);
  placed.forEach((p, i) => {
    const rec = layerTableOffset + i * LAYER_RECORD_BYTES;
    u32(rec + LayerField.inDim, p.layer.inDim);
    u32(rec + LayerField.outDim, p.layer.outDim);
    u32(rec + LayerField.outPadded, p.outPadded);
    u32(rec + LayerField.activation, ActivationCode[p.layer.activation]);
    u32(rec + LayerField.weightsOffset, p.weightsOffset);
    u32(rec + LayerField.weightsBytes, p.weightsBytes);
    u32(rec + LayerField.biasOffset, p.biasOffset);
    u32(rec + LayerField.biasBytes, p.biasBytes);
    if (quantizeDense === "int8") blob.set(packInt8Dense(quantizeDenseChannels(p.layer), p.outPadded), p.weightsOffset);
    else f32(p.weightsOffset, packDensePanels(p.layer.weights, p.layer.inDim, p.layer.outDim));
    f32(p.biasOffset, padBias(p.layer.bias, p.layer.outDim));
  });

  // The id covers everything but maxBatch (a serving choice) and the id fields themselves (runtime/model-id.ts).
  const modelId = modelIdOf(blob);
  u32(HeaderField.maxBatch, maxBatch);
  writeAscii(blob, HeaderField.modelId, modelId);
  writeAscii(blob, HeaderField.featureMapId, opts.featureMapId);
  return { blob, modelId, embeddingBytes };
}

/** What the blob's size depends on: the shapes, which optional tables it has, the embedding section's bytes. */
export interface BlobShape {
  numFields: number;
  layers: readonly { inDim: number; outDim: number }[];
  /** Whether the blob has a slot table (v2, and v3 always). */
  pooled: boolean;
  /** Whether the blob has a remap table (v3). */
  remapped: boolean;
  embeddingBytes: number;
  /** How the dense layers are stored (default "none": f32 panels). */
  quantizeDense?: DenseQuantize;
}

/** Where each part of a blob goes: header, layer table, slot table (v2, v3), remap table (v3), embedding, then each layer's weights and bias. */
export function blobLayout(shape: BlobShape) {
  let at = HEADER_BYTES;
  const layerTableOffset = at;
  at = roundUp(at + shape.layers.length * LAYER_RECORD_BYTES, 16);
  const slotTableOffset = at;
  if (shape.pooled || shape.remapped) at = roundUp(at + shape.numFields * 4, 16);
  const remapTableOffset = at;
  if (shape.remapped) at = roundUp(at + shape.numFields * REMAP_RECORD_BYTES, 16);
  const embeddingOffset = at;
  at = roundUp(at + shape.embeddingBytes, 16);
  const layers = shape.layers.map((layer) => {
    const outPadded = roundUp(layer.outDim, PANEL_WIDTH);
    const weightsOffset = at;
    const weightsBytes = shape.quantizeDense === "int8" ? int8DenseWeightsBytes(layer.inDim, outPadded) : layer.inDim * outPadded * 4;
    at = roundUp(at + weightsBytes, 16);
    const biasOffset = at;
    const biasBytes = outPadded * 4;
    at = roundUp(at + biasBytes, 16);
    return { outPadded, weightsOffset, weightsBytes, biasOffset, biasBytes };
  });
  return { layerTableOffset, slotTableOffset, remapTableOffset, embeddingOffset, layers, blobBytes: at };
}

/** Bytes of the embedding section of `totalRows` × `embeddingDim` stored as `quantize` (layout.ts draws each). */
export function embeddingSectionBytes(totalRows: number, embeddingDim: number, quantize: Quantize): number {
  const cells = totalRows * embeddingDim;
  return quantize === "none" ? cells * 4 : quantize === "fp16" ? cells * 2 : int8CodesOffset(totalRows) + cells;
}

/** The embedding section of a quantisation: its byte length and a writer (layout.ts draws each). */
function encodeEmbedding(weights: StudentWeights, quantize: Quantize): { bytes: number; write(blob: Uint8Array, at: number): void } {
  const { embedding, totalRows, embeddingDim } = weights;
  switch (quantize) {
    case "none":
      return { bytes: embedding.length * 4, write: (blob, at) => new Float32Array(blob.buffer, at, embedding.length).set(embedding) };
    case "fp16": {
      const halves = quantizeF16(embedding);
      return { bytes: halves.length * 2, write: (blob, at) => new Uint16Array(blob.buffer, at, halves.length).set(halves) };
    }
    case "int8": {
      const { scales, codes } = quantizeInt8Rows(embedding, totalRows, embeddingDim);
      const codesAt = int8CodesOffset(totalRows);
      return {
        bytes: codesAt + codes.length,
        write: (blob, at) => {
          new Float32Array(blob.buffer, at, totalRows).set(scales);
          new Int8Array(blob.buffer, at + codesAt, codes.length).set(codes);
        },
      };
    }
  }
}

/** Offset of the int8 codes inside the embedding section: after the per-row scales, 16-aligned. */
export function int8CodesOffset(totalRows: number): number {
  return roundUp(totalRows * 4, 16);
}

function writeAscii(blob: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) blob[offset + i] = text.charCodeAt(i);
}
