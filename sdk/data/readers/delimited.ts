import { DataError, UserError } from "../../errors";
import { FNV_OFFSET, FNV_PRIME } from "../../runtime/hash";
import { readByteChunks } from "./lines";
import { RecordReader } from "./record-reader";
import type { BadLines, RawRecord, ReaderOptions } from "./types";

/** Where `DelimitedReader.encodeBytes` sends a file's rows (sdk/data/byte-encode.ts: a dataset builder). */
export interface ByteRowSink {
  /**
   * Encodes one data line: its selected cells are `bytes[starts[k], ends[k])` in `select` order, all ASCII
   * without quotes; `hashes[k]` is the cell's `hash32Bytes` (computed while splitting, so cells are read once).
   * False when a cell needs the string path: the line is then read as a string and `add`ed.
   */
  encodeBytes(bytes: Buffer, starts: Int32Array, ends: Int32Array, hashes: Int32Array, label: number, line: number): boolean;
  add(record: RawRecord): void;
}

/** Bytes `String.prototype.trim` removes that a line of ASCII can hold (tab, line feed, vertical tab, form feed, return, space). */
function isAsciiSpace(b: number): boolean {
  return b === 32 || (b >= 9 && b <= 13);
}

/** Whether `bytes[s, e)` is a blank line (`isBlank`) made of ASCII. */
function isAsciiBlank(bytes: Buffer, s: number, e: number): boolean {
  while (s < e && isAsciiSpace(bytes[s]!)) s++;
  return s === e;
}

/** The index of the "\n" ending the line at `s`, or the end of `bytes`. */
function lineEnd(bytes: Buffer, s: number): number {
  const end = bytes.indexOf(10, s);
  return end < 0 ? bytes.length : end;
}

/**
 * Splits lines of bytes into cells in one pass: each cell's range and FNV-1a hash (`hash32Bytes`). A line
 * takes the byte path (`ok`) when it is ASCII, has no quote (CSV) and has the expected number of cells.
 */
class ByteCells {
  ok = false;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  private readonly hashes: Int32Array;
  /** The selected columns' starts, ends and hashes, in `select` order (by `select()`). */
  readonly selStarts: Int32Array;
  readonly selEnds: Int32Array;
  readonly selHashes: Int32Array;
  /** The quote byte for CSV, -1 (no byte) for TSV. */
  private readonly quote: number;

  constructor(
    private readonly delim: number,
    quoted: boolean,
    private readonly expected: number,
    private readonly selected: readonly number[],
  ) {
    this.quote = quoted ? 34 : -1;
    this.starts = new Int32Array(expected);
    this.ends = new Int32Array(expected);
    this.hashes = new Int32Array(expected);
    this.selStarts = new Int32Array(selected.length);
    this.selEnds = new Int32Array(selected.length);
    this.selHashes = new Int32Array(selected.length);
  }

  /** Splits the line at `s` (its "\r" before "\n" dropped, as readLineChunks drops it); returns where it ends. */
  scan(bytes: Buffer, s: number): number {
    const { delim, quote, expected, starts, ends, hashes } = this;
    const len = bytes.length;
    let n = 0;
    let cell = s;
    let high = 0;
    let h = FNV_OFFSET;
    let i = s;
    let contentEnd = -1;
    for (; i < len; i++) {
      const b = bytes[i]!;
      if (b === 10) break;
      if (b === delim) {
        if (n === expected - 1) return this.refuse(bytes, i); // too many cells
        starts[n] = cell;
        ends[n] = i;
        hashes[n++] = h;
        cell = i + 1;
        h = FNV_OFFSET;
      } else if (b === quote) return this.refuse(bytes, i);
      else if (b === 13 && (i + 1 === len || bytes[i + 1] === 10)) {
        contentEnd = i++;
        break;
      } else {
        high |= b;
        h = Math.imul(h ^ b, FNV_PRIME);
      }
    }
    starts[n] = cell;
    ends[n] = contentEnd < 0 ? i : contentEnd;
    hashes[n] = h;
    this.ok = (high & 0x80) === 0 && n === expected - 1;
    return i;
  }

  private refuse(bytes: Buffer, i: number): number {
    this.ok = false;
    return lineEnd(bytes, i);
  }

  /** Fills selStarts, selEnds and selHashes from the line just scanned. */
  select(): void {
    const selected = this.selected;
    for (let k = 0; k < selected.length; k++) {
      const c = selected[k]!;
      this.selStarts[k] = this.starts[c]!;
      this.selEnds[k] = this.ends[c]!;
      this.selHashes[k] = this.hashes[c]!;
    }
  }
}

/**
 * Splits one CSV line (RFC 4180 quoting within the line: `"a,b"`, `""` for a quote). A quoted field that runs
 * past the end of the line throws: quoted line breaks are not supported. `fail(i, reason)` builds the error
 * for field `i`.
 */
export function splitQuoted(line: string, delim: string, fail: (field: number, reason: string) => Error): string[] {
  const cells: string[] = [];
  const len = line.length;
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let buf = "";
      let j = i + 1;
      for (;;) {
        const k = line.indexOf('"', j);
        if (k < 0) throw fail(cells.length, "unterminated quoted field (quoted line breaks are not supported)");
        buf += line.slice(j, k);
        if (line[k + 1] === '"') {
          buf += '"';
          j = k + 2;
        } else {
          i = k + 1;
          break;
        }
      }
      cells.push(buf);
      if (i === len) return cells;
      if (!line.startsWith(delim, i)) throw fail(cells.length - 1, `unexpected character after a closing quote at column ${i + 1}`);
      i += delim.length;
    } else {
      const k = line.indexOf(delim, i);
      if (k < 0) {
        cells.push(line.slice(i));
        return cells;
      }
      cells.push(line.slice(i, k));
      i = k + delim.length;
    }
    if (i === len) {
      cells.push("");
      return cells;
    }
  }
}

/** CSV / TSV: a delimiter, an optional header line, CSV quoting (TSV cells are taken literally). */
export class DelimitedReader extends RecordReader {
  private readonly delim: string;
  private readonly quoted: boolean;
  private expected = 0;
  /** -1 with `label: null`. */
  private labelIndex = 0;
  private selected: number[] = [];

  constructor(file: string, options: ReaderOptions, bad?: BadLines) {
    super(file, options, bad);
    this.quoted = options.format === "csv";
    this.delim = options.delimiter !== undefined && options.delimiter !== "" ? options.delimiter : this.quoted ? "," : "\t";
    if (options.header === "auto" && options.columns === undefined)
      throw new UserError(`${file}: header "auto" needs 'columns' (the header line to recognise)`);
  }

  private split(line: string, lineNo: number): string[] {
    if (!this.quoted || !line.includes('"')) return line.split(this.delim);
    return splitQuoted(line, this.delim, (f, reason) => new DataError(this.file, lineNo, this.columnName(f), reason));
  }

  /** Whether `encodeBytes` can split this file's lines: a one-byte ASCII delimiter other than a quote or a line break. */
  get byteLevel(): boolean {
    const d = this.delim.charCodeAt(0);
    return this.delim.length === 1 && d < 0x80 && d !== 34 && d !== 10 && d !== 13;
  }

  /**
   * Reads the file as bytes (needs `byteLevel`): a data line of ASCII bytes, without quotes (CSV), with the
   * expected number of cells and a label cell "0" or "1" (without data.positive or data.labelThreshold) is
   * split here and handed to `sink.encodeBytes`; any other line (the first, blank ones, bad ones, and those the
   * sink refuses) is decoded and read as `chunks()` reads it, its record `add`ed, its error handled likewise.
   */
  async encodeBytes(sink: ByteRowSink): Promise<void> {
    this.started = false;
    const plainLabels = this.options.positive === undefined && this.options.labelThreshold === undefined;
    let cells: ByteCells | null = null;
    for await (const { first, bytes, bytesRead } of readByteChunks(this.file, this.options.chunkSize)) {
      this.progress(bytesRead);
      let lineNo = first;
      for (let s = 0; s < bytes.length; lineNo++) {
        if (cells === null && this.started) cells = new ByteCells(this.delim.charCodeAt(0), this.quoted, this.expected, this.selected);
        const end = cells === null ? lineEnd(bytes, s) : cells.scan(bytes, s);
        let done = false;
        if (cells !== null && cells.ok && (this.labelIndex >= 0 || !isAsciiBlank(bytes, s, end))) {
          let label = NaN;
          const at = this.labelIndex;
          if (at >= 0) {
            const b = bytes[cells.starts[at]!]!;
            label = plainLabels && cells.ends[at]! - cells.starts[at]! === 1 && (b === 48 || b === 49) ? b - 48 : -1;
          }
          if (label !== -1) {
            cells.select();
            done = sink.encodeBytes(bytes, cells.selStarts, cells.selEnds, cells.selHashes, label, lineNo);
          }
        }
        if (!done) {
          const e = end > s && bytes[end - 1] === 13 ? end - 1 : end;
          const rec = this.readLine(bytes.toString("utf8", s, e), lineNo);
          if (rec !== null) sink.add(rec);
        }
        s = end + 1;
      }
    }
    this.finished();
  }

  protected start(line: string, lineNo: number): boolean {
    const { header, columns } = this.options;
    const cells = this.split(line, lineNo);
    let isHeader = false;
    let names: string[] | null = null;
    if (header === true) {
      names = cells.map((c) => c.trim());
      isHeader = true;
    } else if (header === "auto") {
      isHeader = cells.length === columns!.length && cells.every((c, i) => c.trim() === columns![i]);
      names = [...columns!];
    } else if (columns !== undefined) {
      names = [...columns];
    }
    this.expected = names?.length ?? cells.length;
    this.opened(names, this.expected);
    if (cells.length === 1) this.checkDelimiter(line, lineNo);
    try {
      this.labelIndex = this.options.label === null ? -1 : this.resolveColumn(this.options.label, this.names, this.expected);
      this.selected = this.options.select.map((c) => this.resolveColumn(c, this.names, this.expected));
    } catch (e) {
      const wanted = [...(this.options.label === null ? [] : [this.options.label]), ...this.options.select];
      if (header === true && e instanceof UserError && !wanted.some((c) => this.names!.includes(c)))
        throw new UserError(`${e.message}; if the file has no header line, name its columns in data.columns`);
      throw e;
    }
    return isHeader;
  }

  /** A first line that is one cell yet has tabs or commas: the file's delimiter is not the configured one. */
  private checkDelimiter(line: string, lineNo: number): void {
    const tabs = this.delim !== "\t" && line.includes("\t");
    if (!tabs && (this.delim === "," || !line.includes(","))) return;
    const likely = tabs ? "tsv" : "csv";
    const fix = likely === this.options.format ? `set data.delimiter to ${JSON.stringify(tabs ? "\t" : ",")}` : `a ${likely.toUpperCase()} file read as ${this.options.format.toUpperCase()}? set data.format to "${likely}"`;
    throw new DataError(this.file, lineNo, null, `the first line has no ${JSON.stringify(this.delim)} but ${tabs ? "tabs" : "commas"}: ${fix}`);
  }

  protected parse(line: string, lineNo: number): RawRecord {
    const cells = this.split(line, lineNo);
    if (cells.length !== this.expected) {
      const field = cells.length < this.expected ? this.columnName(cells.length) : null;
      throw new DataError(this.file, lineNo, field, `has ${cells.length} cells, expected ${this.expected}`);
    }
    const label = this.labelIndex < 0 ? NaN : this.parseLabel(cells[this.labelIndex], lineNo, this.columnName(this.labelIndex));
    const sel = this.selected;
    const out: string[] = new Array(sel.length);
    for (let k = 0; k < sel.length; k++) out[k] = cells[sel[k]!]!;
    return { line: lineNo, label, cells: out };
  }
}
