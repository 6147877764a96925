import { hash32 } from "./hash";
import type { FeatureMap, FeatureSpec, SequenceFeature } from "./feature-map";
import { featureMapSlots, type SlotLayout } from "./slots";

/**
 * Row encoding by a feature map: the single implementation used by the trainer, the CLI scorer, the worker
 * and the browser example, so that training and serving can never disagree.
 */

/** Where raw values come from: `text` (CSV/TSV cells, numbers parsed) or `json` (typed values, no parsing). */
export type RawSource = "text" | "json";

/** A value that cannot be encoded; `field` names the feature, `row` the 0-based row of the batch. */
export class EncodeError extends Error {
  override name = "EncodeError";
  constructor(
    readonly field: string,
    readonly row: number,
    readonly reason: string,
  ) {
    super(`field '${field}': ${reason}`);
  }
}

/** Encoded rows: `ids[r * numSlots + s]` and `values[r * numSlots + s]` (slots.ts; numSlots = numFields without sequences). */
export interface EncodedRows {
  ids: Int32Array;
  values: Float32Array;
  n: number;
}

type FieldEncoder = (raw: unknown, row: number, ids: Int32Array, values: Float32Array, at: number) => void;

function isMissing(raw: unknown): boolean {
  return raw === undefined || raw === null || raw === "";
}

/** Categorical keys: strings as they are, integers (JSON) in decimal; anything else is a type error. */
function categoricalKey(spec: FeatureSpec, raw: unknown, row: number, source: RawSource): string {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" && Number.isFinite(raw) && (source === "text" || Number.isInteger(raw))) return String(raw);
  throw new EncodeError(spec.name, row, `expected a string or an integer, got ${describe(raw)}`);
}

/** Numbers: JSON must send a finite number; text cells are parsed strictly (no NaN, no trailing junk). */
function numericValue(spec: FeatureSpec, raw: unknown, row: number, source: RawSource): number {
  let x: number;
  if (typeof raw === "number") x = raw;
  else if (typeof raw === "string" && source === "text") x = raw.trim() === "" ? NaN : Number(raw);
  else throw new EncodeError(spec.name, row, `expected a number, got ${describe(raw)}`);
  if (!Number.isFinite(x)) throw new EncodeError(spec.name, row, `expected a finite number, got ${describe(raw)}`);
  return x;
}

function describe(raw: unknown): string {
  if (raw === null) return "null";
  if (Array.isArray(raw)) return "an array";
  if (typeof raw === "string") return JSON.stringify(raw.length > 32 ? raw.slice(0, 32) + "…" : raw);
  if (typeof raw === "number") return String(raw);
  return `a ${typeof raw}`;
}

/** Criteo's transform of counts (FuxiCTR): `x > 2 ? floor(ln(x)^2) : x`, as a vocabulary key. */
export function logSquareKey(x: number): string {
  return String(x > 2 ? Math.floor(Math.log(x) ** 2) : x);
}

/** Index of the bucket of `x` among sorted `boundaries` (0..boundaries.length), by binary search. */
export function bucketOf(x: number, boundaries: readonly number[]): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x >= boundaries[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function vocabularyIndex(vocab: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  vocab.forEach((v, i) => index.set(v, i + 1));
  return index;
}

/** A sequence's items: JSON arrays as they are, strings split by the separator; empty items dropped. */
function sequenceItems(spec: SequenceFeature, raw: unknown, row: number, source: RawSource): unknown[] {
  if (typeof raw === "string") return raw.split(spec.separator).filter((item) => item !== "");
  if (Array.isArray(raw) && source === "json") return raw.filter((item) => !isMissing(item));
  throw new EncodeError(spec.name, row, `expected ${source === "json" ? "an array or " : ""}a string of items separated by ${JSON.stringify(spec.separator)}, got ${describe(raw)}`);
}

/** Writes the sequence's last `maxLength` items into its slots, then row 0 with value 0 into the rest. */
function sequenceEncoder(spec: SequenceFeature, source: RawSource): FieldEncoder {
  const index = vocabularyIndex(spec.vocab);
  const oov = spec.vocab.length + 1;
  const { buckets } = spec;
  const itemRow = (key: string): number => (buckets === undefined ? (index.get(key) ?? oov) : 1 + (hash32(key) % buckets));
  const base = spec.offset;
  const L = spec.maxLength;
  return (raw, row, ids, values, at) => {
    const all = isMissing(raw) ? [] : sequenceItems(spec, raw, row, source);
    // Every item is type-checked, also those before the last L that are dropped.
    const keys = all.map((item) => categoricalKey(spec, item, row, source));
    const items = keys.length > L ? keys.slice(keys.length - L) : keys;
    const k = items.length;
    const weight = spec.pooling === "mean" && k > 0 ? 1 / k : 1;
    for (let s = 0; s < L; s++) {
      ids[at + s] = base + (s < k ? itemRow(items[s]!) : 0);
      values[at + s] = s < k ? weight : s === 0 ? 1 : 0;
    }
  };
}

function fieldEncoder(spec: FeatureSpec, source: RawSource): FieldEncoder {
  const base = spec.offset;
  switch (spec.type) {
    case "categorical": {
      const index = vocabularyIndex(spec.vocab);
      const oov = spec.vocab.length + 1;
      return (raw, row, ids, values, at) => {
        ids[at] = base + (isMissing(raw) ? 0 : (index.get(categoricalKey(spec, raw, row, source)) ?? oov));
        values[at] = 1;
      };
    }
    case "hashed":
      return (raw, row, ids, values, at) => {
        ids[at] = base + (isMissing(raw) ? 0 : 1 + (hash32(categoricalKey(spec, raw, row, source)) % spec.buckets));
        values[at] = 1;
      };
    case "log-square": {
      const index = vocabularyIndex(spec.vocab);
      const oov = spec.vocab.length + 1;
      return (raw, row, ids, values, at) => {
        ids[at] = base + (isMissing(raw) ? 0 : (index.get(logSquareKey(numericValue(spec, raw, row, source))) ?? oov));
        values[at] = 1;
      };
    }
    case "quantile":
      return (raw, row, ids, values, at) => {
        ids[at] = base + (isMissing(raw) ? 0 : 1 + bucketOf(numericValue(spec, raw, row, source), spec.boundaries));
        values[at] = 1;
      };
    case "sequence":
      return sequenceEncoder(spec, source);
    case "numeric": {
      const { a, b, transform } = spec;
      // Inputs beyond the range seen in training are clipped to it (maps without a range: unclipped).
      const lo = spec.min ?? -Infinity;
      const hi = spec.max ?? Infinity;
      const transformed =
        transform === "standard" ? (x: number) => (x - a) / b
        : transform === "minmax" ? (x: number) => Math.min(1, Math.max(0, (x - a) / (b - a)))
        : (x: number) => x;
      const scale = (x: number) => transformed(Math.min(hi, Math.max(lo, x)));
      return (raw, row, ids, values, at) => {
        if (isMissing(raw)) {
          ids[at] = base + 1;
          values[at] = 1;
        } else {
          ids[at] = base;
          values[at] = scale(numericValue(spec, raw, row, source));
        }
      };
    }
  }
}

/** Encodes raw rows (objects keyed by feature name) with one feature map. Build once, reuse per batch. */
export class RowEncoder {
  readonly numFields: number;
  /** Columns of an encoded row (slots.ts). */
  readonly numSlots: number;
  readonly layout: SlotLayout;
  readonly names: readonly string[];
  /** The feature name of each slot (the names of slot-level messages). */
  readonly slotNames: readonly string[];
  private readonly encoders: FieldEncoder[];
  /** First slot of each field. */
  private readonly firstSlot: Int32Array;

  constructor(
    readonly map: FeatureMap,
    readonly source: RawSource,
  ) {
    this.names = map.features.map((f) => f.name);
    this.layout = featureMapSlots(map);
    this.numFields = this.layout.numFields;
    this.numSlots = this.layout.numSlots;
    this.encoders = map.features.map((f) => fieldEncoder(f, source));
    this.firstSlot = new Int32Array(this.numFields);
    this.layout.slotCounts.reduce((slot, count, f) => ((this.firstSlot[f] = slot), slot + count), 0);
    this.slotNames = this.layout.slotCounts.flatMap((count, f) => new Array<string>(count).fill(this.names[f]!));
  }

  /** Encodes row `row` given as cells in feature order into position `r` of `out`. */
  encodeCells(cells: readonly unknown[], r: number, out: EncodedRows, row = r): void {
    const at = r * this.numSlots;
    for (let f = 0; f < this.numFields; f++) this.encoders[f]!(cells[f], row, out.ids, out.values, at + this.firstSlot[f]!);
  }

  /** Encodes field `f` of row `row` given as `raw` into its slots of position `r` of `out` (one field of `encodeCells`). */
  encodeField(f: number, raw: unknown, r: number, out: EncodedRows, row = r): void {
    this.encoders[f]!(raw, row, out.ids, out.values, r * this.numSlots + this.firstSlot[f]!);
  }

  /** First slot of field `f` within a row. */
  slotOf(f: number): number {
    return this.firstSlot[f]!;
  }

  /** Encodes objects keyed by feature name; absent keys take the feature's missing encoding. */
  encodeObjects(rows: readonly Record<string, unknown>[]): EncodedRows {
    const n = rows.length;
    const out: EncodedRows = { ids: new Int32Array(n * this.numSlots), values: new Float32Array(n * this.numSlots), n };
    for (let r = 0; r < n; r++) {
      const obj = rows[r]!;
      const at = r * this.numSlots;
      for (let f = 0; f < this.numFields; f++) {
        const name = this.names[f]!;
        const raw = Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
        this.encoders[f]!(raw, r, out.ids, out.values, at + this.firstSlot[f]!);
      }
    }
    return out;
  }
}
