import { EncodeError, type EncodedRows, type RowEncoder } from "../runtime/encode";
import { hash32Bytes } from "../runtime/hash";
import type { FeatureSpec } from "../runtime/feature-map";
import { DelimitedReader, type ByteRowSink } from "./readers/delimited";
import type { FileSetReader } from "./readers/file-set";
import type { RawRecord } from "./readers/types";

/**
 * The byte-level encoding pass: CSV/TSV lines are split by delimiter bytes (DelimitedReader.encodeBytes) and
 * their cells encoded from the bytes straight into the dataset's typed arrays, with the ids and values the
 * shared RowEncoder gives the same cells as strings. Categorical cells are looked up by their bytes, hashed
 * cells hashed from them, integer cells parsed from them; no string is made for those. Where a cell is
 * anything else (a decimal, a sequence), that cell is made a string and encoded by the RowEncoder itself; a
 * line the byte path does not take (see encodeBytes: quotes, non-ASCII bytes, a bad line) goes through the
 * reader's string path whole, which also gives its errors (file, line, field).
 */

/**
 * An ASCII vocabulary keyed by bytes: open addressing over FNV-1a hashes, keys kept in one byte pool. A table
 * slot holds [hash, key start, key length, index] side by side, so a lookup touches one slot and, on a hash
 * match, the key's bytes.
 */
export class ByteVocabulary {
  private readonly mask: number;
  /** 4 numbers per slot; index 0: the slot is free. */
  private readonly table: Int32Array;
  private readonly pool: Uint8Array;

  /** `vocab[i]` gets index i + 1 (the RowEncoder's numbering; a repeated key keeps its last index, as a Map does). */
  constructor(vocab: readonly string[]) {
    const ascii = vocab.map((v, i) => [v, i + 1] as const).filter(([v]) => !/[^\x00-\x7f]/.test(v));
    let size = 8;
    while (size < ascii.length * 2) size *= 2;
    this.mask = size - 1;
    this.table = new Int32Array(size * 4);
    this.pool = Buffer.from(ascii.map(([v]) => v).join(""), "latin1");
    let at = 0;
    for (const [v, i] of ascii) {
      const hash = hash32Bytes(this.pool, at, at + v.length) | 0;
      const slot = this.find(this.pool, at, at + v.length, hash) * 4;
      if (this.table[slot + 3] === 0) {
        this.table[slot] = hash;
        this.table[slot + 1] = at;
        this.table[slot + 2] = v.length;
      }
      this.table[slot + 3] = i;
      at += v.length;
    }
  }

  /** The slot holding the key `bytes[s, e)` of hash `hash` (hash32Bytes), or the free slot where it would go. */
  private find(bytes: Uint8Array, s: number, e: number, hash: number): number {
    const { table, pool, mask } = this;
    const len = e - s;
    hash |= 0;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const t = slot * 4;
      if (table[t + 3] === 0) return slot;
      if (table[t] !== hash || table[t + 2] !== len) continue;
      const ks = table[t + 1]!;
      let k = 0;
      while (k < len && pool[ks + k] === bytes[s + k]) k++;
      if (k === len) return slot;
    }
  }

  /** The 1-based index of the key `bytes[s, e)` of hash `hash` (hash32Bytes), 0 when it is not in the vocabulary. */
  lookup(bytes: Uint8Array, s: number, e: number, hash: number): number {
    return this.table[this.find(bytes, s, e, hash) * 4 + 3]!;
  }
}

/** Longest digit run parsed from bytes: 15 digits are always below 2^53, so exact. */
const MAX_DIGITS = 15;

/** `[+-]?\d{1,15}` in `bytes[s, e)` as the number `Number()` gives it (`-0` included), else NaN. */
export function parseIntegerBytes(bytes: Uint8Array, s: number, e: number): number {
  let i = s;
  const sign = bytes[i];
  if (sign === 45 || sign === 43) i++;
  if (i === e || e - i > MAX_DIGITS) return NaN;
  let v = 0;
  for (; i < e; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return sign === 45 ? -v : v;
}

/** How a field's cell is encoded from bytes. */
const enum Kind {
  /** Vocabulary lookup by the bytes. */
  Categorical,
  /** FNV-1a of the bytes. */
  Hashed,
  /** log-square and quantile: an integer's id, remembered per number (the encoder's own key is a string). */
  Bucketed,
  /** A number, scaled by the encoder. */
  Numeric,
  /** Made a string, encoded by the encoder (sequences). */
  Text,
}

/** Small non-negative integers whose bucketed ids are kept in an array; others in a Map of at most ID_CACHE_LIMIT. */
const SMALL_INTS = 4096;
const ID_CACHE_LIMIT = 1 << 16;

/** One field's byte encoding: what its kind needs, and the id and value the encoder gives a missing cell. */
interface ByteField {
  kind: Kind;
  slot: number;
  base: number;
  /** Categorical: the out-of-vocabulary row; hashed: the buckets. */
  extra: number;
  vocab: ByteVocabulary | null;
  /** Bucketed: id + 1 of each small integer seen (0: not yet). */
  small: Int32Array;
  /** Bucketed: the id of each other integer seen. */
  ids: Map<number, number>;
  missingId: number;
  missingValue: number;
}

function kindOf(spec: FeatureSpec): Kind {
  switch (spec.type) {
    case "categorical":
      return Kind.Categorical;
    case "hashed":
      return Kind.Hashed;
    case "log-square":
    case "quantile":
      return Kind.Bucketed;
    case "numeric":
      return Kind.Numeric;
    case "sequence":
      return Kind.Text;
  }
}

/**
 * Where encoded rows go: a dataset builder (RecordEncoder), or a router that picks a builder per row
 * (prepareData's split). The byte path writes a row's slots into `next`'s buffers and keeps them by `commit`.
 */
export interface RowTarget {
  readonly encoder: RowEncoder;
  /** Whether rows carry logged teacher scores (then every row goes through `add`). */
  readonly hasScores: boolean;
  /** The buffers and row for the row at `line` of `file` (RawRecord.file); kept by `commit`, else overwritten. */
  next(line: number, file: string | undefined): { out: EncodedRows; row: number };
  commit(label: number, line: number): void;
  add(record: RawRecord): void;
}

/** Rows between two `onRows` calls of the byte path: progress and cancellation without a cost per row. */
const ROWS_PER_TICK = 8192;

/** A dataset builder fed by DelimitedReader.encodeBytes: cells arrive as byte ranges, in feature order. */
class ByteRowEncoder implements ByteRowSink {
  private readonly fields: ByteField[];
  private readonly encoder: RowEncoder;

  private rows = 0;

  constructor(
    private readonly builder: RowTarget,
    /** The file records name (RawRecord.file), for a part of a data set. */
    private readonly file: string | undefined,
    private readonly onRows: (rows: number) => void,
  ) {
    const encoder = (this.encoder = builder.encoder);
    // A missing cell's encoding, as the encoder writes it (one slot: sequences take the string path).
    const scratch: EncodedRows = { ids: new Int32Array(encoder.numSlots), values: new Float32Array(encoder.numSlots), n: 1 };
    this.fields = encoder.map.features.map((spec, f) => {
      encoder.encodeField(f, "", 0, scratch);
      const slot = encoder.slotOf(f);
      return {
        kind: kindOf(spec),
        slot,
        base: spec.offset,
        extra: spec.type === "hashed" ? spec.buckets : spec.type === "categorical" ? spec.vocab.length + 1 : 0,
        vocab: spec.type === "categorical" ? new ByteVocabulary(spec.vocab) : null,
        small: new Int32Array(spec.type === "log-square" || spec.type === "quantile" ? SMALL_INTS : 0),
        ids: new Map(),
        missingId: scratch.ids[slot]!,
        missingValue: scratch.values[slot]!,
      };
    });
  }

  /** The encoder's encoding of the cell made a string (for cells the byte path does not parse); false on an EncodeError. */
  private viaString(f: number, bytes: Buffer, s: number, e: number, out: EncodedRows, r: number): boolean {
    try {
      // The line is ASCII (encodeBytes' condition), so latin1 decoding is UTF-8 decoding.
      this.encoder.encodeField(f, bytes.toString("latin1", s, e), r, out);
      return true;
    } catch (err) {
      if (err instanceof EncodeError) return false;
      throw err;
    }
  }

  encodeBytes(bytes: Buffer, starts: Int32Array, ends: Int32Array, hashes: Int32Array, label: number, line: number): boolean {
    const { out, row } = this.builder.next(line, this.file);
    const { ids, values } = out;
    const at = row * this.encoder.numSlots;
    const fields = this.fields;
    for (let f = 0; f < fields.length; f++) {
      const field = fields[f]!;
      const s = starts[f]!;
      const e = ends[f]!;
      const p = at + field.slot;
      if (field.kind === Kind.Text) {
        if (!this.viaString(f, bytes, s, e, out, row)) return false;
        continue;
      }
      if (s === e) {
        ids[p] = field.missingId;
        values[p] = field.missingValue;
        continue;
      }
      switch (field.kind) {
        case Kind.Categorical:
          ids[p] = field.base + (field.vocab!.lookup(bytes, s, e, hashes[f]!) || field.extra);
          values[p] = 1;
          break;
        case Kind.Hashed:
          ids[p] = field.base + 1 + ((hashes[f]! >>> 0) % field.extra);
          values[p] = 1;
          break;
        case Kind.Bucketed: {
          const x = parseIntegerBytes(bytes, s, e);
          if (x !== x) {
            if (!this.viaString(f, bytes, s, e, out, row)) return false;
            break;
          }
          // -0 shares 0's entry: both encoders give them one id (log-square keys "0", bucketOf compares).
          const small = x >= 0 && x < SMALL_INTS;
          const id = small ? field.small[x]! - 1 : (field.ids.get(x) ?? -1);
          if (id >= 0) {
            ids[p] = id;
            values[p] = 1;
            break;
          }
          this.encoder.encodeField(f, x, row, out);
          if (small) field.small[x] = ids[p]! + 1;
          else if (field.ids.size < ID_CACHE_LIMIT) field.ids.set(x, ids[p]!);
          break;
        }
        case Kind.Numeric: {
          const x = parseIntegerBytes(bytes, s, e);
          if (x === x) this.encoder.encodeField(f, x, row, out);
          else if (!this.viaString(f, bytes, s, e, out, row)) return false;
          break;
        }
      }
    }
    this.builder.commit(label, line);
    if (++this.rows === ROWS_PER_TICK) this.tick();
    return true;
  }

  add(record: RawRecord): void {
    if (this.file !== undefined) record.file = this.file;
    this.builder.add(record);
    if (++this.rows === ROWS_PER_TICK) this.tick();
  }

  /** Reports the rows since the last report (call once more at the end of the part). */
  tick(): void {
    if (this.rows > 0) this.onRows(this.rows);
    this.rows = 0;
  }
}

/**
 * Encodes every row of the data set `reader` reads into `target`: CSV/TSV parts byte by byte (see above),
 * other parts, and every part when the rows carry logged scores or more cells than features, through their
 * records (the cells as read: the plan must be plain). `onRows` hears the rows done, every few thousand
 * (progress; it may throw to stop, e.g. on abort).
 */
export async function encodeDataSet(reader: FileSetReader, target: RowTarget, onRows: (rows: number) => void = () => {}): Promise<void> {
  const byRecords = target.hasScores || reader.options.select.length !== target.encoder.numFields;
  for await (const part of reader.parts()) {
    if (!byRecords && part.plain && part.reader instanceof DelimitedReader && part.reader.byteLevel) {
      const sink = new ByteRowEncoder(target, part.file, onRows);
      await part.reader.encodeBytes(sink);
      sink.tick();
    } else
      for await (const chunk of part.chunks()) {
        for (const rec of chunk) target.add(rec);
        onRows(chunk.length);
      }
  }
}
