import { relu, reluF32x4 } from "./activations";

/**
 * Int8 dense layers (blob dense dtype 1, layout.ts): y = act(f32(q(x) · C) · (sx · sw) + b), with integer dot
 * products. The exporter (sdk/export/dense-int8.ts) quantises and packs the weights; this file quantises the
 * activations, row by row, on every call.
 *
 * Weights, per output channel j (a column of the [inDim][outDim] kernel W), symmetric:
 *   sw[j] = max_k |W[k][j]| / 127 (f32),  C[k][j] = round half away from zero (W[k][j] / sw[j]) in [-127, 127].
 * Packed as panels of 4 channels × 2 inputs, so that one 8-byte load feeds one `i32x4.dot_i16x8_s`:
 *
 *   +0                      scales  f32 [outPadded]                       (sw; padded channels 0)
 *   +outPadded * 4          codes   i8  [outPadded / 4][inPairs][4][2]    inPairs = ceil(inDim / 2)
 *                           the 8 bytes of (panel p, pair q):
 *                           ┌───────────────┬───────────────┬───────────────┬───────────────┐
 *                           │ C[2q][4p]     │ C[2q][4p+1]   │ C[2q][4p+2]   │ C[2q][4p+3]   │
 *                           │ C[2q+1][4p]   │ C[2q+1][4p+1] │ C[2q+1][4p+2] │ C[2q+1][4p+3] │
 *                           └───────────────┴───────────────┴───────────────┴───────────────┘
 *                           in memory column by column: C[2q][4p], C[2q+1][4p], C[2q][4p+1], … (0 beyond
 *                           inDim and outDim);            bytes = outPadded * 4 + outPadded * 2 * inPairs
 *
 * Activations, per row of x, dynamically: m = max_k |x[k]|, sx = m / Q, q[k] = clamp(nearest(x[k] · (Q / m)), ±Q)
 * as i16 (ties to even; NaN, as 0 · ∞ of an all-zero row, gives 0), with Q = activationQmax(inDim): the largest
 * Q ≤ 32767 whose worst case inDim · Q · 127 fits an i32, so the integer sums can never wrap. The rows go to
 * i16 [n][xqStride] (xqStride even), padded with one 0 to an even count; sx to f32 [n].
 *
 * Kernel: `v128.load32_splat` puts the i16 pair (q[2k], q[2k+1]) in every 32-bit lane, `v128.load8x8_s` widens
 * a panel's pair to i16x8, and `i32x4.dot_i16x8_s` of the two adds 2 inputs × 4 channels into i32 lanes: the
 * f32 kernel's broadcast-one-input scheme (dense.ts), two inputs at a time. Integer sums are exact in any order,
 * so the SIMD blocks and the scalar reference agree bit for bit; the rescale f32(acc) · (sx · sw) + b is the
 * same three f32 operations in both.
 */

/** Largest |code| of a weight (symmetric int8: -128 is never used). */
export const WEIGHT_CODE_MAX: i32 = 127;
/** Largest |q| of an activation: the symmetric i16 range. */
export const ACTIVATION_CODE_MAX: i32 = 32767;
/** Largest i32, the bound every integer sum stays within. */
const I32_MAX: u32 = 0x7fffffff;
/** Bytes of one panel pair: 4 channels × 2 inputs of i8. */
const PAIR_BYTES: usize = 8;
/** Bytes of one f32x4 (a panel's scales, bias or outputs). */
const PANEL_F32_BYTES: usize = 16;

/** Q of a layer with `inDim` ≥ 1 inputs: min(32767, floor((2^31 - 1) / (127 · inDim))). */
// @ts-ignore: decorator
@inline export function activationQmax(inDim: i32): i32 {
  // inDim ≤ MAX_WIDTH = 2^20, so 127 · inDim < 2^27 and Q ≥ 16.
  const q = <i32>(I32_MAX / (<u32>inDim * <u32>WEIGHT_CODE_MAX));
  return q < ACTIVATION_CODE_MAX ? q : ACTIVATION_CODE_MAX;
}

/** The i16 code of one activation: nearest(v · inv), 0 for NaN, clamped to ±qmax (what the SIMD lanes compute). */
// @ts-ignore: decorator
@inline function activationCode(v: f32, inv: f32, qmax: i32): i32 {
  const t = nearest<f32>(v * inv);
  if (t != t) return 0;
  return <i32>max<f32>(min<f32>(t, <f32>qmax), <f32>-qmax);
}

/** Four i16 codes as i32 lanes: trunc_sat(nearest(v · inv)) (NaN → 0), clamped to [lo, hi]. */
// @ts-ignore: decorator
@inline function activationCodesI32x4(v: v128, inv: v128, lo: v128, hi: v128): v128 {
  return i32x4.max_s(i32x4.min_s(i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v, inv))), hi), lo);
}

/**
 * SIMD quantisation of rows 0..n-1 of x (f32, stride xStride; only k < inDim read) into xq (i16, stride xqStride,
 * even) and their scales sx into rowScales (f32 [n]): max|x| by f32x4, then 8 codes per i16x8.narrow_i32x4_s.
 */
export function quantizeRowsF32x4(x: usize, xStride: i32, n: i32, inDim: i32, xq: usize, xqStride: i32, rowScales: usize): void {
  const qmax = activationQmax(inDim);
  const qf = <f32>qmax;
  const by4 = <usize>(inDim & ~3) << 2;
  const by8 = inDim & ~7;
  const rowBytes = <usize>inDim << 2;
  const lo = i32x4.splat(-qmax);
  const hi = i32x4.splat(qmax);
  for (let r = 0; r < n; r++) {
    const xr = x + <usize>r * (<usize>xStride << 2);
    const qr = xq + <usize>r * (<usize>xqStride << 1);
    let mv = f32x4.splat(0);
    let b: usize = 0;
    for (; b < by4; b += 16) mv = f32x4.max(mv, f32x4.abs(v128.load(xr + b)));
    let m = max<f32>(max<f32>(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max<f32>(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; b < rowBytes; b += 4) m = max<f32>(m, abs<f32>(load<f32>(xr + b)));
    store<f32>(rowScales + (<usize>r << 2), m / qf);
    const inv = qf / m;
    const iv = f32x4.splat(inv);
    let k = 0;
    for (; k < by8; k += 8) {
      const src = xr + (<usize>k << 2);
      const a = activationCodesI32x4(v128.load(src), iv, lo, hi);
      const c = activationCodesI32x4(v128.load(src, 16), iv, lo, hi);
      v128.store(qr + (<usize>k << 1), i16x8.narrow_i32x4_s(a, c));
    }
    for (; k < inDim; k++) store<i16>(qr + (<usize>k << 1), <i16>activationCode(load<f32>(xr + (<usize>k << 2)), inv, qmax));
    if (inDim & 1) store<i16>(qr + (<usize>inDim << 1), 0);
  }
}

/** Scalar reference of `quantizeRowsF32x4`: same arguments, same codes and scales bit for bit. */
export function quantizeRowsScalar(x: usize, xStride: i32, n: i32, inDim: i32, xq: usize, xqStride: i32, rowScales: usize): void {
  const qmax = activationQmax(inDim);
  const qf = <f32>qmax;
  for (let r = 0; r < n; r++) {
    const xr = x + (<usize>(r * xStride) << 2);
    const qr = xq + (<usize>(r * xqStride) << 1);
    let m: f32 = 0;
    for (let k = 0; k < inDim; k++) m = max<f32>(m, abs<f32>(load<f32>(xr + (<usize>k << 2))));
    store<f32>(rowScales + (<usize>r << 2), m / qf);
    const inv = qf / m;
    for (let k = 0; k < inDim; k++) store<i16>(qr + (<usize>k << 1), <i16>activationCode(load<f32>(xr + (<usize>k << 2)), inv, qmax));
    if (inDim & 1) store<i16>(qr + (<usize>inDim << 1), 0);
  }
}

/** Stores act(f32(acc) · scale + bias) of four channels. */
// @ts-ignore: decorator
@inline function storeRescaled(at: usize, acc: v128, scale: v128, bias: v128, applyRelu: bool): void {
  const v = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(acc), scale), bias);
  v128.store(at, applyRelu ? reluF32x4(v) : v);
}

/** Adds one pair's products into an accumulator: 2 inputs × 4 channels. */
// @ts-ignore: decorator
@inline function dotPair(acc: v128, pair: v128, panel: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(pair, panel));
}

/** 4 rows × 2 panels: the main register block (8 i32x4 accumulators, 2 weight and 1 input vector live). */
function block4x2(
  xq: usize, xqStep: usize, sx: usize, w: usize, panelBytes: usize, ws: usize, bias: usize, pairs: i32,
  y: usize, yStep: usize, applyRelu: bool,
): void {
  const zero = i32x4.splat(0);
  let a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero, a30 = zero, a31 = zero;
  const x1 = xq + xqStep, x2 = x1 + xqStep, x3 = x2 + xqStep;
  let w0 = w;
  let w1 = w + panelBytes;
  const end = <usize>pairs << 2;
  for (let k: usize = 0; k < end; k += 4) {
    const p0 = v128.load8x8_s(w0);
    const p1 = v128.load8x8_s(w1);
    let s = v128.load32_splat(xq + k);
    a00 = dotPair(a00, s, p0);
    a01 = dotPair(a01, s, p1);
    s = v128.load32_splat(x1 + k);
    a10 = dotPair(a10, s, p0);
    a11 = dotPair(a11, s, p1);
    s = v128.load32_splat(x2 + k);
    a20 = dotPair(a20, s, p0);
    a21 = dotPair(a21, s, p1);
    s = v128.load32_splat(x3 + k);
    a30 = dotPair(a30, s, p0);
    a31 = dotPair(a31, s, p1);
    w0 += PAIR_BYTES;
    w1 += PAIR_BYTES;
  }
  const s0 = v128.load(ws);
  const s1 = v128.load(ws, PANEL_F32_BYTES);
  const b0 = v128.load(bias);
  const b1 = v128.load(bias, PANEL_F32_BYTES);
  let r = f32x4.splat(load<f32>(sx));
  storeRescaled(y, a00, f32x4.mul(r, s0), b0, applyRelu);
  storeRescaled(y + PANEL_F32_BYTES, a01, f32x4.mul(r, s1), b1, applyRelu);
  y += yStep;
  r = f32x4.splat(load<f32>(sx, 4));
  storeRescaled(y, a10, f32x4.mul(r, s0), b0, applyRelu);
  storeRescaled(y + PANEL_F32_BYTES, a11, f32x4.mul(r, s1), b1, applyRelu);
  y += yStep;
  r = f32x4.splat(load<f32>(sx, 8));
  storeRescaled(y, a20, f32x4.mul(r, s0), b0, applyRelu);
  storeRescaled(y + PANEL_F32_BYTES, a21, f32x4.mul(r, s1), b1, applyRelu);
  y += yStep;
  r = f32x4.splat(load<f32>(sx, 12));
  storeRescaled(y, a30, f32x4.mul(r, s0), b0, applyRelu);
  storeRescaled(y + PANEL_F32_BYTES, a31, f32x4.mul(r, s1), b1, applyRelu);
}

/** 4 rows × 1 panel: the last panel when the panel count is odd. */
function block4x1(
  xq: usize, xqStep: usize, sx: usize, w: usize, ws: usize, bias: usize, pairs: i32, y: usize, yStep: usize, applyRelu: bool,
): void {
  const zero = i32x4.splat(0);
  let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
  const x1 = xq + xqStep, x2 = x1 + xqStep, x3 = x2 + xqStep;
  let wp = w;
  const end = <usize>pairs << 2;
  for (let k: usize = 0; k < end; k += 4) {
    const p = v128.load8x8_s(wp);
    a0 = dotPair(a0, v128.load32_splat(xq + k), p);
    a1 = dotPair(a1, v128.load32_splat(x1 + k), p);
    a2 = dotPair(a2, v128.load32_splat(x2 + k), p);
    a3 = dotPair(a3, v128.load32_splat(x3 + k), p);
    wp += PAIR_BYTES;
  }
  const s = v128.load(ws);
  const b = v128.load(bias);
  storeRescaled(y, a0, f32x4.mul(f32x4.splat(load<f32>(sx)), s), b, applyRelu);
  storeRescaled(y + yStep, a1, f32x4.mul(f32x4.splat(load<f32>(sx, 4)), s), b, applyRelu);
  storeRescaled(y + yStep * 2, a2, f32x4.mul(f32x4.splat(load<f32>(sx, 8)), s), b, applyRelu);
  storeRescaled(y + yStep * 3, a3, f32x4.mul(f32x4.splat(load<f32>(sx, 12)), s), b, applyRelu);
}

/** 1 row × 4 panels: the rows left over after blocks of 4 (all of them at batch 1); four independent add chains. */
function block1x4(xq: usize, sx: usize, w: usize, panelBytes: usize, ws: usize, bias: usize, pairs: i32, y: usize, applyRelu: bool): void {
  const zero = i32x4.splat(0);
  let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
  let w0 = w;
  let w1 = w + panelBytes;
  let w2 = w1 + panelBytes;
  let w3 = w2 + panelBytes;
  const end = xq + (<usize>pairs << 2);
  for (let xk = xq; xk < end; xk += 4) {
    const s = v128.load32_splat(xk);
    a0 = dotPair(a0, s, v128.load8x8_s(w0));
    a1 = dotPair(a1, s, v128.load8x8_s(w1));
    a2 = dotPair(a2, s, v128.load8x8_s(w2));
    a3 = dotPair(a3, s, v128.load8x8_s(w3));
    w0 += PAIR_BYTES;
    w1 += PAIR_BYTES;
    w2 += PAIR_BYTES;
    w3 += PAIR_BYTES;
  }
  const r = f32x4.splat(load<f32>(sx));
  storeRescaled(y, a0, f32x4.mul(r, v128.load(ws)), v128.load(bias), applyRelu);
  storeRescaled(y + 16, a1, f32x4.mul(r, v128.load(ws, 16)), v128.load(bias, 16), applyRelu);
  storeRescaled(y + 32, a2, f32x4.mul(r, v128.load(ws, 32)), v128.load(bias, 32), applyRelu);
  storeRescaled(y + 48, a3, f32x4.mul(r, v128.load(ws, 48)), v128.load(bias, 48), applyRelu);
}

/** 1 row × 1 panel: the panels left over after blocks of 4 in a leftover row. */
function block1x1(xq: usize, sx: usize, w: usize, ws: usize, bias: usize, pairs: i32, y: usize, applyRelu: bool): void {
  let a = i32x4.splat(0);
  let wp = w;
  const end = <usize>pairs << 2;
  for (let k: usize = 0; k < end; k += 4) {
    a = dotPair(a, v128.load32_splat(xq + k), v128.load8x8_s(wp));
    wp += PAIR_BYTES;
  }
  storeRescaled(y, a, f32x4.mul(f32x4.splat(load<f32>(sx)), v128.load(ws)), v128.load(bias), applyRelu);
}

/**
 * SIMD int8 dense layer over `n` quantised rows (quantizeRowsF32x4): xq i16 [n][xqStride], their scales sx f32 [n],
 * codes and scales ws packed as drawn above, bias f32 [outPadded]. Blocks of 4 rows, panel pairs outermost (a
 * pair's codes, inPairs × 16 bytes, stay in L1 while the row blocks stream past); leftover rows one at a time
 * across 4 panels, then single panels. outPadded must be a multiple of 4. Padded channels come out as act(0).
 */
export function denseInt8I16x8(
  xq: usize, xqStride: i32, sx: usize, n: i32, w: usize, ws: usize, bias: usize, inDim: i32, outPadded: i32,
  y: usize, yStride: i32, applyRelu: bool,
): void {
  const panels = outPadded >> 2;
  const pairs = (inDim + 1) >> 1;
  const panelBytes = <usize>pairs * PAIR_BYTES;
  const xqStep = <usize>xqStride << 1;
  const yStep = <usize>yStride << 2;
  const rowBlocks = n & ~3;
  let p = 0;
  for (; p + 2 <= panels; p += 2) {
    const wp = w + <usize>p * panelBytes;
    const at = <usize>p << 4;
    for (let r = 0; r < rowBlocks; r += 4) {
      block4x2(xq + <usize>r * xqStep, xqStep, sx + (<usize>r << 2), wp, panelBytes, ws + at, bias + at, pairs, y + at + <usize>r * yStep, yStep, applyRelu);
    }
  }
  if (p < panels) {
    const wp = w + <usize>p * panelBytes;
    const at = <usize>p << 4;
    for (let r = 0; r < rowBlocks; r += 4) {
      block4x1(xq + <usize>r * xqStep, xqStep, sx + (<usize>r << 2), wp, ws + at, bias + at, pairs, y + at + <usize>r * yStep, yStep, applyRelu);
    }
  }
  for (let r = rowBlocks; r < n; r++) {
    const xr = xq + <usize>r * xqStep;
    const sr = sx + (<usize>r << 2);
    const yr = y + <usize>r * yStep;
    let q = 0;
    for (; q + 4 <= panels; q += 4) block1x4(xr, sr, w + <usize>q * panelBytes, panelBytes, ws + (<usize>q << 4), bias + (<usize>q << 4), pairs, yr + (<usize>q << 4), applyRelu);
    for (; q < panels; q++) block1x1(xr, sr, w + <usize>q * panelBytes, ws + (<usize>q << 4), bias + (<usize>q << 4), pairs, yr + (<usize>q << 4), applyRelu);
  }
}

/** Scalar reference of `denseInt8I16x8`: same arguments and packed layout, same result bit for bit. */
export function denseInt8Scalar(
  xq: usize, xqStride: i32, sx: usize, n: i32, w: usize, ws: usize, bias: usize, inDim: i32, outPadded: i32,
  y: usize, yStride: i32, applyRelu: bool,
): void {
  const panelBytes = <usize>((inDim + 1) >> 1) * PAIR_BYTES;
  for (let r = 0; r < n; r++) {
    const xr = xq + (<usize>(r * xqStride) << 1);
    const yr = y + (<usize>(r * yStride) << 2);
    const rowScale = load<f32>(sx + (<usize>r << 2));
    for (let j = 0; j < outPadded; j++) {
      // Channel j lives in panel j / 4, its two bytes of each pair at (j % 4) * 2.
      const wj = w + <usize>(j >> 2) * panelBytes + (<usize>(j & 3) << 1);
      let acc: i32 = 0;
      for (let k = 0; k < inDim; k++) {
        acc += <i32>load<i16>(xr + (<usize>k << 1)) * <i32>load<i8>(wj + <usize>(k >> 1) * PAIR_BYTES + <usize>(k & 1));
      }
      const v = <f32>acc * (rowScale * load<f32>(ws + (<usize>j << 2))) + load<f32>(bias + (<usize>j << 2));
      store<f32>(yr + (<usize>j << 2), applyRelu ? relu(v) : v);
    }
  }
}
