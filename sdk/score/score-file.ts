import type { DataConfig, DataFormat, RunConfig } from "../config-types";
import { assembledChunks, planCells } from "../data/cell-plan";
import { mapFeatureConfigs } from "../data/prepare";
import { withReadProgress } from "../data/read-progress";
import { listSeparators } from "../data/cell-plan";
import { openRecords } from "../data/readers/index";
import { parquetColumnNames } from "../data/readers/parquet";
import type { ReaderOptions } from "../data/readers/types";
import { didYouMean } from "../config/suggest";
import { DataError, UserError } from "../errors";
import { formatDuration, type Logger } from "../log";
import { EncodeError, RowEncoder, type EncodedRows } from "../runtime/encode";
import type { FeatureMap } from "../runtime/feature-map";
import type { Scorer } from "../runtime/scorer";

/** What scoring a file needs of a run: its config (how its data was read), feature map and scorer. */
export interface ScoringRun {
  modelId: string;
  config: RunConfig;
  featureMap: FeatureMap;
  scorer: Scorer;
}

/** How to read the file to score; anything not given is the run's own `data` configuration. */
export interface ScoreFileOptions {
  /** Default: the run's `data.format`. */
  format?: DataFormat;
  /** Default: the run's `data.delimiter` for the run's format, else the format's own ("," or tab). */
  delimiter?: string;
  /** Whether csv/tsv files start with a header (columns are then matched by name, in any order). */
  header?: boolean;
  /** Columns passed through beside each score (an id, a timestamp), in this order. */
  keep?: readonly string[];
}

/** The scores of one chunk of consecutive data rows. */
export interface ScoredBatch {
  /** Click probabilities, one per row, in file order. */
  ctr: Float32Array;
  /** The 1-based file line of each row. */
  lines: Int32Array;
  /** The `keep` cells of each row, in `keep` order (empty arrays without `keep`). */
  kept: (readonly string[])[];
}

/** The kept cells of every row without `keep`: one shared empty array, not one per row. */
const NO_CELLS: readonly string[] = [];

/** The output's own column, which `keep` cannot name. */
export const CTR_COLUMN = "ctr";

/** The run's data configuration as the file to score is laid out: format, delimiter and header overridden. */
function scoringLayout(data: DataConfig, opts: ScoreFileOptions): DataConfig {
  const format = opts.format ?? data.format;
  const sameFormat = format === data.format;
  // A format given on the command line brings its own defaults: a TSV-trained model scores a CSV with ",".
  const delimiter = opts.delimiter ?? (sameFormat ? data.delimiter : format === "tsv" ? "\t" : ",");
  const header = opts.header ?? (sameFormat ? data.header : format === "csv");
  return { ...data, format, delimiter, header };
}

function readerOptionsFor(layout: DataConfig, select: string[]): ReaderOptions {
  const textual = layout.format === "csv" || layout.format === "tsv";
  return {
    format: layout.format,
    delimiter: layout.delimiter,
    header: textual && layout.header,
    // A headerless file is laid out as the training files were.
    ...(textual && !layout.header && layout.columns !== undefined ? { columns: layout.columns } : {}),
    // No label is read: production rows have none, and one that is present is just another column.
    label: null,
    select,
    ...(layout.format === "parquet" ? { listSeparators: listSeparators(layout) } : {}),
  };
}

/** The cells of a csv/tsv file's first line, split as a header is (a peek at its first 64 KiB). */
async function firstLine(file: string, layout: DataConfig): Promise<string[]> {
  const reader = openRecords(file, { ...readerOptionsFor({ ...layout, header: true }, []), chunkSize: 1 << 16 });
  const chunks = reader.chunks();
  try {
    await chunks.next();
  } finally {
    await chunks.return(undefined);
  }
  return reader.names ?? [];
}

/** The column names of a file with a header (csv/tsv) or a schema (parquet); null for files without names. */
async function namedColumns(file: string, layout: DataConfig): Promise<string[] | null> {
  if (layout.format === "parquet") return parquetColumnNames(file);
  return layout.format !== "libsvm" && layout.header ? firstLine(file, layout) : null;
}

/** Headerless rows are laid out as the training files' `columns`, or one cell short of them: unlabelled. */
async function headerlessColumns(file: string, layout: DataConfig): Promise<string[] | undefined> {
  const { columns, label } = layout;
  if (columns === undefined || !columns.includes(label)) return columns;
  return (await firstLine(file, layout)).length === columns.length - 1 ? columns.filter((c) => c !== label) : columns;
}

/**
 * `; did you mean 'c4' for 'C4'?` for missing columns present in another case; else a near miss of the first
 * missing one, when its name is long enough for a near miss to mean something.
 */
function renamedHint(missing: readonly string[], extra: readonly string[]): string {
  const renamed = missing.flatMap((m) => extra.filter((e) => e.toLowerCase() === m.toLowerCase()).map((e) => `'${e}' for '${m}'`));
  if (renamed.length > 0) return `; did you mean ${renamed.join(", ")}?`;
  return missing[0]!.length > 3 ? didYouMean(missing[0]!, extra) : "";
}

/**
 * Refuses, before any row is read, a file whose columns lack some the model reads (or `keep` names): one
 * line naming every missing column and the file's columns that nothing reads, which are usually the same
 * columns under other names.
 */
function checkColumns(file: string, names: readonly string[], needed: readonly string[], label: string): void {
  const have = new Set(names);
  // As the readers resolve them: a name, else a 0-based index.
  const present = (c: string) => have.has(c) || (/^\d+$/.test(c) && Number(c) < names.length);
  const missing = [...new Set(needed.filter((c) => !present(c)))];
  if (missing.length === 0) return;
  const used = new Set([...needed, label]);
  const extra = names.filter((c) => !used.has(c));
  const quoted = (cols: readonly string[]) => cols.map((c) => `'${c}'`).join(", ");
  throw new UserError(
    `${file}: no column${missing.length > 1 ? "s" : ""} ${quoted(missing)} in its header` +
      (extra.length > 0 ? `; columns the model does not read: ${quoted(extra.slice(0, 50))}${extra.length > 50 ? ", …" : ""}` : "") +
      renamedHint(missing, extra),
  );
}

/**
 * Scores a file of raw rows with a run's WASM scorer, streaming: the file is read in chunks, each encoded by
 * the run's feature map and scored as it arrives, so memory stays bounded by one chunk however long the file.
 * No label column is needed; with a header (or a parquet schema) columns are matched by name in any order.
 * A malformed row is a DataError naming file, line and field. Progress (rows, rows/s) goes to `log`, which
 * is also checked for an abort between chunks.
 */
export async function* scoreFile(run: ScoringRun, file: string, opts: ScoreFileOptions, log: Logger): AsyncGenerator<ScoredBatch> {
  const keep = [...(opts.keep ?? [])];
  if (keep.includes(CTR_COLUMN)) throw new UserError(`keep: '${CTR_COLUMN}' is the column of the scores; it cannot be kept from the input`);
  let layout = scoringLayout(run.config.data, opts);
  if ((layout.format === "csv" || layout.format === "tsv") && !layout.header) layout = { ...layout, columns: await headerlessColumns(file, layout) };
  // The kept columns travel after the features' cells, as the planner carries logged-score columns.
  const plan = await planCells(layout, mapFeatureConfigs(layout, run.featureMap), keep);
  const names = await namedColumns(file, layout);
  if (names !== null) checkColumns(file, names, plan.select, layout.label);

  const encoder = new RowEncoder(run.featureMap, "text");
  const F = run.featureMap.features.length;
  let rows: EncodedRows = { ids: new Int32Array(0), values: new Float32Array(0), n: 0 };
  let scored = 0;
  const start = performance.now();
  const reader = openRecords(file, readerOptionsFor(layout, plan.select));
  for await (const chunk of assembledChunks(withReadProgress(reader, log, "scoring"), plan)) {
    const n = chunk.length;
    // One buffer, grown to the largest chunk, serves every chunk.
    if (rows.n < n) rows = { ids: new Int32Array(n * encoder.numSlots), values: new Float32Array(n * encoder.numSlots), n };
    const lines = new Int32Array(n);
    const kept: (readonly string[])[] = new Array(n);
    for (let r = 0; r < n; r++) {
      const record = chunk[r]!;
      try {
        encoder.encodeCells(record.cells, r, rows);
      } catch (e) {
        if (e instanceof EncodeError) throw new DataError(file, record.line, e.field, e.reason);
        throw e;
      }
      lines[r] = record.line;
      kept[r] = keep.length > 0 ? record.cells.slice(F) : NO_CELLS;
    }
    const ctr = run.scorer.score(rows.ids, rows.values, n);
    scored += n;
    yield { ctr, lines, kept };
  }
  const seconds = (performance.now() - start) / 1000;
  log(`scored ${scored.toLocaleString("en-US")} rows of ${file} in ${seconds < 10 ? `${seconds.toFixed(1)}s` : formatDuration(seconds)} (${Math.round(scored / seconds).toLocaleString("en-US")} rows/s) with model ${run.modelId.slice(0, 12)}…`);
}
