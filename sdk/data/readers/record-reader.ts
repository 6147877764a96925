import { didYouMean } from "../../config/suggest";
import { DataError, UserError } from "../../errors";
import { statSync } from "node:fs";
import { isBlank, readLineChunks } from "./lines";
import { BadLines, type RawRecord, type ReaderOptions } from "./types";

/** The first file of a data set whose columns every other file must share. */
export interface ColumnsOf {
  file: string;
  names: readonly string[] | null;
  count: number;
}

/** A stream of records in chunks, with what progress needs: the bytes read of `bytesTotal`. */
export abstract class RecordStream {
  abstract readonly bad: BadLines;
  /** Column names once known (header, `columns`, or generated), else null. */
  abstract readonly names: string[] | null;
  /** Bytes consumed so far, for progress (0 where a format cannot tell). */
  abstract readonly bytesRead: number;
  /** Bytes of the whole input once reading has started (0 until then). */
  abstract readonly bytesTotal: number;

  constructor(
    /** The input as messages name it. */
    readonly file: string,
    readonly options: ReaderOptions,
  ) {}

  /** Records in chunks: cheaper to iterate than one await per record. */
  abstract chunks(): AsyncGenerator<RawRecord[]>;

  async *records(): AsyncGenerator<RawRecord> {
    for await (const chunk of this.chunks()) yield* chunk;
  }

  /** Every record, in memory (tests and small files). */
  async readAll(): Promise<RawRecord[]> {
    const all: RawRecord[] = [];
    for await (const chunk of this.chunks()) for (const r of chunk) all.push(r);
    return all;
  }
}

/**
 * The common half of every reader of one file: streams line chunks, skips blank lines, hands the first data
 * line to `start` (header handling, column resolution) and every line to `parse`, and applies `skipBadLines`.
 */
export abstract class RecordReader extends RecordStream {
  names: string[] | null = null;
  /** The number of columns once known (0 before the first line). */
  columnCount = 0;
  bytesRead = 0;
  bytesTotal = 0;
  /** Set when the file is one of a data set: its columns must be those of the set's first file. */
  sameColumnsAs: ColumnsOf | null = null;
  /** False for a file of a data set, where an empty part (Spark writes them) is no error. */
  emptyIsError = true;
  /** Columns a data set fills from this file's `key=value` folders: suggested for a misspelt column too. */
  partitionColumns: readonly string[] = [];

  constructor(
    file: string,
    options: ReaderOptions,
    /** Where skipped lines are collected (a data set's files share one). */
    readonly bad = new BadLines(options.skipBadLines === true),
  ) {
    super(file, options);
  }

  /** Called with the first non-blank line; returns true when that line is a header (not data). */
  protected abstract start(line: string, lineNo: number): boolean;
  /** Parses one data line; throws DataError for a bad one. */
  protected abstract parse(line: string, lineNo: number): RawRecord;

  /** Records the file's columns (`names` null for unnamed ones), refusing columns that differ from `sameColumnsAs`. */
  protected opened(names: string[] | null, count: number): void {
    this.names = names;
    this.columnCount = count;
    const first = this.sameColumnsAs;
    if (first === null) return;
    const differ = (why: string) => new UserError(`${this.file}: its columns differ from those of ${first.file}: ${why} (the files of a data set share one header)`);
    if (count !== first.count) throw differ(`${count} columns, not ${first.count}`);
    const at = names === null || first.names === null ? -1 : names.findIndex((n, i) => n !== first.names![i]);
    if (at >= 0) throw differ(`column ${at + 1} is '${names![at]}', not '${first.names![at]}'`);
  }

  async *chunks(): AsyncGenerator<RawRecord[]> {
    this.started = false;
    for await (const { first, lines, bytesRead } of readLineChunks(this.file, this.options.chunkSize)) {
      this.progress(bytesRead);
      const out: RawRecord[] = [];
      for (let i = 0; i < lines.length; i++) {
        const rec = this.readLine(lines[i]!, first + i);
        if (rec !== null) out.push(rec);
      }
      if (out.length > 0) yield out;
    }
    this.finished();
  }

  /** Whether the first non-blank line has been handed to `start` (reset by each read of the file). */
  protected started = false;

  protected progress(bytesRead: number): void {
    if (this.bytesTotal === 0) this.bytesTotal = statSync(this.file).size;
    this.bytesRead = bytesRead;
  }

  /** One line's record: null for a blank line, a header, or a bad line skipped (`skipBadLines`). */
  protected readLine(line: string, lineNo: number): RawRecord | null {
    if (isBlank(line)) return null;
    if (!this.started) {
      this.started = true;
      if (this.start(line, lineNo)) return null;
    }
    try {
      return this.parse(line, lineNo);
    } catch (e) {
      if (e instanceof DataError) this.bad.handle(e);
      else throw e;
      return null;
    }
  }

  /** After the last line: a file without a data line is an error unless it is a part of many. */
  protected finished(): void {
    if (!this.started && this.emptyIsError) throw new UserError(`data file is empty: ${this.file}`);
  }

  /** Index of column `col` (a name or a 0-based index string) among `count` columns named `names`. */
  protected resolveColumn(col: string, names: readonly string[] | null, count: number): number {
    const byName = names === null ? -1 : names.indexOf(col);
    if (byName >= 0) return byName;
    if (/^\d+$/.test(col) && Number(col) < count) return Number(col);
    const fromFolders = this.partitionColumns.length === 0 ? "" : `; from its folders: ${this.partitionColumns.join(", ")}`;
    const known = (names === null ? `${count} unnamed columns, use 0-based indices` : `columns: ${names.slice(0, 50).join(", ")}${names.length > 50 ? ", …" : ""}`) + fromFolders;
    throw new UserError(`${this.file}: unknown column '${col}'${didYouMean(col, [...(names ?? []), ...this.partitionColumns])} (${known})`);
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
