import { sha256HexOfParts } from "./sha256";

/**
 * The model id: sha256 (hex) of the packed model blob (sdk/export/pack.ts, assembly/layout.ts) with three
 * header fields zeroed: maxBatch (a serving choice) and the two id fields themselves. The exporter computes
 * it when packing; every loader recomputes it from the blob in the module's memory.
 */

/** Bytes of the blob's fixed header. */
export const BLOB_HEADER_BYTES = 256;
/** Byte offsets of the header fields the id leaves out (and of blobBytes, which says where the blob ends). */
export const BLOB_MAX_BATCH_AT = 24;
export const BLOB_BYTES_AT = 44;
export const BLOB_MODEL_ID_AT = 64;
export const BLOB_FEATURE_MAP_ID_AT = 128;
/** Length of each id: sha256 in lowercase hex (ASCII). */
export const ID_HEX_LENGTH = 64;

/** The model id of `blob` (the whole blob, e.g. a view of a module's memory; not modified). */
export function modelIdOf(blob: Uint8Array): string {
  if (blob.byteLength < BLOB_HEADER_BYTES) throw new RangeError(`modelIdOf: a blob has at least ${BLOB_HEADER_BYTES} bytes, got ${blob.byteLength}`);
  const header = blob.slice(0, BLOB_HEADER_BYTES);
  header.fill(0, BLOB_MAX_BATCH_AT, BLOB_MAX_BATCH_AT + 4);
  header.fill(0, BLOB_MODEL_ID_AT, BLOB_FEATURE_MAP_ID_AT + ID_HEX_LENGTH);
  return sha256HexOfParts([header, blob.subarray(BLOB_HEADER_BYTES)]);
}
