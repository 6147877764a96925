/**
 * Memory layout of the scorer and of the packed model blob (the exporter, sdk/export/pack.ts, writes the
 * same layout; keep the two in step and bump BLOB_VERSION on any incompatible change; filling a reserved
 * code is not one: a module that does not know an embedding dtype answers STATUS_BAD_DTYPE, a dense dtype
 * STATUS_BAD_DENSE_DTYPE).
 *
 * Linear memory (64 KiB pages, little-endian):
 *
 *   0                    AssemblyScript static data (a few bytes) ........ __heap_base
 *   MODEL_BASE           = (__heap_base + 0xFFFF) & ~0xFFFF: the blob, placed by the exporter as an
 *                        active data segment appended to the compiled module
 *   ┌──────────────────────────────────────────────────────────────────────────────────────────────┐
 *   │ +0    u32 magic "CTRD"        +4  u32 blob version     +8  u32 numFields F   +12 u32 dim D   │
 *   │ +16   u32 totalRows           +20 u32 embedding dtype  +24 u32 maxBatch      +28 u32 layers L│
 *   │ +32   u32 embedding offset    +36 u32 embedding bytes  +40 u32 layer table offset            │
 *   │ +44   u32 blob bytes          +48 u32 numSlots S (v2+) +52 u32 slot table offset (v2+)       │
 *   │ +56   u32 remap table offset (v3)                      +60 u32 inputRows (v3)                 │
 *   │       (v1: +48 .. +63 reserved (0), and S = F; v2: +56 .. +63 reserved (0))                  │
 *   │ +64   model id: 64 ASCII hex  +128 feature-map id: 64 ASCII hex                              │
 *   │ +192  u32 dense dtype (0 f32, 1 int8; any version)     +196 .. +255 reserved (0)             │
 *   ├──────────────────────────────────────────────────────────────────────────────────────────────┤
 *   │ layer table, L records of 32 bytes (u32 each):                                                │
 *   │   inDim, outDim, outPadded = roundUp(outDim, 4), activation (0 linear, 1 relu),               │
 *   │   weights offset, weights bytes (by dense dtype, below), bias offset, bias bytes = outPadded*4 │
 *   ├──────────────────────────────────────────────────────────────────────────────────────────────┤
 *   │ v2 and v3, slot table (offset 16-aligned): u32 [F] slots of each field, each ≥ 1, summing to │
 *   │   S; a row carries S ids/values, field f's slots contiguous and in field order, and field f's │
 *   │   input is the f32 sum, in slot order, of its slots' scaled rows (sum pooling)                │
 *   ├──────────────────────────────────────────────────────────────────────────────────────────────┤
 *   │ v3 only, remap table (offset 16-aligned): F records of 32 bytes (u32 each), a compact        │
 *   │   embedding (remap.ts): inputOffset, inputSize (the field's ids in the feature map, contiguous│
 *   │   from 0 and summing to inputRows), op (0 identity, 1 clamp, 2 hash, 3 qr), param, rowOffset, │
 *   │   rows                                                                                        │
 *   │   (the field's rows of the table, contiguous from 0 and summing to totalRows), 0, 0;          │
 *   │   identity: rows = inputSize, param 0; clamp: rows = param + 1 ≤ inputSize; hash: rows = param│
 *   │   qr: rows = param + ceil(inputSize / param) (remainder rows, then quotient rows; the field's  │
 *   │   scaled row is (row[l % param] · value) ⊙ row[param + l / param], each product in f32)       │
 *   │   Input ids are the feature map's (< inputRows); each is mapped to its row before the gather. │
 *   ├──────────────────────────────────────────────────────────────────────────────────────────────┤
 *   │ embedding, by dtype (offset 16-aligned):                                                      │
 *   │   0 f32:  f32 [totalRows][D], row-major;                        bytes = totalRows * D * 4     │
 *   │   1 int8: scales f32 [totalRows], then codes i8 [totalRows][D] at +align16(totalRows * 4);    │
 *   │           row r is codes[r][d] * scales[r] (symmetric, scale = max|row| / 127);              │
 *   │                                             bytes = align16(totalRows * 4) + totalRows * D    │
 *   │   2 f16:  IEEE binary16 [totalRows][D], row-major;              bytes = totalRows * D * 2     │
 *   │ per layer, by dense dtype (16-aligned each), then bias f32 [outPadded]:                       │
 *   │   0 f32:  weights as panels f32 [outPadded / 4][inDim][4]  (panel p holds columns 4p..4p+3;   │
 *   │           padded columns are 0);                        bytes = inDim * outPadded * 4         │
 *   │   1 int8: per-channel scales f32 [outPadded], then codes i8 [outPadded / 4][ceil(inDim/2)][4][2]│
 *   │           (dense-int8.ts draws them); bytes = outPadded * 4 + outPadded * 2 * ceil(inDim / 2) │
 *   └──────────────────────────────────────────────────────────────────────────────────────────────┘
 *   scratch = align16(MODEL_BASE + blob bytes), laid out by init() and grown into with memory.grow:
 *     ids     i32 [maxBatch][S]            values  f32 [maxBatch][S]
 *     actA    f32 [maxBatch][maxStride]    actB    f32 [maxBatch][maxStride]
 *     output  f32 [maxBatch]
 *     slots   f32 [maxBatch][S * D]        (only when S > F: the scaled slot rows, pooled into actA)
 *     rows    i32 [maxBatch][S]            (only v3: the ids mapped to rows of the table)
 *     second  i32 [maxBatch][S]            (only v3: each id's second row, qr's quotient row, or -1)
 *     xq      i16 [maxBatch][roundUp(maxStride, 8)]  (only int8 dense: a layer's quantised input rows)
 *     xScales f32 [maxBatch]               (only int8 dense: their scales)
 *   maxStride = max(roundUp(F * D, 4), outPadded of every layer); every offset is from MODEL_BASE.
 *   Writers emit v1 unless some field has several slots (v2) or the embedding is compact (v3), so other blobs
 *   (and their ids) stay as they were. The dense dtype fills a field that was reserved (0) in every version: f32
 *   blobs keep their bytes and ids, and a module that predates it refuses an int8 one (its weights bytes differ).
 */

/** "CTRD" read as a little-endian u32: the first four bytes of every blob. */
export const BLOB_MAGIC: u32 = 0x44525443;
/** Blob format version of models without pooled fields (S = F, no slot table). */
export const BLOB_VERSION: u32 = 1;
/** Blob format version of models with pooled fields (numSlots and the slot table); this module reads both. */
export const BLOB_VERSION_POOLED: u32 = 2;
/** Blob format version of models with a compact embedding: v2's slot table (always) and the remap table. */
export const BLOB_VERSION_REMAPPED: u32 = 3;
/** Bytes of one remap-table record. */
export const REMAP_RECORD_BYTES: u32 = 32;
/** Bytes of the fixed header before the layer table. */
export const HEADER_BYTES: u32 = 256;
/** Bytes of one layer-table record. */
export const LAYER_RECORD_BYTES: u32 = 32;
/** Length of each id string (sha256 in ASCII hex). */
export const ID_BYTES: u32 = 64;

/** Header: magic. */
export const H_MAGIC: u32 = 0;
/** Header: blob format version. */
export const H_VERSION: u32 = 4;
/** Header: fields per row F. */
export const H_NUM_FIELDS: u32 = 8;
/** Header: embedding dimension D. */
export const H_EMBEDDING_DIM: u32 = 12;
/** Header: rows of the embedding table. */
export const H_TOTAL_ROWS: u32 = 16;
/** Header: embedding element type (EMBEDDING_*). */
export const H_EMBEDDING_DTYPE: u32 = 20;
/** Header: rows per score() call. */
export const H_MAX_BATCH: u32 = 24;
/** Header: number of dense layers. */
export const H_NUM_LAYERS: u32 = 28;
/** Header: byte offset of the embedding table. */
export const H_EMBEDDING_OFFSET: u32 = 32;
/** Header: byte length of the embedding table. */
export const H_EMBEDDING_BYTES: u32 = 36;
/** Header: byte offset of the layer table. */
export const H_LAYER_TABLE_OFFSET: u32 = 40;
/** Header: byte length of the whole blob. */
export const H_BLOB_BYTES: u32 = 44;
/** Header (v2): slots per row S. */
export const H_NUM_SLOTS: u32 = 48;
/** Header (v2): byte offset of the slot table, u32 [F]. */
export const H_SLOT_TABLE_OFFSET: u32 = 52;
/** Header (v3): byte offset of the remap table, REMAP_RECORD_BYTES × F. */
export const H_REMAP_TABLE_OFFSET: u32 = 56;
/** Header (v3): ids accepted, the feature map's rows (the table itself has totalRows). */
export const H_INPUT_ROWS: u32 = 60;
/** Header (any version, reserved 0 before): how the dense layers are stored (DENSE_*). */
export const H_DENSE_DTYPE: u32 = 192;
/** Header: model id (64 ASCII hex). */
export const H_MODEL_ID: u32 = 64;
/** Header: feature-map id (64 ASCII hex). */
export const H_FEATURE_MAP_ID: u32 = 128;

/** Layer record: input width. */
export const L_IN_DIM: u32 = 0;
/** Layer record: output width. */
export const L_OUT_DIM: u32 = 4;
/** Layer record: output width rounded up to a whole panel. */
export const L_OUT_PADDED: u32 = 8;
/** Layer record: activation code (ACT_*). */
export const L_ACTIVATION: u32 = 12;
/** Layer record: byte offset of the packed weights. */
export const L_WEIGHTS_OFFSET: u32 = 16;
/** Layer record: byte length of the packed weights. */
export const L_WEIGHTS_BYTES: u32 = 20;
/** Layer record: byte offset of the bias. */
export const L_BIAS_OFFSET: u32 = 24;
/** Layer record: byte length of the bias. */
export const L_BIAS_BYTES: u32 = 28;

/** Remap record: the field's first id in the feature map. */
export const RM_INPUT_OFFSET: u32 = 0;
/** Remap record: the field's ids in the feature map. */
export const RM_INPUT_SIZE: u32 = 4;
/** Remap record: the op (REMAP_*). */
export const RM_OP: u32 = 8;
/** Remap record: clamp's last row, or hash's buckets. */
export const RM_PARAM: u32 = 12;
/** Remap record: the field's first row of the table. */
export const RM_ROW_OFFSET: u32 = 16;
/** Remap record: the field's rows of the table. */
export const RM_ROWS: u32 = 20;

/** Remap op: the local index is the row. */
export const REMAP_IDENTITY: u32 = 0;
/** Remap op: min(local, param). */
export const REMAP_CLAMP: u32 = 1;
/** Remap op: fmix32(local) % param. */
export const REMAP_HASH: u32 = 2;
/** Remap op: quotient–remainder, row local % param times second row param + local / param. */
export const REMAP_QR: u32 = 3;

/** Embedding dtype: f32 rows. */
export const EMBEDDING_F32: u32 = 0;
/** Embedding dtype: int8 rows with one f32 scale per row (scales first, then the codes). */
export const EMBEDDING_INT8_ROW_SCALE: u32 = 1;
/** Embedding dtype: IEEE binary16 rows. */
export const EMBEDDING_F16: u32 = 2;

/** Dense dtype: f32 panels. */
export const DENSE_F32: u32 = 0;
/** Dense dtype: int8 codes with one f32 scale per output channel (dense-int8.ts). */
export const DENSE_INT8_CHANNEL_SCALE: u32 = 1;

/** Activation code: identity. */
export const ACT_LINEAR: u32 = 0;
/** Activation code: max(x, 0). */
export const ACT_RELU: u32 = 1;

/** Output columns per packed weight panel (one f32x4). */
export const PANEL_WIDTH: u32 = 4;
/** Largest maxBatch a blob may ask for. */
export const MAX_BATCH_LIMIT: u32 = 1 << 16;
/** Largest width (S*D or a layer's outDim) a blob may declare; keeps every size product in range. */
export const MAX_WIDTH: u32 = 1 << 20;

/** Where the blob starts: the first 64 KiB page boundary at or above the heap base. */
// @ts-ignore: decorator
@inline export function modelBaseAddress(): usize {
  return (__heap_base + 0xffff) & ~(<usize>0xffff);
}

/** Rounds `x` up to a multiple of 4. */
// @ts-ignore: decorator
@inline export function roundUp4(x: u32): u32 {
  return (x + 3) & ~(<u32>3);
}

/** Rounds `x` up to a multiple of 16. */
// @ts-ignore: decorator
@inline export function align16(x: u64): u64 {
  return (x + 15) & ~(<u64>15);
}

/** Reads a u32 header field. */
// @ts-ignore: decorator
@inline export function header(field: u32): u32 {
  return load<u32>(modelBaseAddress() + <usize>field);
}

/** Address of layer `i`'s record (valid only after the header has been checked). */
// @ts-ignore: decorator
@inline export function layerRecord(i: u32): usize {
  return modelBaseAddress() + <usize>header(H_LAYER_TABLE_OFFSET) + <usize>(i * LAYER_RECORD_BYTES);
}

/** Reads a u32 field of layer `i`'s record. */
// @ts-ignore: decorator
@inline export function layerField(i: u32, field: u32): u32 {
  return load<u32>(layerRecord(i) + <usize>field);
}

/** Byte offset, inside an int8 embedding, of the codes (after the 16-aligned per-row scales). */
// @ts-ignore: decorator
@inline export function int8CodesOffset(totalRows: u32): u64 {
  return align16(<u64>totalRows * 4);
}

/** Bytes a layer's weights of dense `dtype` must take, or 0 for an unknown dtype. */
export function denseWeightsBytesOf(dtype: u32, inDim: u32, outPadded: u32): u64 {
  if (dtype == DENSE_F32) return <u64>inDim * <u64>outPadded * 4;
  if (dtype == DENSE_INT8_CHANNEL_SCALE) return <u64>outPadded * 4 + <u64>outPadded * 2 * <u64>((inDim + 1) >> 1);
  return 0;
}

/** Bytes an embedding of `dtype` must take, or 0 for an unknown dtype. */
export function embeddingBytesOf(dtype: u32, totalRows: u32, dim: u32): u64 {
  const cells = <u64>totalRows * <u64>dim;
  if (dtype == EMBEDDING_F32) return cells * 4;
  if (dtype == EMBEDDING_INT8_ROW_SCALE) return int8CodesOffset(totalRows) + cells;
  if (dtype == EMBEDDING_F16) return cells * 2;
  return 0;
}
