/**
 * Embedding lookup: x[r][f*D + d] = embedding[ids[r*F + f]][d] * values[r*F + f], the concatenated, scaled
 * field embeddings that feed the first dense layer. Ids must have been checked with `firstBadId` first.
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
