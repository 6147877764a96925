import { slotCount, type FeatureSpec } from "./feature-map";

/**
 * Slots: the columns of encoded rows. A single-valued feature takes one slot; a multi-valued (sequence) feature
 * takes `maxLength` slots, contiguous and in feature order. A model sees one embedding per *field*: the sum of
 * its slots' scaled rows (sum pooling; mean pooling is the same sum with values 1/k, set by the encoder).
 *
 * No Node or tfjs imports: the worker, browsers and the exporter share it.
 */

export interface SlotLayout {
  /** F: fields (features) a model sees. */
  readonly numFields: number;
  /** S ≥ F: columns of encoded rows (`ids[r * S + s]`). */
  readonly numSlots: number;
  /** Slots of each field, in field order (all ones when nothing is pooled). */
  readonly slotCounts: readonly number[];
  /** Whether any field has more than one slot (else slots and fields coincide and pooling is the identity). */
  readonly pooled: boolean;
}

/** The layout of `slotCounts` (one entry ≥ 1 per field). */
export function slotLayoutOf(slotCounts: readonly number[]): SlotLayout {
  for (const [f, c] of slotCounts.entries()) {
    if (!Number.isInteger(c) || c < 1) throw new RangeError(`slot layout: field ${f} has ${c} slots, expected an integer ≥ 1`);
  }
  const numSlots = slotCounts.reduce((a, b) => a + b, 0);
  return { numFields: slotCounts.length, numSlots, slotCounts: [...slotCounts], pooled: numSlots !== slotCounts.length };
}

/** The field whose slots include `slot` (0 ≤ slot < the sum of `slotCounts`), or -1 past the last. */
export function fieldOfSlot(slotCounts: readonly number[], slot: number): number {
  let end = 0;
  for (let f = 0; f < slotCounts.length; f++) {
    end += slotCounts[f]!;
    if (slot < end) return f;
  }
  return -1;
}

/** One slot per field: the layout of feature maps without sequences. */
export function unpooledLayout(numFields: number): SlotLayout {
  return slotLayoutOf(new Array<number>(numFields).fill(1));
}

/**
 * Sums each field's slot rows: `slotRows` is [n][S][dim], the result [n][F][dim]. Sums run in float32 in slot
 * order, the order every scorer follows, so that training and serving agree bit for bit.
 */
export function poolSlots(slotRows: Float32Array, layout: SlotLayout, n: number, dim: number, out = new Float32Array(n * layout.numFields * dim)): Float32Array {
  const { slotCounts, numSlots } = layout;
  for (let r = 0; r < n; r++) {
    let src = r * numSlots * dim;
    let dst = r * layout.numFields * dim;
    for (const count of slotCounts) {
      out.set(slotRows.subarray(src, src + dim), dst);
      src += dim;
      for (let s = 1; s < count; s++, src += dim) for (let k = 0; k < dim; k++) out[dst + k]! += slotRows[src + k]!;
      dst += dim;
    }
  }
  return out;
}

/** The gradient of `poolSlots`: each slot receives its field's gradient ([n][F][dim] → [n][S][dim]). */
export function spreadFieldGradient(fieldGrad: Float32Array, layout: SlotLayout, n: number, dim: number, out = new Float32Array(n * layout.numSlots * dim)): Float32Array {
  const { slotCounts, numSlots } = layout;
  for (let r = 0; r < n; r++) {
    let src = r * layout.numFields * dim;
    let dst = r * numSlots * dim;
    for (const count of slotCounts) {
      const row = fieldGrad.subarray(src, src + dim);
      for (let s = 0; s < count; s++, dst += dim) out.set(row, dst);
      src += dim;
    }
  }
  return out;
}

/** The slot layout of a feature map: one slot per feature, `maxLength` per sequence. */
export function featureMapSlots(map: { features: readonly FeatureSpec[] }): SlotLayout {
  return slotLayoutOf(map.features.map(slotCount));
}
