import { f16ToF32 } from "./f16";
import {
  EMBEDDING_F16, EMBEDDING_INT8_ROW_SCALE, REMAP_CLAMP, REMAP_HASH, REMAP_QR, REMAP_RECORD_BYTES, RM_INPUT_OFFSET, RM_INPUT_SIZE, RM_OP,
  RM_PARAM, RM_ROW_OFFSET,
} from "./layout";

/**
 * Compact embeddings (blob v3): each field's ids, global rows of the feature map, become rows of the student's
 * own smaller table before the gather. Per field, local index l = id − inputOffset (0 ≤ l < inputSize):
 *   identity  row = l          clamp  row = min(l, param)          hash  row = fmix32(l) % param
 *   qr        row = l % param, second row = param + l / param (Shi et al., KDD 2020: the field's vector is the
 *             element-wise product of the two; `multiplySecond*` applies it after the gather)
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
  if (op == REMAP_QR) return local % param;
  return local;
}

/**
 * Maps the `n` rows of `ids` (i32 [n][S]; field f has `slotCounts[f]` slots, in field order) into `rows`
 * (i32 [n][S]), and each id's second row (qr's quotient row, else -1) into `second` (i32 [n][S]), through the remap table (numFields records of REMAP_RECORD_BYTES). Returns the flat index of
 * the first id outside its field's range, or -1 when every id maps: a negative id, or one of another field,
 * reads as a local index ≥ inputSize (unsigned), so one compare covers both ends.
 */
export function remapIds(ids: usize, rows: usize, second: usize, n: i32, numFields: i32, slotCounts: usize, table: usize): i32 {
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
        store<i32>(second + at, op == REMAP_QR ? <i32>(rowOffset + param + local / param) : -1);
      }
    }
  }
  return -1;
}

/** Whether some field of the remap table (numFields records) has second rows (qr). */
export function hasSecondRows(numFields: i32, table: usize): bool {
  for (let f = 0; f < numFields; f++) if (load<u32>(table + <usize>f * REMAP_RECORD_BYTES + RM_OP) == REMAP_QR) return true;
  return false;
}

/**
 * Multiplies the gathered, scaled slot rows by their second rows: x[r][s*D + d] *= table[second[r*S + s]][d] for
 * every slot whose second row is ≥ 0, the table row widened from its dtype as the gathers widen it (f32 as is,
 * f16 exactly, int8 as f32(code) * scale). f32x4 over f32 tables, scalar tail for D % 4; f16 and int8 tables take
 * the loops of `multiplySecondScalar`. The same result bit for bit as the reference.
 */
export function multiplySecondF32x4(
  second: usize, n: i32, numSlots: i32, dim: i32, dtype: u32, embedding: usize, codes: usize, x: usize, xStride: i32,
): void {
  if (dtype == EMBEDDING_F16 || dtype == EMBEDDING_INT8_ROW_SCALE) {
    multiplySecondScalar(second, n, numSlots, dim, dtype, embedding, codes, x, xStride);
    return;
  }
  const rowBytes = <usize>dim << 2;
  const vecBytes = <usize>(dim & ~3) << 2;
  for (let r = 0; r < n; r++) {
    let dst = x + (<usize>(r * xStride) << 2);
    for (let s = 0; s < numSlots; s++, dst += rowBytes) {
      const b = load<i32>(second + (<usize>(r * numSlots + s) << 2));
      if (b < 0) continue;
      const src = embedding + <usize>b * rowBytes;
      let d: usize = 0;
      for (; d < vecBytes; d += 16) v128.store(dst + d, f32x4.mul(v128.load(dst + d), v128.load(src + d)));
      for (; d < rowBytes; d += 4) store<f32>(dst + d, load<f32>(dst + d) * load<f32>(src + d));
    }
  }
}

/** Scalar reference of `multiplySecondF32x4` for every dtype (`codes`: the int8 codes, after the per-row scales at `embedding`). */
export function multiplySecondScalar(
  second: usize, n: i32, numSlots: i32, dim: i32, dtype: u32, embedding: usize, codes: usize, x: usize, xStride: i32,
): void {
  for (let r = 0; r < n; r++) {
    for (let s = 0; s < numSlots; s++) {
      const b = load<i32>(second + (<usize>(r * numSlots + s) << 2));
      if (b < 0) continue;
      const dst = x + (<usize>(r * xStride + s * dim) << 2);
      for (let d = 0; d < dim; d++) {
        const at = <usize>b * <usize>dim + <usize>d;
        let w: f32;
        if (dtype == EMBEDDING_F16) w = f16ToF32(load<u16>(embedding + (at << 1)));
        else if (dtype == EMBEDDING_INT8_ROW_SCALE) w = <f32>load<i8>(codes + at) * load<f32>(embedding + (<usize>b << 2));
        else w = load<f32>(embedding + (at << 2));
        store<f32>(dst + (<usize>d << 2), load<f32>(dst + (<usize>d << 2)) * w);
      }
    }
  }
}

/** One local index through one op: the kernels test module's probe of the edge cases against TypeScript. */
export function remapLocal(op: u32, param: u32, local: u32): u32 {
  return rowOf(op, param, local);
}
