import { mulberry32 } from "../sdk/data/prng";
import { slotLayoutOf, type SlotLayout } from "../sdk/runtime/slots";

/**
 * Encoded rows of `fields` single-slot fields (field f drawing from its slice of `totalRows / fields` table rows)
 * rewritten with the last field as a mean-pooled sequence of 1..`slots` items from that slice, laid out as the
 * encoder lays out slots (padding: the slice's first row, value 0). The pooled cases of the benchmarks.
 */
export function withSequenceField(
  rows: { ids: Int32Array; values: Float32Array },
  n: number,
  fields: number,
  totalRows: number,
  slots: number,
  seed: number,
): { ids: Int32Array; values: Float32Array; layout: SlotLayout } {
  const rand = mulberry32(seed);
  const layout = slotLayoutOf([...new Array<number>(fields - 1).fill(1), slots]);
  const S = layout.numSlots;
  const perField = Math.floor(totalRows / fields);
  const base = (fields - 1) * perField;
  const ids = new Int32Array(n * S).fill(base);
  const values = new Float32Array(n * S);
  for (let r = 0; r < n; r++) {
    ids.set(rows.ids.subarray(r * fields, r * fields + fields - 1), r * S);
    values.set(rows.values.subarray(r * fields, r * fields + fields - 1), r * S);
    const k = 1 + (r % slots);
    for (let s = 0; s < k; s++) {
      // A skewed draw (most traffic on few values), as click logs are.
      const u = rand();
      ids[r * S + fields - 1 + s] = base + Math.min(perField - 1, Math.floor(perField * u * u * u));
      values[r * S + fields - 1 + s] = 1 / k;
    }
  }
  return { ids, values, layout };
}
