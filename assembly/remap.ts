import { REMAP_CLAMP, REMAP_HASH, REMAP_RECORD_BYTES, RM_INPUT_OFFSET, RM_INPUT_SIZE, RM_OP, RM_PARAM, RM_ROW_OFFSET } from "./layout";

/**
 * Compact embeddings (blob v3): each field's ids, global rows of the feature map, become rows of the student's
 * own smaller table before the gather. Per field, local index l = id − inputOffset (0 ≤ l < inputSize):
 *   identity  row = l          clamp  row = min(l, param)          hash  row = fmix32(l) % param
 * and the table row is rowOffset + row. The same ops as sdk/runtime/embedding-remap.ts (remapLocal), which
 * the tests compare this module against.
 */

/** MurmurHash3's 32-bit finaliser (fmix32, Appleby, public domain); wrapping u32 arithmetic. */
// @ts-ignore: decorator
@inline export function fmix32(h: u32): u32 {
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

/** The row, within its field, of local index `local` under `op` (REMAP_*) and `param`. */
// @ts-ignore: decorator
@inline function rowOf(op: u32, param: u32, local: u32): u32 {
  if (op == REMAP_CLAMP) return min(local, param);
  if (op == REMAP_HASH) return fmix32(local) % param;
  return local;
}

/**
 * Maps the `n` rows of `ids` (i32 [n][S]; field f has `slotCounts[f]` slots, in field order) into `rows`
 * (i32 [n][S]) through the remap table (numFields records of REMAP_RECORD_BYTES). Returns the flat index of
 * the first id outside its field's range, or -1 when every id maps: a negative id, or one of another field,
 * reads as a local index ≥ inputSize (unsigned), so one compare covers both ends.
 */
export function remapIds(ids: usize, rows: usize, n: i32, numFields: i32, slotCounts: usize, table: usize): i32 {
  let i: i32 = 0;
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < numFields; f++) {
      const record = table + <usize>f * REMAP_RECORD_BYTES;
      const inputOffset = load<u32>(record + RM_INPUT_OFFSET);
      const inputSize = load<u32>(record + RM_INPUT_SIZE);
      const op = load<u32>(record + RM_OP);
      const param = load<u32>(record + RM_PARAM);
      const rowOffset = load<u32>(record + RM_ROW_OFFSET);
      const count = <i32>load<u32>(slotCounts + (<usize>f << 2));
      for (let s = 0; s < count; s++, i++) {
        const at = <usize>i << 2;
        const local = load<u32>(ids + at) - inputOffset;
        if (local >= inputSize) return i;
        store<u32>(rows + at, rowOffset + rowOf(op, param, local));
      }
    }
  }
  return -1;
}

/** One local index through one op: the kernels test module's probe of the edge cases against TypeScript. */
export function remapLocal(op: u32, param: u32, local: u32): u32 {
  return rowOf(op, param, local);
}
