import { denseInt8Row, quantizeDenseChannels, type Int8DenseLayer } from "./dense-int8";
import { isDenseQuantize, type DenseQuantize } from "./quantize";
import { studentSlots, validateStudentWeights, type StudentWeights } from "./student-weights";
import { hasSecondRows, remapSlotIds } from "../runtime/embedding-remap";
import { refusedIdMessage } from "../runtime/scorer";
import { fieldOfSlot, poolSlots, type SlotLayout } from "../runtime/slots";

export interface JsScorerOptions {
  /**
   * "int8": the dense layers as an int8 student.wasm computes them (dense-int8.ts: per-channel int8 weights, int16
   * inputs per row, exact integer sums), bit for bit up to the final sigmoid. Default "none": f32 weights, f64 sums.
   */
  quantizeDense?: DenseQuantize;
}

/**
 * The student's forward pass in plain JavaScript over the unpacked StudentWeights: the reference the
 * wasm scorer is tested against, and the "plain JS" peer of the scoring benchmark. Activations are kept
 * in Float32Arrays; sums run in JS numbers (f64), or in integers with `quantizeDense: "int8"`.
 */
export class JsScorer {
  readonly numFields: number;
  readonly layout: SlotLayout;
  private readonly inputWidth: number;
  private readonly widest: number;
  /** The int8 layers, with `quantizeDense: "int8"`. */
  private readonly int8Layers: Int8DenseLayer[] | null;

  constructor(
    readonly weights: StudentWeights,
    opts: JsScorerOptions = {},
  ) {
    validateStudentWeights(weights, "JsScorer");
    const dense = opts.quantizeDense ?? "none";
    if (!isDenseQuantize(dense)) throw new RangeError(`JsScorer: 'quantizeDense' must be "none" or "int8", got ${JSON.stringify(dense)}`);
    this.int8Layers = dense === "int8" ? weights.layers.map(quantizeDenseChannels) : null;
    this.numFields = weights.numFields;
    this.layout = studentSlots(weights);
    this.inputWidth = weights.numFields * weights.embeddingDim;
    this.widest = Math.max(this.inputWidth, ...weights.layers.map((l) => l.outDim));
  }

  /** Scores `n` rows of `ids`/`values` (`n * numSlots` each); returns n probabilities. */
  score(ids: Int32Array, values: Float32Array, n: number): Float32Array {
    const { embeddingDim: D, totalRows, embedding, layers } = this.weights;
    const { layout } = this;
    const S = layout.numSlots;
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`JsScorer.score: 'n' must be a non-negative integer, got ${n}`);
    if (ids.length < n * S || values.length < n * S)
      throw new RangeError(`JsScorer.score: 'ids' and 'values' need n * numSlots = ${n * S} entries, got ${ids.length} and ${values.length}`);
    const out = new Float32Array(n);
    let x = new Float32Array(this.widest);
    let y = new Float32Array(this.widest);
    const slotRows = new Float32Array(S * D);
    const codes = new Int32Array(this.widest);
    const { remap } = this.weights;
    const rows = remap === undefined ? ids : new Int32Array(n * S);
    const second = remap !== undefined && hasSecondRows(remap) ? new Int32Array(n * S) : undefined;
    if (remap !== undefined) {
      const bad = remapSlotIds(remap, layout.slotCounts, ids, n, rows, second);
      if (bad >= 0) {
        const field = fieldOfSlot(layout.slotCounts, bad % S);
        const { inputOffset: from, inputSize } = remap.fields[field]!;
        const where = { row: Math.floor(bad / S), slot: bad % S, field, pooled: layout.pooled };
        throw new RangeError(refusedIdMessage("JsScorer.score", { id: ids[bad]!, ...where, from, to: from + inputSize, perField: true }));
      }
    }
    for (let r = 0; r < n; r++) {
      for (let s = 0; s < S; s++) {
        const id = rows[r * S + s]!;
        if (!(id >= 0 && id < totalRows)) {
          const where = { row: r, slot: s, field: fieldOfSlot(layout.slotCounts, s), pooled: layout.pooled };
          throw new RangeError(refusedIdMessage("JsScorer.score", { id, ...where, from: 0, to: totalRows, perField: false }));
        }
        const v = values[r * S + s]!;
        const src = id * D;
        for (let d = 0; d < D; d++) slotRows[s * D + d] = embedding[src + d]! * v;
        // A qr field: the (row · value) times its quotient row, each product rounded to float32.
        const b = second === undefined ? -1 : second[r * S + s]!;
        if (b >= 0) for (let d = 0; d < D; d++) slotRows[s * D + d] = slotRows[s * D + d]! * embedding[b * D + d]!;
      }
      if (layout.pooled) poolSlots(slotRows, layout, 1, D, x);
      else x.set(slotRows);
      for (let i = 0; i < layers.length; i++) {
        const layer = layers[i]!;
        const { inDim, outDim, weights: w, bias } = layer;
        if (this.int8Layers !== null) {
          denseInt8Row(this.int8Layers[i]!, x, codes, y);
        } else {
          for (let j = 0; j < outDim; j++) y[j] = bias[j]!;
          // Row-major kernel: stream W row by row, one input scalar at a time.
          for (let k = 0; k < inDim; k++) {
            const xk = x[k]!;
            const row = k * outDim;
            for (let j = 0; j < outDim; j++) y[j] = y[j]! + xk * w[row + j]!;
          }
          if (layer.activation === "relu") for (let j = 0; j < outDim; j++) if (!(y[j]! > 0)) y[j] = 0;
        }
        const t = x;
        x = y;
        y = t;
      }
      out[r] = 1 / (1 + Math.exp(-x[0]!));
    }
    return out;
  }
}

/** One-shot convenience: `new JsScorer(weights).score(ids, values, n)`. */
export function scoreStudentJs(weights: StudentWeights, ids: Int32Array, values: Float32Array, n: number): Float32Array {
  return new JsScorer(weights).score(ids, values, n);
}
