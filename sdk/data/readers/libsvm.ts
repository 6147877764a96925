import { DataError } from "../../errors";
import { RecordReader } from "./record-reader";
import type { BadLines, RawRecord, ReaderOptions } from "./types";

const WHITESPACE = /\s+/;

/**
 * libsvm / libFM with one index:value pair per field (`label idx:val …`, e.g. Frappe: exactly 10 pairs, the
 * k-th pair is field k). Fields are named `f1..fK` (or `columns`); the cell of field k is the index of its
 * k-th pair, i.e. a categorical value. K is the number of `columns`, else the pair count of the first line;
 * every line must have exactly K pairs. Labels: 1 / +1 → 1, 0 / -1 → 0. With `label: null` (scoring) a line's
 * label token is optional and ignored.
 */
export class LibsvmReader extends RecordReader {
  private expected = 0;
  private selected: number[] = [];

  constructor(file: string, options: ReaderOptions, bad?: BadLines) {
    super(file, options, bad);
  }

  /** 1 when the line's first token is its label; with `label: null` a line may start with a pair instead (unlabelled). */
  private labelTokens(tokens: readonly string[]): number {
    return this.options.label === null && tokens[0]!.includes(":") ? 0 : 1;
  }

  private parseLibsvmLabel(labelText: string, lineNo: number): number {
    const y = Number(labelText);
    if (y === 1) return 1;
    if (y === 0 || y === -1) return 0;
    if (Number.isFinite(y) && labelText !== "") throw new DataError(this.file, lineNo, "label", `label must be 1, 0 or -1, got ${labelText}`);
    throw new DataError(this.file, lineNo, "label", `cannot parse label ${JSON.stringify(labelText)}`);
  }

  protected start(line: string, _lineNo: number): boolean {
    const tokens = line.trim().split(WHITESPACE);
    const pairs = tokens.length - this.labelTokens(tokens);
    const names = this.options.columns !== undefined ? [...this.options.columns] : Array.from({ length: pairs }, (_, k) => `f${k + 1}`);
    this.expected = names.length;
    this.opened(names, this.expected);
    this.selected = this.options.select.map((c) => this.resolveColumn(c, this.names, this.expected));
    return false;
  }

  protected parse(line: string, lineNo: number): RawRecord {
    const tokens = line.trim().split(WHITESPACE);
    const first = this.labelTokens(tokens);
    const count = tokens.length - first;
    const label = this.options.label === null ? NaN : this.parseLibsvmLabel(tokens[0]!, lineNo);
    if (count !== this.expected) {
      const field = count < this.expected ? this.columnName(count) : null;
      throw new DataError(this.file, lineNo, field, `has ${count} index:value pairs, expected ${this.expected}`);
    }
    const indices: string[] = new Array(count);
    for (let k = 0; k < count; k++) {
      const tok = tokens[k + first]!;
      const colon = tok.indexOf(":");
      const idx = colon > 0 ? tok.slice(0, colon) : "";
      if (!/^\d+$/.test(idx) || !Number.isFinite(Number(tok.slice(colon + 1))) || tok.slice(colon + 1) === "")
        throw new DataError(this.file, lineNo, this.columnName(k), `bad libsvm token ${JSON.stringify(tok)} (expected index:value)`);
      indices[k] = idx;
    }
    const sel = this.selected;
    const cells: string[] = new Array(sel.length);
    for (let k = 0; k < sel.length; k++) cells[k] = indices[sel[k]!]!;
    return { line: lineNo, label, cells };
  }
}
