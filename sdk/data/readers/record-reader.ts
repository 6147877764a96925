import { didYouMean } from "../../config/suggest";
import { DataError, UserError } from "../../errors";
import { isBlank, readLineChunks } from "./lines";
import { BadLines, type RawRecord, type ReaderOptions } from "./types";

/**
 * The common half of every reader: streams line chunks, skips blank lines, hands the first data line to
 * `start` (header handling, column resolution) and every line to `parse`, and applies `skipBadLines`.
 */
export abstract class RecordReader {
  readonly bad: BadLines;
  /** Column names of the file once known (header, `columns`, or generated), else null. */
  names: string[] | null = null;
  /** Bytes of the file consumed so far, for progress (0 where a format cannot tell). */
  bytesRead = 0;

  constructor(
    readonly file: string,
    readonly options: ReaderOptions,
  ) {
    this.bad = new BadLines(options.skipBadLines === true);
  }

  /** Called with the first non-blank line; returns true when that line is a header (not data). */
  protected abstract start(line: string, lineNo: number): boolean;
  /** Parses one data line; throws DataError for a bad one. */
  protected abstract parse(line: string, lineNo: number): RawRecord;

  /** Records in chunks: cheaper to iterate than one await per record. */
  async *chunks(): AsyncGenerator<RawRecord[]> {
    let started = false;
    for await (const { first, lines, bytesRead } of readLineChunks(this.file, this.options.chunkSize)) {
      this.bytesRead = bytesRead;
      const out: RawRecord[] = [];
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (isBlank(line)) continue;
        const lineNo = first + i;
        if (!started) {
          started = true;
          if (this.start(line, lineNo)) continue;
        }
        try {
          out.push(this.parse(line, lineNo));
        } catch (e) {
          if (e instanceof DataError) this.bad.handle(e);
          else throw e;
        }
      }
      if (out.length > 0) yield out;
    }
    if (!started) throw new UserError(`data file is empty: ${this.file}`);
  }

  async *records(): AsyncGenerator<RawRecord> {
    for await (const chunk of this.chunks()) yield* chunk;
  }

  /** Every record, in memory (tests and small files). */
  async readAll(): Promise<RawRecord[]> {
    const all: RawRecord[] = [];
    for await (const chunk of this.chunks()) for (const r of chunk) all.push(r);
    return all;
  }

  /** Index of column `col` (a name or a 0-based index string) among `count` columns named `names`. */
  protected resolveColumn(col: string, names: readonly string[] | null, count: number): number {
    const byName = names === null ? -1 : names.indexOf(col);
    if (byName >= 0) return byName;
    if (/^\d+$/.test(col) && Number(col) < count) return Number(col);
    const known = names === null ? `${count} unnamed columns, use 0-based indices` : `columns: ${names.slice(0, 50).join(", ")}${names.length > 50 ? ", …" : ""}`;
    throw new UserError(`${this.file}: unknown column '${col}'${names === null ? "" : didYouMean(col, names)} (${known})`);
  }

  /** Name of column `i` for messages. */
  protected columnName(i: number): string {
    return this.names?.[i] ?? String(i);
  }

  /** 0/1 label of a text cell: exact 0/1, one of the `positive` values, or `x >= labelThreshold` when a threshold is set. */
  protected parseLabel(cell: string | undefined, lineNo: number, field: string): number {
    const text = (cell ?? "").trim();
    if (text === "") throw new DataError(this.file, lineNo, field, "missing label");
    const positive = this.options.positive;
    if (positive !== undefined) return positive.includes(text) ? 1 : 0;
    const x = Number(text);
    if (!Number.isFinite(x)) {
      // A text label on a text file's first line is most likely its header.
      const hint = lineNo === 1 && this.options.format !== "parquet" ? "a header line? set data.header to true" : `text labels are mapped by data.positive, e.g. ${JSON.stringify([text])}`;
      throw new DataError(this.file, lineNo, field, `cannot parse label ${JSON.stringify(text)} (${hint})`);
    }
    const threshold = this.options.labelThreshold;
    if (threshold !== undefined) return x >= threshold ? 1 : 0;
    if (x !== 0 && x !== 1) throw new DataError(this.file, lineNo, field, `label must be 0 or 1, got ${text}`);
    return x;
  }
}
