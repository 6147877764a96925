import { DataError, UserError } from "../../errors";
import { RecordReader } from "./record-reader";
import type { BadLines, RawRecord, ReaderOptions } from "./types";

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
