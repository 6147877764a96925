import { f16ToF32, f16x4ToF32x4 } from "./f16";

/**
 * Embedding lookup: x[r][f*D + d] = embedding[ids[r*F + f]][d] * values[r*F + f], the concatenated, scaled
 * field embeddings that feed the first dense layer. Ids must have been checked with `firstBadId` first.
 * One kernel per stored type (layout.ts EMBEDDING_*), each beside its scalar reference:
 *   f32   x = row[d] * value
 *   int8  x = f32(code[d]) * (scale[row] * value)     (the scale and the value fold into one multiplier)
 *   f16   x = f32(half[d]) * value                    (exact widening, see f16.ts)
 */

/** Index of the first id outside [0, totalRows) among `count` i32 ids, or -1 when all are in range. */
export function firstBadId(ids: usize, count: i32, totalRows: u32): i32 {
  for (let i = 0; i < count; i++) {
    // A negative id reads as a huge u32, so one unsigned compare covers both ends.
    if (load<u32>(ids + (<usize>i << 2)) >= totalRows) return i;
  }
  return -1;
}

/** SIMD gather: f32x4 over each embedding row, scalar tail for D % 4 lanes. Row stride of x: xStride f32. */
export function gatherF32x4(
  ids: usize, values: usize, n: i32, numFields: i32, dim: i32,
  embedding: usize, x: usize, xStride: i32,
): void {
  const rowBytes = <usize>dim << 2;
  const vecBytes = <usize>(dim & ~3) << 2;
  const xStep = <usize>xStride << 2;
  for (let r = 0; r < n; r++) {
    let dst = x;
    for (let f = 0; f < numFields; f++) {
      const src = embedding + <usize>load<u32>(ids) * rowBytes;
      const v = load<f32>(values);
      const vs = f32x4.splat(v);
      let d: usize = 0;
      for (; d < vecBytes; d += 16) v128.store(dst + d, f32x4.mul(v128.load(src + d), vs));
      for (; d < rowBytes; d += 4) store<f32>(dst + d, load<f32>(src + d) * v);
      ids += 4;
      values += 4;
      dst += rowBytes;
    }
    x += xStep;
  }
}

/** Scalar reference of `gatherF32x4`: same arguments, same result bit for bit. */
export function gatherScalar(
  ids: usize, values: usize, n: i32, numFields: i32, dim: i32,
  embedding: usize, x: usize, xStride: i32,
): void {
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < numFields; f++) {
      const at = <usize>(r * numFields + f) << 2;
      const src = embedding + <usize>load<u32>(ids + at) * (<usize>dim << 2);
      const v = load<f32>(values + at);
      const dst = x + (<usize>(r * xStride + f * dim) << 2);
      for (let d = 0; d < dim; d++) store<f32>(dst + (<usize>d << 2), load<f32>(src + (<usize>d << 2)) * v);
    }
  }
}

/**
 * SIMD gather over int8 rows with one f32 scale per row: 16 codes per v128 load (sign-extended to
 * i16x8, then i32x4, then converted), then groups of 4, then a scalar tail for D % 4.
 */
export function gatherI8F32x4(
  ids: usize, values: usize, n: i32, numFields: i32, dim: i32,
  scales: usize, codes: usize, x: usize, xStride: i32,
): void {
  const rowCodes = <usize>dim;
  const by16 = <usize>(dim & ~15);
  const by4 = <usize>(dim & ~3);
  const xStep = <usize>xStride << 2;
  for (let r = 0; r < n; r++) {
    let dst = x;
    for (let f = 0; f < numFields; f++) {
      const id = <usize>load<u32>(ids);
      const s = load<f32>(scales + (id << 2)) * load<f32>(values);
      const vs = f32x4.splat(s);
      const src = codes + id * rowCodes;
      let d: usize = 0;
      for (; d < by16; d += 16) {
        const c = v128.load(src + d);
        const lo = i16x8.extend_low_i8x16_s(c);
        const hi = i16x8.extend_high_i8x16_s(c);
        const out = dst + (d << 2);
        v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), vs));
        v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), vs), 16);
        v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), vs), 32);
        v128.store(out, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), vs), 48);
      }
      for (; d < by4; d += 4) {
        const c = i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load32_zero(src + d)));
        v128.store(dst + (d << 2), f32x4.mul(f32x4.convert_i32x4_s(c), vs));
      }
      for (; d < rowCodes; d++) store<f32>(dst + (d << 2), <f32>load<i8>(src + d) * s);
      ids += 4;
      values += 4;
      dst += rowCodes << 2;
    }
    x += xStep;
  }
}

/** Scalar reference of `gatherI8F32x4`: same arguments, same result bit for bit. */
export function gatherI8Scalar(
  ids: usize, values: usize, n: i32, numFields: i32, dim: i32,
  scales: usize, codes: usize, x: usize, xStride: i32,
): void {
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < numFields; f++) {
      const at = <usize>(r * numFields + f) << 2;
      const id = <usize>load<u32>(ids + at);
      const s = load<f32>(scales + (id << 2)) * load<f32>(values + at);
      const src = codes + id * <usize>dim;
      const dst = x + (<usize>(r * xStride + f * dim) << 2);
      for (let d = 0; d < dim; d++) store<f32>(dst + (<usize>d << 2), <f32>load<i8>(src + <usize>d) * s);
    }
  }
}

/** SIMD gather over binary16 rows: 8 halves per v128 load, then 4, then a scalar tail for D % 4. */
export function gatherF16F32x4(
  ids: usize, values: usize, n: i32, numFields: i32, dim: i32,
  embedding: usize, x: usize, xStride: i32,
): void {
  const rowBytes = <usize>dim << 1;
  const by8 = <usize>(dim & ~7) << 1;
  const by4 = <usize>(dim & ~3) << 1;
  const xStep = <usize>xStride << 2;
  for (let r = 0; r < n; r++) {
    let dst = x;
    for (let f = 0; f < numFields; f++) {
      const src = embedding + <usize>load<u32>(ids) * rowBytes;
      const v = load<f32>(values);
      const vs = f32x4.splat(v);
      let d: usize = 0;
      for (; d < by8; d += 16) {
        const h = v128.load(src + d);
        const out = dst + (d << 1);
        v128.store(out, f32x4.mul(f16x4ToF32x4(i32x4.extend_low_i16x8_u(h)), vs));
        v128.store(out, f32x4.mul(f16x4ToF32x4(i32x4.extend_high_i16x8_u(h)), vs), 16);
      }
      for (; d < by4; d += 8) {
        const h = i32x4.extend_low_i16x8_u(v128.load64_zero(src + d));
        v128.store(dst + (d << 1), f32x4.mul(f16x4ToF32x4(h), vs));
      }
      for (; d < rowBytes; d += 2) store<f32>(dst + (d << 1), f16ToF32(load<u16>(src + d)) * v);
      ids += 4;
      values += 4;
      dst += <usize>dim << 2;
    }
    x += xStep;
  }
}

/** Scalar reference of `gatherF16F32x4`: same arguments, same result bit for bit (NaN payloads aside). */
export function gatherF16Scalar(
  ids: usize, values: usize, n: i32, numFields: i32, dim: i32,
  embedding: usize, x: usize, xStride: i32,
): void {
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < numFields; f++) {
      const at = <usize>(r * numFields + f) << 2;
      const src = embedding + <usize>load<u32>(ids + at) * (<usize>dim << 1);
      const v = load<f32>(values + at);
      const dst = x + (<usize>(r * xStride + f * dim) << 2);
      for (let d = 0; d < dim; d++) store<f32>(dst + (<usize>d << 2), f16ToF32(load<u16>(src + (<usize>d << 1))) * v);
    }
  }
}
