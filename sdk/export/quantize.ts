import type { StudentWeights } from "./student-weights";

/**
 * Quantisation for export. The student's bytes are mostly its embedding table (~98% of them for a
 * Criteo-sized student, ANCHORS.md), so `quantize` names the table's storage; the dense layers stay f32
 * (a 624-256-128-1 MLP is 0.8 MB of the 6.4 MB f32 student at 100k rows × 16) unless `quantizeDense` says
 * otherwise.
 *
 * - `fp16`: IEEE binary16, round to nearest even; widened exactly in the gather (assembly/f16.ts).
 * - `int8`: symmetric per-row: scale = max|row| / 127 (f32), code = round(w / scale) in [-127, 127].
 *   The scorer computes f32(code) * f32(scale * value): the scale folds into the row's input value.
 * - `quantizeDense: "int8"`: every dense layer's weights int8 with one scale per output channel, inputs
 *   quantised to int16 per row while scoring, integer dot products (dense-int8.ts). Orthogonal to `quantize`.
 */
export type Quantize = "none" | "fp16" | "int8";

/** How the dense layers are stored and computed: f32 ("none") or int8 weights with int16 activations. */
export type DenseQuantize = "none" | "int8";

/** The dense options, least lossy first. */
export const DENSE_QUANTIZE_ORDER: readonly DenseQuantize[] = ["none", "int8"];

export function isDenseQuantize(v: unknown): v is DenseQuantize {
  return typeof v === "string" && (DENSE_QUANTIZE_ORDER as readonly string[]).includes(v);
}

/** The options from least to most lossy: the order a byte budget tries them in. */
export const QUANTIZE_ORDER: readonly Quantize[] = ["none", "fp16", "int8"];

/** Largest finite binary16. Values that would round beyond it are refused, never stored as infinity. */
export const F16_MAX = 65504;

/** Largest |code| of the int8 rows (symmetric: -128 is never used). */
export const INT8_MAX = 127;

export function isQuantize(v: unknown): v is Quantize {
  return typeof v === "string" && (QUANTIZE_ORDER as readonly string[]).includes(v);
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** binary32 → binary16 bits, round to nearest, ties to even (overflow → ±infinity, NaN → a quiet NaN). */
export function f32ToF16Bits(x: number): number {
  f32Scratch[0] = x;
  const bits = u32Scratch[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const e = exponent - 112; // the half's biased exponent: (exponent - 127) + 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // A half subnormal (or zero): m * 2^-24 with the implicit bit made explicit, 14 - e bits dropped.
    if (e < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - e;
    const kept = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    return sign | (rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept);
  }
  const kept = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa bumps the exponent, up to 0x7c00 (infinity) — which is correct rounding.
  return sign | (rest > 0x1000 || (rest === 0x1000 && (kept & 1) === 1) ? kept + 1 : kept);
}

/** binary16 bits → the number (exact). */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0x1f) return mantissa !== 0 ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Thrown when a table does not fit the asked-for type (a value beyond fp16's range). */
export class QuantizeRangeError extends RangeError {
  override name = "QuantizeRangeError";
}

/** The table in binary16; refuses a value whose rounding would overflow to infinity. */
export function quantizeF16(embedding: Float32Array): Uint16Array {
  const out = new Uint16Array(embedding.length);
  for (let i = 0; i < embedding.length; i++) {
    const h = f32ToF16Bits(embedding[i]!);
    if ((h & 0x7c00) === 0x7c00)
      throw new QuantizeRangeError(`quantizeF16: embedding value ${embedding[i]} at index ${i} is beyond the fp16 range (±${F16_MAX})`);
    out[i] = h;
  }
  return out;
}

export function dequantizeF16(halves: Uint16Array): Float32Array {
  return Float32Array.from(halves, f16BitsToF32);
}

export interface Int8Rows {
  /** f32 [rows]: max|row| / 127 (0 for an all-zero row). */
  scales: Float32Array;
  /** i8 [rows][dim]. */
  codes: Int8Array;
}

/** Symmetric per-row int8: scale = max|row| / 127, code = round half away from zero of w / scale. */
export function quantizeInt8Rows(embedding: Float32Array, rows: number, dim: number): Int8Rows {
  if (embedding.length !== rows * dim)
    throw new RangeError(`quantizeInt8Rows: 'embedding' has ${embedding.length} values, expected rows * dim = ${rows * dim}`);
  const scales = new Float32Array(rows);
  const codes = new Int8Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const at = r * dim;
    let max = 0;
    for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(embedding[at + d]!));
    const scale = Math.fround(max / INT8_MAX);
    scales[r] = scale;
    if (scale === 0) continue;
    for (let d = 0; d < dim; d++) {
      const q = Math.round(Math.abs(embedding[at + d]!) / scale);
      codes[at + d] = Math.sign(embedding[at + d]!) * Math.min(q, INT8_MAX);
    }
  }
  return { scales, codes };
}

/** codes * scale per row, in f32: the table an int8 model scores with (up to the scale·value fold). */
export function dequantizeInt8Rows(q: Int8Rows, rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) for (let d = 0; d < dim; d++) out[r * dim + d] = q.codes[r * dim + d]! * q.scales[r]!;
  return out;
}

/** The student with its embedding table replaced by what the `quantize` model actually stores. */
export function dequantizedStudent(weights: StudentWeights, quantize: Quantize): StudentWeights {
  if (quantize === "none") return weights;
  const embedding =
    quantize === "fp16"
      ? dequantizeF16(quantizeF16(weights.embedding))
      : dequantizeInt8Rows(quantizeInt8Rows(weights.embedding, weights.totalRows, weights.embeddingDim), weights.totalRows, weights.embeddingDim);
  return { ...weights, embedding };
}
