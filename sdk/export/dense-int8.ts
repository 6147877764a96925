import { INT8_MAX, quantizeInt8Rows } from "./quantize";
import type { DenseLayerWeights } from "./student-weights";

/**
 * Int8 dense layers (`quantizeDense: "int8"`): the export side and the plain-JS reference of the scorer's integer
 * arithmetic (assembly/dense-int8.ts draws the packed layout and the kernel). Per layer, per row of its input x:
 *
 *   weights, per output channel j, at export: sw[j] = max_k |W[k][j]| / 127, C[k][j] = round(W[k][j] / sw[j])
 *            (quantizeInt8Rows over the columns: symmetric, round half away from zero, codes in [-127, 127])
 *   input,   per row, at scoring: m = max_k |x[k]|, sx = m / Q, q[k] = clamp(nearest-even(x[k] · (Q / m)), ±Q)
 *            with Q = activationQmax(inDim) ≤ 32767 (i16), so that no i32 sum Σ q · C can wrap
 *   output   y[j] = act(f32(Σ_k q[k] · C[k][j]) · (sx · sw[j]) + b[j])        every step rounded to f32
 *
 * Activations are int16 rather than int8 because one scale covers a whole row: the first layer's row is every
 * field's embedding times its value (a numeric field can dwarf the others), later rows are relu outputs with long
 * tails; 15 bits keep the small entries that 7 bits would flush to 0, at no cost, since `i32x4.dot_i16x8_s`
 * takes i16 lanes anyway (int8 codes are widened on load).
 */

/** Largest |q| of an activation: the symmetric i16 range. */
export const ACTIVATION_CODE_MAX = 32767;

/** Largest i32: every integer sum of a layer stays within ±I32_MAX. */
const I32_MAX = 2 ** 31 - 1;

/** Q of a layer with `inDim` inputs: min(32767, floor((2^31 - 1) / (127 · inDim))), so |Σ q · C| ≤ inDim · Q · 127 < 2^31. */
export function activationQmax(inDim: number): number {
  return Math.min(ACTIVATION_CODE_MAX, Math.floor(I32_MAX / (INT8_MAX * inDim)));
}

/** A dense layer as the int8 scorer computes it. */
export interface Int8DenseLayer {
  inDim: number;
  outDim: number;
  /** f32 [outDim]: max|column| / 127 (0 for an all-zero column). */
  scales: Float32Array;
  /** i8 [inDim][outDim], row-major like the f32 kernel. */
  codes: Int8Array;
  bias: Float32Array;
  activation: DenseLayerWeights["activation"];
}

/** Symmetric per-output-channel int8 of a row-major [inDim][outDim] kernel: quantizeInt8Rows over its columns. */
export function quantizeDenseChannels(layer: DenseLayerWeights): Int8DenseLayer {
  const { inDim, outDim, weights } = layer;
  if (weights.length !== inDim * outDim)
    throw new RangeError(`quantizeDenseChannels: 'weights' has ${weights.length} values, expected inDim * outDim = ${inDim * outDim}`);
  const columns = new Float32Array(inDim * outDim);
  for (let k = 0; k < inDim; k++) for (let j = 0; j < outDim; j++) columns[j * inDim + k] = weights[k * outDim + j]!;
  const q = quantizeInt8Rows(columns, outDim, inDim);
  const codes = new Int8Array(inDim * outDim);
  for (let k = 0; k < inDim; k++) for (let j = 0; j < outDim; j++) codes[k * outDim + j] = q.codes[j * inDim + k]!;
  return { inDim, outDim, scales: q.scales, codes, bias: layer.bias, activation: layer.activation };
}

/** Bytes of an int8 layer's packed weights: scales f32 [outPadded], then codes i8 [outPadded][2 · ceil(inDim / 2)]. */
export function int8DenseWeightsBytes(inDim: number, outPadded: number): number {
  return outPadded * 4 + outPadded * 2 * Math.ceil(inDim / 2);
}

/**
 * The packed weights of an int8 layer (assembly/dense-int8.ts): scales f32 [outPadded] (0 beyond outDim), then codes
 * as panels [outPadded / 4][ceil(inDim / 2)][4][2]: panel p, pair q, channel c holds C[2q][4p + c], C[2q + 1][4p + c]
 * (0 beyond inDim and outDim). outPadded is outDim rounded up to a multiple of 4.
 */
export function packInt8Dense(layer: Int8DenseLayer, outPadded: number): Uint8Array {
  const { inDim, outDim, scales, codes } = layer;
  if (outPadded % 4 !== 0 || outPadded < outDim) throw new RangeError(`packInt8Dense: 'outPadded' must be a multiple of 4 of at least outDim = ${outDim}, got ${outPadded}`);
  const pairs = Math.ceil(inDim / 2);
  const bytes = new Uint8Array(int8DenseWeightsBytes(inDim, outPadded));
  new Float32Array(bytes.buffer, 0, outDim).set(scales);
  const packed = new Int8Array(bytes.buffer, outPadded * 4);
  for (let j = 0; j < outDim; j++) {
    const at = (j >> 2) * pairs * 8 + (j & 3) * 2;
    for (let k = 0; k < inDim; k++) packed[at + (k >> 1) * 8 + (k & 1)] = codes[k * outDim + j]!;
  }
  return bytes;
}

/** Rounds to the nearest integer, ties to even (f32.nearest). */
function nearestEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Quantises x[0 .. inDim) into `q` (codes in ±activationQmax(inDim)) and returns the row's scale sx, as
 * assembly/dense-int8.ts quantizeRowsF32x4 does: the same f32 operations, NaN codes (0 · ∞ of a zero row) as 0.
 */
export function quantizeActivationRow(x: Float32Array, inDim: number, q: Int32Array): number {
  const qmax = activationQmax(inDim);
  let m = 0;
  for (let k = 0; k < inDim; k++) m = Math.max(m, Math.abs(x[k]!));
  const inv = Math.fround(qmax / m);
  for (let k = 0; k < inDim; k++) {
    const t = nearestEven(Math.fround(x[k]! * inv));
    q[k] = Number.isNaN(t) ? 0 : Math.max(-qmax, Math.min(qmax, t));
  }
  return Math.fround(m / qmax);
}

/**
 * One int8 layer on one row, the reference of the scorer's kernel bit for bit: y[j] = act(f32(acc) · f32(sx · sw[j]) + b[j]).
 * `q` is scratch of at least inDim entries; y receives outDim values.
 */
export function denseInt8Row(layer: Int8DenseLayer, x: Float32Array, q: Int32Array, y: Float32Array): void {
  const { inDim, outDim, scales, codes, bias } = layer;
  const sx = quantizeActivationRow(x, inDim, q);
  const acc = new Int32Array(outDim);
  for (let k = 0; k < inDim; k++) {
    const qk = q[k]!;
    if (qk === 0) continue;
    const row = k * outDim;
    // |acc| ≤ inDim · Q · 127 < 2^31 (activationQmax): exact in int32.
    for (let j = 0; j < outDim; j++) acc[j] = acc[j]! + qk * codes[row + j]!;
  }
  for (let j = 0; j < outDim; j++) {
    const v = Math.fround(Math.fround(Math.fround(acc[j]!) * Math.fround(sx * scales[j]!)) + bias[j]!);
    y[j] = layer.activation === "relu" ? (v > 0 ? v : Number.isNaN(v) ? v : 0) : v;
  }
}
