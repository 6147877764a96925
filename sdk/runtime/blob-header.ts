import { BLOB_BYTES_AT, BLOB_FEATURE_MAP_ID_AT, BLOB_MAX_BATCH_AT, BLOB_MODEL_ID_AT } from "./model-id";

/**
 * Where the fields of the packed model blob lie (drawn in assembly/layout.ts): what the exporter writes
 * (sdk/export/pack.ts) and what the loader reads back (scorer.ts names a refused id's field and its range
 * from the slot and remap tables). All fields little-endian u32. No Node and no tfjs imports.
 */

/** Blob format version of students without pooled fields (no slot table; S = F). */
export const BLOB_VERSION = 1;
/** Blob format version of students with pooled fields: numSlots and the slot table. */
export const BLOB_VERSION_POOLED = 2;
/** Blob format version of students with a compact embedding: v2's slot table (always) and the remap table. */
export const BLOB_VERSION_REMAPPED = 3;
/** Bytes of one remap-table record (layout.ts REMAP_RECORD_BYTES). */
export const REMAP_RECORD_BYTES = 32;

/** Byte offsets of the header fields. */
export const HeaderField = {
  magic: 0,
  version: 4,
  numFields: 8,
  embeddingDim: 12,
  totalRows: 16,
  embeddingDtype: 20,
  maxBatch: BLOB_MAX_BATCH_AT,
  numLayers: 28,
  embeddingOffset: 32,
  embeddingBytes: 36,
  layerTableOffset: 40,
  blobBytes: BLOB_BYTES_AT,
  /** v2 and v3. */
  numSlots: 48,
  /** v2 and v3: u32 [F], each field's slots. */
  slotTableOffset: 52,
  /** v3 only. */
  remapTableOffset: 56,
  /** v3 only: the feature map's rows, the ids accepted. */
  inputRows: 60,
  modelId: BLOB_MODEL_ID_AT,
  featureMapId: BLOB_FEATURE_MAP_ID_AT,
  /** Any version (reserved 0 before, so f32 blobs keep their bytes): DenseDtype. */
  denseDtype: 192,
} as const;

/** Byte offsets of the fields of a remap-table record (v3). */
export const RemapField = { inputOffset: 0, inputSize: 4, op: 8, param: 12, rowOffset: 16, rows: 20 } as const;
