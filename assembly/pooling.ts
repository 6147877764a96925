/**
 * Sum pooling of multi-valued fields: x[r][f*D + d] = Σ_s slots[r][(first(f) + s)*D + d] over field f's
 * slots, the scaled slot rows that the gather kernels wrote. Sums run in f32 in slot order starting from the
 * first slot's row (sdk/runtime/slots.ts poolSlots), so every scorer agrees bit for bit; f32x4.add is the
 * scalar add per lane, so the SIMD kernel and its reference do too.
 * `slotCounts` is u32 [numFields], each ≥ 1; a row of `slots` holds sum(slotCounts) * D floats.
 */

/** SIMD pooling: f32x4 over D, scalar tail for D % 4; one store per output element. */
export function poolSlotsF32x4(
  slots: usize, slotStride: i32, n: i32, numFields: i32, dim: i32,
  slotCounts: usize, x: usize, xStride: i32,
): void {
  const rowBytes = <usize>dim << 2;
  const vecBytes = <usize>(dim & ~3) << 2;
  for (let r = 0; r < n; r++) {
    let src = slots + (<usize>(r * slotStride) << 2);
    let dst = x + (<usize>(r * xStride) << 2);
    for (let f = 0; f < numFields; f++) {
      const count = <usize>load<u32>(slotCounts + (<usize>f << 2));
      const end = src + count * rowBytes;
      let d: usize = 0;
      for (; d < vecBytes; d += 16) {
        let acc = v128.load(src + d);
        for (let s = src + rowBytes; s < end; s += rowBytes) acc = f32x4.add(acc, v128.load(s + d));
        v128.store(dst + d, acc);
      }
      for (; d < rowBytes; d += 4) {
        let acc = load<f32>(src + d);
        for (let s = src + rowBytes; s < end; s += rowBytes) acc += load<f32>(s + d);
        store<f32>(dst + d, acc);
      }
      src = end;
      dst += rowBytes;
    }
  }
}

/** Scalar reference of `poolSlotsF32x4`: same arguments, same result bit for bit. */
export function poolSlotsScalar(
  slots: usize, slotStride: i32, n: i32, numFields: i32, dim: i32,
  slotCounts: usize, x: usize, xStride: i32,
): void {
  for (let r = 0; r < n; r++) {
    let slot = 0;
    for (let f = 0; f < numFields; f++) {
      const count = <i32>load<u32>(slotCounts + (<usize>f << 2));
      const dst = x + (<usize>(r * xStride + f * dim) << 2);
      for (let d = 0; d < dim; d++) {
        let acc = load<f32>(slots + (<usize>(r * slotStride + slot * dim + d) << 2));
        for (let s = 1; s < count; s++) acc += load<f32>(slots + (<usize>(r * slotStride + (slot + s) * dim + d) << 2));
        store<f32>(dst + (<usize>d << 2), acc);
      }
      slot += count;
    }
  }
}
