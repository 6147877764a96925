/**
 * The scorer's ABI: a module with no imports, instantiated with `new WebAssembly.Instance(module, {})`.
 * Weights are not compiled in: the exporter appends the packed blob as a data segment at `modelBase()`
 * (see layout.ts for the memory map). Every function returns plain numbers; pointers are byte offsets
 * into the exported `memory` (read them as unsigned: `ptr >>> 0`).
 *
 *   abiVersion(): i32        ABI_VERSION; a loader refuses any other value.
 *   modelBase(): usize       where the blob must be placed (a 64 KiB boundary above the static data).
 *   init(): i32              checks the blob, lays out scratch space, grows memory; a STATUS_* code.
 *                            Idempotent; score() calls it when it has not succeeded yet.
 *   maxBatch(): i32          rows per score() call.             numFields(): i32   fields per row (F).
 *   numSlots(): i32          slots per row (S ≥ F; S = F when no field is pooled, see layout.ts).
 *                            Added within ABI 1: a loader treats its absence as S = F.
 *   idsPtr(): usize          i32 [maxBatch][S] input ids (global rows of the feature map; with a compact
 *                            embedding, blob v3, each is mapped to its row of the table first: remap.ts).
 *   valuesPtr(): usize       f32 [maxBatch][S] input values (scale of each id's row; 0 pads a slot).
 *   outputPtr(): usize       f32 [maxBatch] probabilities written by score().
 *   modelIdPtr(): usize      64 ASCII hex bytes (sha256 of the packed weights).
 *   featureMapIdPtr(): usize 64 ASCII hex bytes (the feature map the model was trained with).
 *   score(n: i32): i32       scores rows 0..n-1 of ids/values into output; a STATUS_* code. Rejects
 *                            n < 0 or n > maxBatch, and any id outside [0, totalRows) before reading it
 *                            (v3: outside its field's ids of the feature map).
 *   errorIndex(): i32        after STATUS_BAD_ID: the flat index r * S + s of the first bad id.
 *   inputRows(): i32         ids accepted: totalRows, or the feature map's rows of a compact embedding (v3).
 *                            Added within ABI 1: a loader treats its absence as no remap.
 *   embeddingDtype(): i32    the stored embedding type (layout.ts EMBEDDING_*), -1 before init().
 *                            Added within ABI 1: a loader treats its absence as f32.
 *   denseDtype(): i32        the stored dense-layer type (layout.ts DENSE_*), -1 before init().
 *                            Added within ABI 1: a loader treats its absence as f32.
 *   memory                   the linear memory.
 * Pointer and size getters return 0 until init() has succeeded.
 */
import {
  ACT_LINEAR, ACT_RELU, BLOB_MAGIC, DENSE_F32, DENSE_INT8_CHANNEL_SCALE, denseWeightsBytesOf, H_DENSE_DTYPE, BLOB_VERSION, BLOB_VERSION_POOLED, BLOB_VERSION_REMAPPED, EMBEDDING_F16, EMBEDDING_F32, EMBEDDING_INT8_ROW_SCALE,
  H_BLOB_BYTES, H_EMBEDDING_BYTES, H_EMBEDDING_DIM, H_EMBEDDING_DTYPE, H_EMBEDDING_OFFSET, H_FEATURE_MAP_ID, H_LAYER_TABLE_OFFSET,
  H_INPUT_ROWS, H_MAGIC, H_MAX_BATCH, H_MODEL_ID, H_NUM_FIELDS, H_NUM_LAYERS, H_NUM_SLOTS, H_REMAP_TABLE_OFFSET, H_SLOT_TABLE_OFFSET,
  H_TOTAL_ROWS, H_VERSION, HEADER_BYTES,
  L_ACTIVATION, L_BIAS_BYTES, L_BIAS_OFFSET, L_IN_DIM, L_OUT_DIM, L_OUT_PADDED, L_WEIGHTS_BYTES,
  L_WEIGHTS_OFFSET, LAYER_RECORD_BYTES, MAX_BATCH_LIMIT, MAX_WIDTH, align16, embeddingBytesOf, header,
  int8CodesOffset, layerField, modelBaseAddress, REMAP_CLAMP, REMAP_HASH, REMAP_IDENTITY, REMAP_QR, REMAP_RECORD_BYTES, RM_INPUT_OFFSET,
  RM_INPUT_SIZE, RM_OP, RM_PARAM, RM_ROW_OFFSET, RM_ROWS, roundUp4,
} from "./layout";
import { hasSecondRows, multiplySecondF32x4, remapIds } from "./remap";
import { firstBadId, gatherF16F32x4, gatherF32x4, gatherI8F32x4 } from "./embedding";
import { denseF32x4 } from "./dense";
import { denseInt8I16x8, quantizeRowsF32x4 } from "./dense-int8";
import { poolSlotsF32x4 } from "./pooling";
import { sigmoidColumn } from "./activations";

/** Version of this ABI (the export list above); bump on any incompatible change. */
const ABI_VERSION: i32 = 1;

/** Status: success. */
const STATUS_OK: i32 = 0;
/** Status: memory does not reach past the header at modelBase(): no blob was appended. */
const STATUS_NO_MODEL: i32 = 1;
/** Status: the blob does not start with the magic number. */
const STATUS_BAD_MAGIC: i32 = 2;
/** Status: the blob's format version is none of BLOB_VERSION, BLOB_VERSION_POOLED, BLOB_VERSION_REMAPPED. */
const STATUS_BAD_VERSION: i32 = 3;
/** Status: the embedding dtype is not one this module computes with. */
const STATUS_BAD_DTYPE: i32 = 4;
/** Status: sizes, offsets or layer shapes of the blob are inconsistent. */
const STATUS_BAD_LAYOUT: i32 = 5;
/** Status: memory.grow failed for the scratch space. */
const STATUS_OUT_OF_MEMORY: i32 = 6;
/** Status: n < 0 or n > maxBatch. */
const STATUS_BAD_BATCH: i32 = 7;
/** Status: an input id is outside [0, totalRows); see errorIndex(). */
const STATUS_BAD_ID: i32 = 8;
/** Status: the dense dtype is not one this module computes with. */
const STATUS_BAD_DENSE_DTYPE: i32 = 9;

/** Bytes of the largest 32-bit memory. */
const MAX_MEMORY_BYTES: u64 = <u64>1 << 32;

/** Whether init() has succeeded; the pointers below are valid only then. */
let ready = false;
/** Input ids, i32 [maxBatch][S]. */
let idsAt: usize = 0;
/** Input values, f32 [maxBatch][S]. */
let valuesAt: usize = 0;
/** Ping-pong activation buffers, f32 [maxBatch][widestRow] each. */
let actA: usize = 0;
let actB: usize = 0;
/** Probabilities, f32 [maxBatch]. */
let outputAt: usize = 0;
/** Scaled slot rows before pooling, f32 [maxBatch][S * D]; 0 when no field is pooled. */
let slotRowsAt: usize = 0;
/** Ids mapped to rows of the table, i32 [maxBatch][S]; 0 unless the embedding is compact (v3). */
let rowsAt: usize = 0;
/** Each id's second row (qr) or -1, i32 [maxBatch][S]; 0 unless the embedding is compact (v3). */
let secondAt: usize = 0;
/** Quantised input rows of an int8 dense layer, i16 [maxBatch][xqStride]; 0 unless the layers are int8. */
let xqAt: usize = 0;
/** Their scales, f32 [maxBatch]; 0 unless the layers are int8. */
let xScalesAt: usize = 0;
/** Row stride of xq in i16: roundUp(widestRow, 8), so every row is 16-aligned and has room for the even pad. */
let xqStride: i32 = 0;
/** Whether some field multiplies a second row into its first (qr), set by init(). */
let withSecond = false;
/** Flat index of the first bad id of the last score() call, or -1. */
let badIndex: i32 = -1;
/** Widest activation row (f32) of the blob, set by checkBlob(). */
let widestRow: u32 = 0;
/** Slots per row S of the blob, set by checkBlob(). */
let slotsPerRow: u32 = 0;

/** Whether the byte range [offset, offset + bytes) of the blob lies inside it and starts 16-aligned. */
// @ts-ignore: decorator
@inline function inBlob(offset: u32, bytes: u64, blobBytes: u32): bool {
  return (offset & 15) == 0 && <u64>offset + bytes <= <u64>blobBytes;
}

/** S of a v2 blob when its slot table lies in the blob, has no empty field and sums to numSlots; else 0. */
function checkedSlots(fields: u32, blobBytes: u32): u32 {
  const offset = header(H_SLOT_TABLE_OFFSET);
  if (!inBlob(offset, <u64>fields * 4, blobBytes)) return 0;
  const table = modelBaseAddress() + <usize>offset;
  let sum: u64 = 0;
  for (let f: u32 = 0; f < fields; f++) {
    const count = load<u32>(table + (<usize>f << 2));
    if (count == 0) return 0;
    sum += count;
  }
  const slots = header(H_NUM_SLOTS);
  return sum == <u64>slots ? slots : 0;
}

/**
 * Whether a v3 blob's remap table lies in the blob and describes the table: fields contiguous from id 0 to
 * inputRows and from row 0 to totalRows, each op's rows consistent with its param (layout.ts).
 */
function checkedRemap(fields: u32, blobBytes: u32, totalRows: u32): bool {
  const offset = header(H_REMAP_TABLE_OFFSET);
  if (!inBlob(offset, <u64>fields * REMAP_RECORD_BYTES, blobBytes)) return false;
  const table = modelBaseAddress() + <usize>offset;
  let input: u64 = 0;
  let rows: u64 = 0;
  for (let f: u32 = 0; f < fields; f++) {
    const record = table + <usize>f * REMAP_RECORD_BYTES;
    const size = load<u32>(record + RM_INPUT_SIZE);
    const op = load<u32>(record + RM_OP);
    const param = load<u32>(record + RM_PARAM);
    const count = load<u32>(record + RM_ROWS);
    if (<u64>load<u32>(record + RM_INPUT_OFFSET) != input || <u64>load<u32>(record + RM_ROW_OFFSET) != rows) return false;
    if (size == 0 || count == 0) return false;
    if (op == REMAP_IDENTITY) {
      if (count != size || param != 0) return false;
    } else if (op == REMAP_CLAMP) {
      if (param != count - 1 || count > size) return false;
    } else if (op == REMAP_HASH) {
      if (param != count) return false;
    } else if (op == REMAP_QR) {
      // rows = param + ceil(size / param), in u64 so no sum wraps.
      if (param == 0 || <u64>count != <u64>param + (<u64>size + <u64>param - 1) / <u64>param) return false;
    } else return false;
    input += size;
    rows += count;
  }
  return input == <u64>header(H_INPUT_ROWS) && rows == <u64>totalRows && input <= <u64>0x7fffffff;
}

/** Checks every header and layer field that score() relies on; sets widestRow and slotsPerRow; returns a status. */
function checkBlob(): i32 {
  const base = modelBaseAddress();
  const memoryBytes = <u64>memory.size() << 16;
  if (<u64>base + <u64>HEADER_BYTES > memoryBytes) return STATUS_NO_MODEL;
  if (header(H_MAGIC) != BLOB_MAGIC) return STATUS_BAD_MAGIC;
  const version = header(H_VERSION);
  if (version != BLOB_VERSION && version != BLOB_VERSION_POOLED && version != BLOB_VERSION_REMAPPED) return STATUS_BAD_VERSION;
  const dtype = header(H_EMBEDDING_DTYPE);
  if (dtype != EMBEDDING_F32 && dtype != EMBEDDING_INT8_ROW_SCALE && dtype != EMBEDDING_F16) return STATUS_BAD_DTYPE;
  const denseDtype = header(H_DENSE_DTYPE);
  if (denseDtype != DENSE_F32 && denseDtype != DENSE_INT8_CHANNEL_SCALE) return STATUS_BAD_DENSE_DTYPE;
  const blobBytes = header(H_BLOB_BYTES);
  if (blobBytes < HEADER_BYTES || <u64>base + <u64>blobBytes > memoryBytes) return STATUS_BAD_LAYOUT;
  const fields = header(H_NUM_FIELDS);
  const dim = header(H_EMBEDDING_DIM);
  const rows = header(H_TOTAL_ROWS);
  const batch = header(H_MAX_BATCH);
  const layers = header(H_NUM_LAYERS);
  if (fields == 0 || dim == 0 || rows == 0 || layers == 0) return STATUS_BAD_LAYOUT;
  if (batch == 0 || batch > MAX_BATCH_LIMIT) return STATUS_BAD_LAYOUT;
  if (<u64>fields * <u64>dim > <u64>MAX_WIDTH) return STATUS_BAD_LAYOUT;
  const slots = version == BLOB_VERSION ? fields : checkedSlots(fields, blobBytes);
  if (slots == 0 || <u64>slots * <u64>dim > <u64>MAX_WIDTH) return STATUS_BAD_LAYOUT;
  if (version == BLOB_VERSION_REMAPPED && !checkedRemap(fields, blobBytes, rows)) return STATUS_BAD_LAYOUT;
  const embeddingBytes = header(H_EMBEDDING_BYTES);
  if (<u64>embeddingBytes != embeddingBytesOf(dtype, rows, dim)) return STATUS_BAD_LAYOUT;
  if (!inBlob(header(H_EMBEDDING_OFFSET), embeddingBytes, blobBytes)) return STATUS_BAD_LAYOUT;
  if (!inBlob(header(H_LAYER_TABLE_OFFSET), <u64>layers * LAYER_RECORD_BYTES, blobBytes)) return STATUS_BAD_LAYOUT;
  let width = fields * dim;
  let stride = roundUp4(width);
  for (let i: u32 = 0; i < layers; i++) {
    const inDim = layerField(i, L_IN_DIM);
    const outDim = layerField(i, L_OUT_DIM);
    const outPadded = layerField(i, L_OUT_PADDED);
    const act = layerField(i, L_ACTIVATION);
    if (inDim != width || outDim == 0 || outDim > MAX_WIDTH || outPadded != roundUp4(outDim)) return STATUS_BAD_LAYOUT;
    if (act != ACT_LINEAR && act != ACT_RELU) return STATUS_BAD_LAYOUT;
    const weightsBytes = layerField(i, L_WEIGHTS_BYTES);
    const biasBytes = layerField(i, L_BIAS_BYTES);
    if (<u64>weightsBytes != denseWeightsBytesOf(denseDtype, inDim, outPadded) || biasBytes != outPadded * 4) return STATUS_BAD_LAYOUT;
    if (!inBlob(layerField(i, L_WEIGHTS_OFFSET), weightsBytes, blobBytes)) return STATUS_BAD_LAYOUT;
    if (!inBlob(layerField(i, L_BIAS_OFFSET), biasBytes, blobBytes)) return STATUS_BAD_LAYOUT;
    width = outDim;
    if (outPadded > stride) stride = outPadded;
  }
  if (width != 1) return STATUS_BAD_LAYOUT;
  widestRow = stride;
  slotsPerRow = slots;
  return STATUS_OK;
}

export function abiVersion(): i32 {
  return ABI_VERSION;
}

export function modelBase(): usize {
  return modelBaseAddress();
}

export function init(): i32 {
  if (ready) return STATUS_OK;
  const checked = checkBlob();
  if (checked != STATUS_OK) return checked;
  const stride = <u64>widestRow;
  const batch = <u64>header(H_MAX_BATCH);
  const slots = <u64>slotsPerRow;
  const pooled = slotsPerRow != header(H_NUM_FIELDS);
  const inputBytes = align16(batch * slots * 4);
  const actBytes = align16(batch * stride * 4);
  const outputBytes = align16(batch * 4);
  const slotRowsBytes = pooled ? align16(batch * slots * <u64>header(H_EMBEDDING_DIM) * 4) : 0;
  const remapped = header(H_VERSION) == BLOB_VERSION_REMAPPED;
  const second = remapped && hasSecondRows(<i32>header(H_NUM_FIELDS), modelBaseAddress() + <usize>header(H_REMAP_TABLE_OFFSET));
  const rowsBytes = remapped ? 2 * inputBytes : 0;
  const int8Dense = header(H_DENSE_DTYPE) == DENSE_INT8_CHANNEL_SCALE;
  const qStride = (stride + 7) & ~(<u64>7);
  const xqBytes = int8Dense ? align16(batch * qStride * 2) : 0;
  const xScalesBytes = int8Dense ? align16(batch * 4) : 0;
  const scratch = align16(<u64>modelBaseAddress() + <u64>header(H_BLOB_BYTES));
  const end = scratch + 2 * inputBytes + 2 * actBytes + outputBytes + slotRowsBytes + rowsBytes + xqBytes + xScalesBytes;
  if (end > MAX_MEMORY_BYTES) return STATUS_OUT_OF_MEMORY;
  const pagesNeeded = <i32>((end + 0xffff) >> 16);
  const pagesNow = memory.size();
  if (pagesNeeded > pagesNow && memory.grow(pagesNeeded - pagesNow) < 0) return STATUS_OUT_OF_MEMORY;
  idsAt = <usize>scratch;
  valuesAt = idsAt + <usize>inputBytes;
  actA = valuesAt + <usize>inputBytes;
  actB = actA + <usize>actBytes;
  outputAt = actB + <usize>actBytes;
  slotRowsAt = pooled ? outputAt + <usize>outputBytes : 0;
  rowsAt = remapped ? outputAt + <usize>outputBytes + <usize>slotRowsBytes : 0;
  secondAt = remapped ? rowsAt + <usize>inputBytes : 0;
  const afterRows = outputAt + <usize>outputBytes + <usize>slotRowsBytes + <usize>rowsBytes;
  xqAt = int8Dense ? afterRows : 0;
  xScalesAt = int8Dense ? afterRows + <usize>xqBytes : 0;
  xqStride = <i32>qStride;
  withSecond = second;
  ready = true;
  return STATUS_OK;
}

export function maxBatch(): i32 {
  return ready ? <i32>header(H_MAX_BATCH) : 0;
}

export function numFields(): i32 {
  return ready ? <i32>header(H_NUM_FIELDS) : 0;
}

export function numSlots(): i32 {
  return ready ? <i32>slotsPerRow : 0;
}

export function idsPtr(): usize {
  return idsAt;
}

export function valuesPtr(): usize {
  return valuesAt;
}

export function outputPtr(): usize {
  return outputAt;
}

export function modelIdPtr(): usize {
  return ready ? modelBaseAddress() + H_MODEL_ID : 0;
}

export function featureMapIdPtr(): usize {
  return ready ? modelBaseAddress() + H_FEATURE_MAP_ID : 0;
}

export function errorIndex(): i32 {
  return badIndex;
}

export function inputRows(): i32 {
  if (!ready) return 0;
  return <i32>(rowsAt != 0 ? header(H_INPUT_ROWS) : header(H_TOTAL_ROWS));
}

export function embeddingDtype(): i32 {
  return ready ? <i32>header(H_EMBEDDING_DTYPE) : -1;
}

export function denseDtype(): i32 {
  return ready ? <i32>header(H_DENSE_DTYPE) : -1;
}

/** Gathers the scaled embeddings of rows 0..n-1 (`columns` table rows each at `ids`) into x, with the kernel of the stored dtype. */
function gather(ids: usize, n: i32, columns: i32, dim: i32, x: usize, xStride: i32): void {
  const embedding = modelBaseAddress() + <usize>header(H_EMBEDDING_OFFSET);
  const dtype = header(H_EMBEDDING_DTYPE);
  const codes = embedding + <usize>int8CodesOffset(header(H_TOTAL_ROWS));
  if (dtype == EMBEDDING_INT8_ROW_SCALE) {
    gatherI8F32x4(ids, valuesAt, n, columns, dim, embedding, codes, x, xStride);
  } else if (dtype == EMBEDDING_F16) {
    gatherF16F32x4(ids, valuesAt, n, columns, dim, embedding, x, xStride);
  } else {
    gatherF32x4(ids, valuesAt, n, columns, dim, embedding, x, xStride);
  }
  // qr fields: each slot's scaled row times its quotient row (remap.ts), before any pooling.
  if (withSecond) multiplySecondF32x4(secondAt, n, columns, dim, dtype, embedding, codes, x, xStride);
}

/** Gathers the S slot rows of rows 0..n-1 into the slot scratch, then sums each field's slots into x. */
function gatherPooled(ids: usize, n: i32, fields: i32, dim: i32, x: usize, xStride: i32): void {
  const slotStride = <i32>slotsPerRow * dim;
  gather(ids, n, <i32>slotsPerRow, dim, slotRowsAt, slotStride);
  const slotCounts = modelBaseAddress() + <usize>header(H_SLOT_TABLE_OFFSET);
  poolSlotsF32x4(slotRowsAt, slotStride, n, fields, dim, slotCounts, x, xStride);
}

export function score(n: i32): i32 {
  const status = init();
  if (status != STATUS_OK) return status;
  if (n < 0 || n > <i32>header(H_MAX_BATCH)) return STATUS_BAD_BATCH;
  const fields = <i32>header(H_NUM_FIELDS);
  const base = modelBaseAddress();
  if (rowsAt != 0) {
    const slotCounts = base + <usize>header(H_SLOT_TABLE_OFFSET);
    badIndex = remapIds(idsAt, rowsAt, secondAt, n, fields, slotCounts, base + <usize>header(H_REMAP_TABLE_OFFSET));
  } else {
    // init() fitted maxBatch * S ids in memory, so n * S fits an i32.
    badIndex = firstBadId(idsAt, n * <i32>slotsPerRow, header(H_TOTAL_ROWS));
  }
  if (badIndex >= 0) return STATUS_BAD_ID;
  if (n == 0) return STATUS_OK;
  const rows = rowsAt != 0 ? rowsAt : idsAt;
  const dim = <i32>header(H_EMBEDDING_DIM);
  let x = actA;
  let y = actB;
  let xStride = <i32>roundUp4(<u32>(fields * dim));
  if (slotRowsAt != 0) gatherPooled(rows, n, fields, dim, x, xStride);
  else gather(rows, n, fields, dim, x, xStride);
  const layers = header(H_NUM_LAYERS);
  for (let i: u32 = 0; i < layers; i++) {
    const outPadded = <i32>layerField(i, L_OUT_PADDED);
    const inDim = <i32>layerField(i, L_IN_DIM);
    const weights = base + <usize>layerField(i, L_WEIGHTS_OFFSET);
    const bias = base + <usize>layerField(i, L_BIAS_OFFSET);
    const applyRelu = layerField(i, L_ACTIVATION) == ACT_RELU;
    if (xqAt != 0) {
      // int8 layers: quantise this layer's input rows, then integer dot products (dense-int8.ts).
      quantizeRowsF32x4(x, xStride, n, inDim, xqAt, xqStride, xScalesAt);
      denseInt8I16x8(xqAt, xqStride, xScalesAt, n, weights + (<usize>outPadded << 2), weights, bias, inDim, outPadded, y, outPadded, applyRelu);
    } else {
      denseF32x4(x, xStride, n, weights, bias, inDim, outPadded, y, outPadded, applyRelu);
    }
    const t = x;
    x = y;
    y = t;
    xStride = outPadded;
  }
  sigmoidColumn(x, xStride, n, outputAt);
  return STATUS_OK;
}
