import { DataError } from "../errors";
import { EncodeError, type EncodedRows, type RowEncoder } from "../runtime/encode";
import type { SlotLayout } from "../runtime/slots";
import { DEFAULT_BLOCK_ROWS, DiskRowWriter, type DiskRows } from "./disk-rows";
import { BadLines, type RawRecord } from "./readers/types";

/** What every encoded dataset holds in memory: its size, slot layout, labels and per-row extras. */
export interface DatasetInfo {
  n: number;
  layout: SlotLayout;
  labels: Float32Array;
  /** 1-based source line of each row, when read from a file (for messages and joins). */
  lines?: Int32Array;
  /** Logged teacher logits, row-major [n, teacherScores.length], when the data carries them. */
  scores?: Float32Array;
}

/** Encoded rows in memory: row r, slot s is (`ids[r * S + s]`, `values[r * S + s]`) with S = layout.numSlots. */
export interface InMemoryRows {
  ids: Int32Array;
  values: Float32Array;
}

/**
 * Encoded rows in memory, as the feature map encodes them (sdk/runtime/encode.ts; S = numFields without
 * sequences).
 */
export interface EncodedDataset extends DatasetInfo, InMemoryRows {}

/**
 * Encoded rows in temporary files (`data.cache: "disk"`). Only ids and values, 8 bytes per slot per row, go to
 * disk; labels, lines and logged scores (4 bytes per row and column) stay in DatasetInfo, in memory.
 */
export interface DiskDataset extends DatasetInfo {
  store: DiskRows;
}

/** A dataset whose rows may live on disk: what training and batch prediction accept. */
export type RowDataset = EncodedDataset | DiskDataset;

/** Reads row ranges of rows in memory (as views) or on disk (into buffers reused by the next read). */
export class RowRangeReader {
  private readonly ids: Int32Array;
  private readonly values: Float32Array;

  /** `maxRows`: the longest range read (the size of the disk buffers). */
  constructor(
    private readonly source: InMemoryRows | { store: DiskRows },
    private readonly numSlots: number,
    maxRows: number,
  ) {
    const size = "store" in source ? maxRows * numSlots : 0;
    this.ids = new Int32Array(size);
    this.values = new Float32Array(size);
  }

  /** Rows [start, end): valid until the next read. */
  read(start: number, end: number): InMemoryRows {
    const S = this.numSlots;
    if (!("store" in this.source)) return { ids: this.source.ids.subarray(start * S, end * S), values: this.source.values.subarray(start * S, end * S) };
    this.source.store.read(start, end, this.ids, this.values);
    return { ids: this.ids.subarray(0, (end - start) * S), values: this.values.subarray(0, (end - start) * S) };
  }
}

/** How the cells after the features are read: logged teacher scores (logits, or probabilities made logits). */
export interface ScoreColumns {
  names: string[];
  kind: "logit" | "probability";
}

/** Probabilities are clipped to [EPS, 1 − EPS] before the logit, as logloss clips them. */
const PROBABILITY_EPS = 1e-7;

function scoreLogit(cell: string | undefined, kind: ScoreColumns["kind"]): number | string {
  const x = cell === undefined || cell.trim() === "" ? NaN : Number(cell);
  if (!Number.isFinite(x)) return `expected a finite teacher score, got ${JSON.stringify(cell ?? "")}`;
  if (kind === "logit") return x;
  if (x < 0 || x > 1) return `expected a probability in [0, 1], got ${cell}`;
  const p = Math.min(1 - PROBABILITY_EPS, Math.max(PROBABILITY_EPS, x));
  return Math.log(p / (1 - p));
}

/** Options of `encodeRecords`. */
export interface EncodeOptions {
  /** Count and skip rows that do not encode instead of throwing (collected in `bad`). */
  skipBadLines?: boolean;
  /** Where skipped rows are recorded (default: a new collector, lost). */
  bad?: BadLines;
  /** The cells after the features are these logged teacher scores. */
  scores?: ScoreColumns;
}

/**
 * Encodes records and keeps their labels, lines and logged scores in growing buffers (doubling); where the
 * encoded slots go is the subclass's: `slotsFor` names the buffers and row for the next record (a record
 * that does not encode is overwritten by the next).
 */
export abstract class RecordEncoder<D extends DatasetInfo> {
  n = 0;
  private capacity: number;
  private labels: Float32Array;
  private lines: Int32Array;
  private scores: Float32Array;
  private readonly scoreColumns: ScoreColumns | undefined;
  private readonly bad: BadLines;

  constructor(
    readonly encoder: RowEncoder,
    readonly file: string,
    options: EncodeOptions,
    capacity: number,
  ) {
    this.capacity = Math.max(1, capacity);
    this.labels = new Float32Array(this.capacity);
    this.lines = new Int32Array(this.capacity);
    this.scoreColumns = options.scores;
    this.scores = new Float32Array(this.capacity * this.scoreDim);
    this.bad = options.bad ?? new BadLines(options.skipBadLines === true);
  }

  private get scoreDim(): number {
    return this.scoreColumns?.names.length ?? 0;
  }

  private grow(): void {
    this.capacity *= 2;
    const labels = new Float32Array(this.capacity);
    labels.set(this.labels);
    const lines = new Int32Array(this.capacity);
    lines.set(this.lines);
    const scores = new Float32Array(this.capacity * this.scoreDim);
    scores.set(this.scores);
    this.labels = labels;
    this.lines = lines;
    this.scores = scores;
  }

  /** The buffers to encode row `this.n` into, and its row in them. */
  protected abstract slotsFor(): { out: EncodedRows; row: number };
  abstract finish(): D;

  /** Encodes and appends one record; a cell that does not encode becomes a DataError naming file and line. */
  add(record: RawRecord): void {
    if (this.n === this.capacity) this.grow();
    const { out, row } = this.slotsFor();
    try {
      this.encoder.encodeCells(record.cells, row, out);
    } catch (e) {
      if (!(e instanceof EncodeError)) throw e;
      this.bad.handle(new DataError(record.file ?? this.file, record.line, e.field, e.reason));
      return;
    }
    if (this.scoreColumns !== undefined) {
      const F = this.encoder.numFields;
      const S = this.scoreDim;
      for (let k = 0; k < S; k++) {
        const z = scoreLogit(record.cells[F + k], this.scoreColumns.kind);
        if (typeof z === "string") {
          this.bad.handle(new DataError(record.file ?? this.file, record.line, this.scoreColumns.names[k]!, z));
          return;
        }
        this.scores[this.n * S + k] = z;
      }
    }
    this.labels[this.n] = record.label;
    this.lines[this.n] = record.line;
    this.n++;
  }

  /**
   * The buffers and row to write the next record's slots into directly (the byte-level reader: see
   * sdk/data/byte-encode.ts); `commit` keeps it, anything else (another `next`, or `add`) overwrites it.
   */
  next(): { out: EncodedRows; row: number } {
    if (this.n === this.capacity) this.grow();
    return this.slotsFor();
  }

  /** Keeps the row written into `next()`'s buffers, with its label and line (never with logged scores). */
  commit(label: number, line: number): void {
    if (this.scoreColumns !== undefined) throw new Error("RecordEncoder.commit: rows with logged scores go through add()");
    this.labels[this.n] = label;
    this.lines[this.n] = line;
    this.n++;
  }

  /** Whether rows carry logged teacher scores (read from their cells by `add`). */
  get hasScores(): boolean {
    return this.scoreColumns !== undefined;
  }

  /** Labels, lines and scores trimmed to the rows (copies, so the spare capacity is freed). */
  protected info(): DatasetInfo {
    const n = this.n;
    return {
      n,
      layout: this.encoder.layout,
      labels: this.labels.slice(0, n),
      lines: this.lines.slice(0, n),
      ...(this.scoreColumns !== undefined ? { scores: this.scores.slice(0, n * this.scoreDim) } : {}),
    };
  }
}

/** Builds an in-memory dataset: the slots grow by doubling too. */
export class DatasetBuilder extends RecordEncoder<EncodedDataset> {
  private rows: EncodedRows;

  constructor(encoder: RowEncoder, file = "<data>", options: EncodeOptions = {}, capacity = 1024) {
    super(encoder, file, options, capacity);
    const rows = Math.max(1, capacity);
    this.rows = { ids: new Int32Array(rows * encoder.numSlots), values: new Float32Array(rows * encoder.numSlots), n: rows };
  }

  protected slotsFor(): { out: EncodedRows; row: number } {
    if (this.n === this.rows.n) {
      const { ids, values, n } = this.rows;
      this.rows = { ids: new Int32Array(ids.length * 2), values: new Float32Array(values.length * 2), n: n * 2 };
      this.rows.ids.set(ids);
      this.rows.values.set(values);
    }
    return { out: this.rows, row: this.n };
  }

  /** The dataset, trimmed to its rows (copies, so the builder's spare capacity is freed). */
  finish(): EncodedDataset {
    const S = this.encoder.numSlots;
    return { ...this.info(), ids: this.rows.ids.slice(0, this.n * S), values: this.rows.values.slice(0, this.n * S) };
  }
}

/**
 * Builds a dataset whose slots go to temporary files: encoded into one block buffer, written when it fills, so
 * the slots held in memory never exceed one block however long the input.
 */
export class DiskDatasetBuilder extends RecordEncoder<DiskDataset> {
  private readonly writer: DiskRowWriter;
  private readonly block: EncodedRows;

  constructor(encoder: RowEncoder, file = "<data>", options: EncodeOptions = {}, blockRows = DEFAULT_BLOCK_ROWS) {
    super(encoder, file, options, 4096);
    this.writer = new DiskRowWriter(encoder.numSlots, blockRows);
    this.block = { ids: new Int32Array(blockRows * encoder.numSlots), values: new Float32Array(blockRows * encoder.numSlots), n: blockRows };
  }

  /** Rows encoded but not yet written (at most a block). */
  get bufferedRows(): number {
    return this.n - this.writer.n;
  }

  protected slotsFor(): { out: EncodedRows; row: number } {
    if (this.bufferedRows === this.block.n) this.writer.append(this.block.ids, this.block.values, this.block.n);
    return { out: this.block, row: this.bufferedRows };
  }

  /** The dataset, its slots on disk (`store.dispose()` frees them early; the kernel frees them when the process ends). */
  finish(): DiskDataset {
    this.writer.append(this.block.ids, this.block.values, this.bufferedRows);
    return { ...this.info(), store: this.writer.finish() };
  }
}

/** Encodes in-memory records (cells in the encoder's feature order) into a dataset. */
export function encodeRecords(encoder: RowEncoder, records: Iterable<RawRecord>, file?: string, options?: EncodeOptions): EncodedDataset {
  const b = new DatasetBuilder(encoder, file, options);
  for (const r of records) b.add(r);
  return b.finish();
}

/** Encodes a stream of records or of record chunks (a reader's `records()` or `chunks()`). */
export async function encodeRecordStream(
  encoder: RowEncoder,
  records: AsyncIterable<RawRecord | RawRecord[]>,
  file?: string,
  options?: EncodeOptions,
): Promise<EncodedDataset> {
  const b = new DatasetBuilder(encoder, file, options);
  for await (const r of records) {
    if (Array.isArray(r)) for (const x of r) b.add(x);
    else b.add(r);
  }
  return b.finish();
}

/** The rows `index` of `ds`, in that order, as a new dataset. */
export function subsetDataset(ds: EncodedDataset, index: ArrayLike<number>): EncodedDataset {
  const F = ds.layout.numSlots;
  const n = index.length;
  const ids = new Int32Array(n * F);
  const values = new Float32Array(n * F);
  const labels = new Float32Array(n);
  const lines = ds.lines ? new Int32Array(n) : undefined;
  for (let k = 0; k < n; k++) {
    const r = index[k]!;
    if (!(r >= 0 && r < ds.n)) throw new RangeError(`subsetDataset: row ${r} is outside 0..${ds.n - 1}`);
    ids.set(ds.ids.subarray(r * F, r * F + F), k * F);
    values.set(ds.values.subarray(r * F, r * F + F), k * F);
    labels[k] = ds.labels[r]!;
    if (lines) lines[k] = ds.lines![r]!;
  }
  return lines ? { n, layout: ds.layout, ids, values, labels, lines } : { n, layout: ds.layout, ids, values, labels };
}
