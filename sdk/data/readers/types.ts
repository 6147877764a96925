import type { DataError } from "../../errors";

/** One data row: its 1-based physical line in the file, its 0/1 label (NaN with `label: null`), and the requested cells in order. */
export interface RawRecord {
  /** The file it was read from when the data set is not named by that one file (for messages); absent for rows made in memory. */
  file?: string;
  line: number;
  label: number;
  cells: string[];
}

/** What `skipBadLines` skipped: how many lines, and where the first few were (`file:line: reason`). */
export interface BadLineSummary {
  skipped: number;
  first: string[];
}

/** How many locations a summary keeps. */
export const BAD_LINES_KEPT = 5;

/** Collects skipped lines (keeping the `BAD_LINES_KEPT` earliest by file and line); with `skip` false it rethrows instead. */
export class BadLines {
  skipped = 0;
  private readonly kept: DataError[] = [];
  constructor(readonly skip: boolean) {}

  /** Records `err` if skipping, otherwise throws it. */
  handle(err: DataError): void {
    if (!this.skip) throw err;
    this.skipped++;
    // Errors of one chunk may arrive out of line order (parsing before encoding): keep the earliest lines. The
    // files of a data set are read one after another, so an error of another file than the last kept is later.
    let at = this.kept.length;
    while (at > 0 && this.kept[at - 1]!.file === err.file && this.kept[at - 1]!.line > err.line) at--;
    if (at < BAD_LINES_KEPT) {
      this.kept.splice(at, 0, err);
      if (this.kept.length > BAD_LINES_KEPT) this.kept.pop();
    }
  }

  summary(): BadLineSummary {
    return { skipped: this.skipped, first: this.kept.map((e) => e.message) };
  }
}

/** Options shared by every reader. */
export interface ReaderOptions {
  format: "csv" | "tsv" | "libsvm" | "parquet";
  /** Cell delimiter of csv/tsv (default "," and "\t"). */
  delimiter?: string;
  /**
   * csv/tsv: whether the first line is a header. `"auto"` (needs `columns`): the first line is a header exactly
   * when its cells equal `columns`, so files with and without a header line can share one configuration.
   */
  header?: boolean | "auto";
  /** Column names of headerless files, in file order (libsvm: defaults to `f1..fK`). */
  columns?: string[];
  /**
   * Label column: a name, or a 0-based index as a string (ignored by libsvm: the label is the first token).
   * null: read no label (scoring); a label column that is present is just another column.
   */
  label: string | null;
  /** The columns whose cells a record carries, in this order: names or 0-based indices as strings. */
  select: string[];
  /**
   * Parquet: the list columns a record may carry, each with the separator its items are joined by into one
   * cell (the sequence feature's, so that the encoder splits them again). A list in any other column is refused.
   */
  listSeparators?: Readonly<Record<string, string>>;
  /** Label = 1 when the label cell parses to a number >= this (e.g. MovieLens rating >= 4), else 0. */
  labelThreshold?: number;
  /** Label = 1 when the label cell is one of these values (e.g. ["yes"]), else 0 (`data.positive`). */
  positive?: string[];
  /** Count and skip bad lines instead of throwing. */
  skipBadLines?: boolean;
  /** Bytes per read (default 1 MiB). */
  chunkSize?: number;
}
