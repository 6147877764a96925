import { remapProblem, type EmbeddingRemap } from "../runtime/embedding-remap";
import { slotLayoutOf, unpooledLayout, type SlotLayout } from "../runtime/slots";

/**
 * The student as the exporter receives it: an embedding table and a stack of dense layers, batch norm
 * already folded in. Reference forward pass, per row r with F fields:
 *   x = concat_f embedding[ids[r*F + f]] * values[r*F + f]          (length F*D)
 *   x = act(x · W + b) for each layer;   ctr = sigmoid(x[0]) after the last (a single logit).
 */

export interface DenseLayerWeights {
  inDim: number;
  outDim: number;
  /** Row-major [inDim][outDim], exactly as tfjs stores a dense kernel. */
  weights: Float32Array;
  /** [outDim]. */
  bias: Float32Array;
  activation: "relu" | "linear";
}

export interface StudentWeights {
  /** F: fields per row (the feature map's features.length). */
  numFields: number;
  /** D. */
  embeddingDim: number;
  /** Embedding rows: the feature map's totalRows, or with `remap` the compact table's (`remap.totalRows`). */
  totalRows: number;
  /** [totalRows][D] row-major. */
  embedding: Float32Array;
  /** First inDim = F*D; the last has outDim = 1 (the logit) and a linear activation. */
  layers: DenseLayerWeights[];
  /**
   * Slots of each field when the feature map has sequences (sdk/runtime/slots.ts); absent: one slot per field.
   * Rows then carry S = sum(slotCounts) ids/values, and field f's input is the float32 sum, in slot order, of its
   * slots' scaled rows.
   */
  slotCounts?: number[];
  /**
   * A compact embedding (sdk/runtime/embedding-remap.ts): ids stay the feature map's (< remap.inputRows) and each
   * is mapped to its row of the student's own table before the lookup. Absent: the id is the row.
   */
  remap?: EmbeddingRemap;
}

/** StudentWeights' `slotCounts` for a slot layout: present only when some field pools several slots. */
export function slotCountsOf(layout: SlotLayout): Pick<StudentWeights, "slotCounts"> {
  return layout.pooled ? { slotCounts: [...layout.slotCounts] } : {};
}

/** The slot layout rows scored by `w` have (one slot per field unless `slotCounts` says otherwise). */
export function studentSlots(w: StudentWeights): SlotLayout {
  return w.slotCounts === undefined ? unpooledLayout(w.numFields) : slotLayoutOf(w.slotCounts);
}

/** Largest F*D or layer width accepted (the scorer module's MAX_WIDTH). */
export const MAX_LAYER_WIDTH = 1 << 20;

/** Student weights whose shapes or values are wrong; the message names the function and the path. */
export class StudentWeightsError extends Error {
  override name = "StudentWeightsError";
}

function positiveInt(fn: string, path: string, v: unknown, max = 2 ** 31 - 1): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max)
    throw new StudentWeightsError(`${fn}: '${path}' must be an integer in [1, ${max}], got ${String(v)}`);
  return v;
}

function floats(fn: string, path: string, v: unknown, length: number): Float32Array {
  if (!(v instanceof Float32Array)) throw new StudentWeightsError(`${fn}: '${path}' must be a Float32Array`);
  if (v.length !== length) throw new StudentWeightsError(`${fn}: '${path}' has ${v.length} values, expected ${length}`);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) throw new StudentWeightsError(`${fn}: '${path}[${i}]' is ${v[i]}, expected a finite number`);
  }
  return v;
}

/** Checks every shape, the layer chain and that all values are finite; returns the weights unchanged. */
export function validateStudentWeights(w: StudentWeights, fn = "validateStudentWeights"): StudentWeights {
  if (w === null || typeof w !== "object") throw new StudentWeightsError(`${fn}: 'weights' must be an object`);
  const f = positiveInt(fn, "weights.numFields", w.numFields);
  const d = positiveInt(fn, "weights.embeddingDim", w.embeddingDim);
  const rows = positiveInt(fn, "weights.totalRows", w.totalRows);
  if (f * d > MAX_LAYER_WIDTH) throw new StudentWeightsError(`${fn}: numFields * embeddingDim = ${f * d} exceeds ${MAX_LAYER_WIDTH}`);
  floats(fn, "weights.embedding", w.embedding, rows * d);
  if (w.slotCounts !== undefined) {
    if (!Array.isArray(w.slotCounts) || w.slotCounts.length !== f)
      throw new StudentWeightsError(`${fn}: 'weights.slotCounts' must be an array of numFields = ${f} slot counts`);
    w.slotCounts.forEach((c, i) => positiveInt(fn, `weights.slotCounts[${i}]`, c, MAX_LAYER_WIDTH));
  }
  if (w.remap !== undefined) {
    const problem = remapProblem(w.remap, f);
    if (problem !== null) throw new StudentWeightsError(`${fn}: 'weights.remap' ${problem}`);
    if (w.remap.totalRows !== rows) throw new StudentWeightsError(`${fn}: 'weights.remap' takes ${w.remap.totalRows} rows, the table has totalRows = ${rows}`);
  }
  if (!Array.isArray(w.layers) || w.layers.length === 0) throw new StudentWeightsError(`${fn}: 'weights.layers' must be a non-empty array`);
  let width = f * d;
  w.layers.forEach((layer, i) => {
    const at = `weights.layers[${i}]`;
    const inDim = positiveInt(fn, `${at}.inDim`, layer.inDim, MAX_LAYER_WIDTH);
    const outDim = positiveInt(fn, `${at}.outDim`, layer.outDim, MAX_LAYER_WIDTH);
    if (inDim !== width)
      throw new StudentWeightsError(`${fn}: '${at}.inDim' is ${inDim}, expected ${width} (${i === 0 ? "numFields * embeddingDim" : "the previous layer's outDim"})`);
    if (layer.activation !== "relu" && layer.activation !== "linear")
      throw new StudentWeightsError(`${fn}: '${at}.activation' must be "relu" or "linear", got ${JSON.stringify(layer.activation)}`);
    floats(fn, `${at}.weights`, layer.weights, inDim * outDim);
    floats(fn, `${at}.bias`, layer.bias, outDim);
    width = outDim;
  });
  const last = w.layers[w.layers.length - 1]!;
  if (last.outDim !== 1 || last.activation !== "linear")
    throw new StudentWeightsError(`${fn}: the last layer must have outDim 1 and a linear activation (the logit), got outDim ${last.outDim}, ${last.activation}`);
  return w;
}
