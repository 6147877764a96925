import { relu, reluF32x4 } from "./activations";

/**
 * Dense layer y = act(x · W + b) over weights packed at export time as panels of 4 output columns:
 * f32 [outPadded / 4][inDim][4] (the layout of sdk/export/pack.ts, after tract's pre-packed panels).
 * The SIMD kernel broadcasts one input scalar and multiplies it into a whole panel row, so every weight
 * load feeds 4 rows and every input load feeds 2 panels: a 4-row × 8-column register block (8 f32x4
 * accumulators), then 1-row (× 4, × 2 or × 1 panel) and 1-panel blocks for the edges. Strides are in f32 elements; x is read
 * for k < inDim only, so its row padding need not be zero. Padded output columns come out as act(0).
 */

/** Bytes of one panel row: four f32. */
const PANEL_ROW_BYTES: usize = 16;

/** Stores four lanes, with relu applied when asked. */
// @ts-ignore: decorator
@inline function storeActivated(at: usize, v: v128, applyRelu: bool): void {
  v128.store(at, applyRelu ? reluF32x4(v) : v);
}

/** 4 rows × 2 panels: the main register block. */
function block4x2(
  x: usize, xStep: usize, w: usize, panelBytes: usize, bias: usize, inDim: i32,
  y: usize, yStep: usize, applyRelu: bool,
): void {
  const b0 = v128.load(bias);
  const b1 = v128.load(bias, PANEL_ROW_BYTES);
  let a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
  const x1 = x + xStep, x2 = x1 + xStep, x3 = x2 + xStep;
  let w0 = w;
  let w1 = w + panelBytes;
  const end = <usize>inDim << 2;
  for (let k: usize = 0; k < end; k += 4) {
    const p0 = v128.load(w0);
    const p1 = v128.load(w1);
    let s = v128.load32_splat(x + k);
    a00 = f32x4.add(a00, f32x4.mul(s, p0));
    a01 = f32x4.add(a01, f32x4.mul(s, p1));
    s = v128.load32_splat(x1 + k);
    a10 = f32x4.add(a10, f32x4.mul(s, p0));
    a11 = f32x4.add(a11, f32x4.mul(s, p1));
    s = v128.load32_splat(x2 + k);
    a20 = f32x4.add(a20, f32x4.mul(s, p0));
    a21 = f32x4.add(a21, f32x4.mul(s, p1));
    s = v128.load32_splat(x3 + k);
    a30 = f32x4.add(a30, f32x4.mul(s, p0));
    a31 = f32x4.add(a31, f32x4.mul(s, p1));
    w0 += PANEL_ROW_BYTES;
    w1 += PANEL_ROW_BYTES;
  }
  storeActivated(y, a00, applyRelu);
  storeActivated(y + PANEL_ROW_BYTES, a01, applyRelu);
  y += yStep;
  storeActivated(y, a10, applyRelu);
  storeActivated(y + PANEL_ROW_BYTES, a11, applyRelu);
  y += yStep;
  storeActivated(y, a20, applyRelu);
  storeActivated(y + PANEL_ROW_BYTES, a21, applyRelu);
  y += yStep;
  storeActivated(y, a30, applyRelu);
  storeActivated(y + PANEL_ROW_BYTES, a31, applyRelu);
}

/** 1 row × 2 panels: the rows left over after blocks of 4. */
function block1x2(
  x: usize, w: usize, panelBytes: usize, bias: usize, inDim: i32, y: usize, applyRelu: bool,
): void {
  let a0 = v128.load(bias);
  let a1 = v128.load(bias, PANEL_ROW_BYTES);
  let w0 = w;
  let w1 = w + panelBytes;
  const end = <usize>inDim << 2;
  for (let k: usize = 0; k < end; k += 4) {
    const s = v128.load32_splat(x + k);
    a0 = f32x4.add(a0, f32x4.mul(s, v128.load(w0)));
    a1 = f32x4.add(a1, f32x4.mul(s, v128.load(w1)));
    w0 += PANEL_ROW_BYTES;
    w1 += PANEL_ROW_BYTES;
  }
  storeActivated(y, a0, applyRelu);
  storeActivated(y + PANEL_ROW_BYTES, a1, applyRelu);
}

/**
 * 1 row × 4 panels: the rows left over after blocks of 4 (all of them at batch 1). Four accumulators
 * keep four independent add chains in flight, where 1 × 2 waits on the add latency of two; four weight
 * pointers fit the registers the engine leaves free (a 1 × 8 block measured slower: 18 against 36
 * GFLOP/s at n = 1, most likely spilling).
 */
function block1x4(x: usize, w: usize, panelBytes: usize, bias: usize, inDim: i32, y: usize, applyRelu: bool): void {
  let a0 = v128.load(bias), a1 = v128.load(bias, 16), a2 = v128.load(bias, 32), a3 = v128.load(bias, 48);
  let w0 = w;
  let w1 = w + panelBytes;
  let w2 = w1 + panelBytes;
  let w3 = w2 + panelBytes;
  const end = x + (<usize>inDim << 2);
  for (let xk = x; xk < end; xk += 4) {
    const s = v128.load32_splat(xk);
    a0 = f32x4.add(a0, f32x4.mul(s, v128.load(w0)));
    a1 = f32x4.add(a1, f32x4.mul(s, v128.load(w1)));
    a2 = f32x4.add(a2, f32x4.mul(s, v128.load(w2)));
    a3 = f32x4.add(a3, f32x4.mul(s, v128.load(w3)));
    w0 += PANEL_ROW_BYTES;
    w1 += PANEL_ROW_BYTES;
    w2 += PANEL_ROW_BYTES;
    w3 += PANEL_ROW_BYTES;
  }
  storeActivated(y, a0, applyRelu);
  storeActivated(y + 16, a1, applyRelu);
  storeActivated(y + 32, a2, applyRelu);
  storeActivated(y + 48, a3, applyRelu);
}

/** 4 rows × 1 panel: the last panel when the panel count is odd. */
function block4x1(
  x: usize, xStep: usize, w: usize, bias: usize, inDim: i32, y: usize, yStep: usize, applyRelu: bool,
): void {
  const b = v128.load(bias);
  let a0 = b, a1 = b, a2 = b, a3 = b;
  const x1 = x + xStep, x2 = x1 + xStep, x3 = x2 + xStep;
  let wp = w;
  const end = <usize>inDim << 2;
  for (let k: usize = 0; k < end; k += 4) {
    const p = v128.load(wp);
    a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(x + k), p));
    a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(x1 + k), p));
    a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(x2 + k), p));
    a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(x3 + k), p));
    wp += PANEL_ROW_BYTES;
  }
  storeActivated(y, a0, applyRelu);
  storeActivated(y + yStep, a1, applyRelu);
  storeActivated(y + yStep * 2, a2, applyRelu);
  storeActivated(y + yStep * 3, a3, applyRelu);
}

/** 1 row × 1 panel: the corner. */
function block1x1(x: usize, w: usize, bias: usize, inDim: i32, y: usize, applyRelu: bool): void {
  let a = v128.load(bias);
  let wp = w;
  const end = <usize>inDim << 2;
  for (let k: usize = 0; k < end; k += 4) {
    a = f32x4.add(a, f32x4.mul(v128.load32_splat(x + k), v128.load(wp)));
    wp += PANEL_ROW_BYTES;
  }
  storeActivated(y, a, applyRelu);
}

/**
 * SIMD dense layer over `n` rows. Blocks of 4 rows: panel pairs outermost, so a pair's weights
 * (inDim × 32 bytes) stay in L1 while every row block streams past them. Rows left over (n % 4, the
 * whole batch at n < 4): one row at a time across 4 panels, then pairs, then a last odd panel.
 * outPadded must be a multiple of 4.
 */
export function denseF32x4(
  x: usize, xStride: i32, n: i32, w: usize, bias: usize, inDim: i32, outPadded: i32,
  y: usize, yStride: i32, applyRelu: bool,
): void {
  const panels = outPadded >> 2;
  const panelBytes = <usize>inDim << 4;
  const xStep = <usize>xStride << 2;
  const yStep = <usize>yStride << 2;
  const rowBlocks = n & ~3;
  let p = 0;
  for (; p + 2 <= panels; p += 2) {
    const wp = w + <usize>p * panelBytes;
    const bp = bias + (<usize>p << 4);
    const yp = y + (<usize>p << 4);
    for (let r = 0; r < rowBlocks; r += 4) {
      block4x2(x + <usize>r * xStep, xStep, wp, panelBytes, bp, inDim, yp + <usize>r * yStep, yStep, applyRelu);
    }
  }
  if (p < panels) {
    const wp = w + <usize>p * panelBytes;
    const bp = bias + (<usize>p << 4);
    const yp = y + (<usize>p << 4);
    for (let r = 0; r < rowBlocks; r += 4) {
      block4x1(x + <usize>r * xStep, xStep, wp, bp, inDim, yp + <usize>r * yStep, yStep, applyRelu);
    }
  }
  for (let r = rowBlocks; r < n; r++) {
    const xr = x + <usize>r * xStep;
    const yr = y + <usize>r * yStep;
    let q = 0;
    for (; q + 4 <= panels; q += 4) block1x4(xr, w + <usize>q * panelBytes, panelBytes, bias + (<usize>q << 4), inDim, yr + (<usize>q << 4), applyRelu);
    for (; q + 2 <= panels; q += 2) block1x2(xr, w + <usize>q * panelBytes, panelBytes, bias + (<usize>q << 4), inDim, yr + (<usize>q << 4), applyRelu);
    if (q < panels) block1x1(xr, w + <usize>q * panelBytes, bias + (<usize>q << 4), inDim, yr + (<usize>q << 4), applyRelu);
  }
}

/** Scalar reference of `denseF32x4`: same arguments and packed layout, same result bit for bit. */
export function denseScalar(
  x: usize, xStride: i32, n: i32, w: usize, bias: usize, inDim: i32, outPadded: i32,
  y: usize, yStride: i32, applyRelu: bool,
): void {
  for (let r = 0; r < n; r++) {
    const xr = x + (<usize>(r * xStride) << 2);
    const yr = y + (<usize>(r * yStride) << 2);
    for (let j = 0; j < outPadded; j++) {
      // Column j lives in panel j / 4 at lane j % 4; a panel row is 4 floats.
      const wj = w + <usize>(j >> 2) * (<usize>inDim << 4) + (<usize>(j & 3) << 2);
      let acc = load<f32>(bias + (<usize>j << 2));
      for (let k = 0; k < inDim; k++) {
        acc += load<f32>(xr + (<usize>k << 2)) * load<f32>(wj + (<usize>k << 4));
      }
      store<f32>(yr + (<usize>j << 2), applyRelu ? relu(acc) : acc);
    }
  }
}
