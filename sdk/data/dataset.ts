import { DataError } from "../errors";
import { EncodeError, type EncodedRows, type RowEncoder } from "../runtime/encode";
import type { SlotLayout } from "../runtime/slots";
import { BadLines, type RawRecord } from "./readers/types";

/**
 * Encoded rows in memory: row r, slot s is (`ids[r * S + s]`, `values[r * S + s]`) with S = layout.numSlots,
 * as the feature map encodes it (sdk/runtime/encode.ts; S = numFields without sequences).
 */
export interface EncodedDataset {
  n: number;
  layout: SlotLayout;
  ids: Int32Array;
  values: Float32Array;
  labels: Float32Array;
  /** 1-based source line of each row, when read from a file (for messages and joins). */
  lines?: Int32Array;
  /** Logged teacher logits, row-major [n, teacherScores.length], when the data carries them. */
  scores?: Float32Array;
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

/** Appends encoded records to growing typed buffers (doubling). */
export class DatasetBuilder {
  n = 0;
  private capacity: number;
  private ids: Int32Array;
  private values: Float32Array;
  private labels: Float32Array;
  private lines: Int32Array;
  private scores: Float32Array;
  private readonly scoreColumns: ScoreColumns | undefined;
  private readonly bad: BadLines;

  constructor(
    readonly encoder: RowEncoder,
    readonly file = "<data>",
    options: EncodeOptions = {},
    capacity = 1024,
  ) {
    this.capacity = Math.max(1, capacity);
    const F = encoder.numSlots;
    this.ids = new Int32Array(this.capacity * F);
    this.values = new Float32Array(this.capacity * F);
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
    const F = this.encoder.numSlots;
    this.capacity *= 2;
    const ids = new Int32Array(this.capacity * F);
    ids.set(this.ids);
    const values = new Float32Array(this.capacity * F);
    values.set(this.values);
    const labels = new Float32Array(this.capacity);
    labels.set(this.labels);
    const lines = new Int32Array(this.capacity);
    lines.set(this.lines);
    const scores = new Float32Array(this.capacity * this.scoreDim);
    scores.set(this.scores);
    this.scores = scores;
    this.ids = ids;
    this.values = values;
    this.labels = labels;
    this.lines = lines;
  }

  /** Encodes and appends one record; a cell that does not encode becomes a DataError naming file and line. */
  add(record: RawRecord): void {
    if (this.n === this.capacity) this.grow();
    const out: EncodedRows = { ids: this.ids, values: this.values, n: this.capacity };
    try {
      this.encoder.encodeCells(record.cells, this.n, out);
    } catch (e) {
      if (!(e instanceof EncodeError)) throw e;
      this.bad.handle(new DataError(this.file, record.line, e.field, e.reason));
      return;
    }
    if (this.scoreColumns !== undefined) {
      const F = this.encoder.numFields;
      const S = this.scoreDim;
      for (let k = 0; k < S; k++) {
        const z = scoreLogit(record.cells[F + k], this.scoreColumns.kind);
        if (typeof z === "string") {
          this.bad.handle(new DataError(this.file, record.line, this.scoreColumns.names[k]!, z));
          return;
        }
        this.scores[this.n * S + k] = z;
      }
    }
    this.labels[this.n] = record.label;
    this.lines[this.n] = record.line;
    this.n++;
  }

  /** The dataset, trimmed to its rows (copies, so the builder's spare capacity is freed). */
  finish(): EncodedDataset {
    const F = this.encoder.numSlots;
    const n = this.n;
    return {
      n,
      layout: this.encoder.layout,
      ids: this.ids.slice(0, n * F),
      values: this.values.slice(0, n * F),
      labels: this.labels.slice(0, n),
      lines: this.lines.slice(0, n),
      ...(this.scoreColumns !== undefined ? { scores: this.scores.slice(0, n * this.scoreDim) } : {}),
    };
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
