import { DataError, UserError } from "../../errors";
import { checkDataFile } from "./lines";
import { PARQUET_DECOMPRESSORS } from "./parquet-codecs";
import { RecordReader } from "./record-reader";
import type { BadLines, RawRecord, ReaderOptions } from "./types";

/** Records per yielded chunk: a row group is decoded whole, then handed out in slices of this many rows. */
export const PARQUET_CHUNK_ROWS = 8192;

const UTF8 = new TextDecoder("utf-8", { fatal: false });

/** Short description of a value for messages. */
function describe(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v instanceof Uint8Array) return "bytes";
  return `a ${typeof v}`;
}

/**
 * The text cell of a parquet value, as the text encoder (sdk/runtime/encode.ts) expects: null → "" (missing),
 * numbers and INT64 bigints in decimal, booleans as "1"/"0", timestamps as epoch milliseconds, UTF-8 bytes
 * decoded. A list is its items' cells joined by `separator` (given only for a sequence feature's column;
 * null items are dropped, and an item holding the separator throws, as it would split in two). Maps and
 * structs throw.
 */
function cellText(v: unknown, file: string, row: number, field: string, separator?: string): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v) && separator !== undefined) {
    const items: string[] = [];
    for (const [i, item] of v.entries()) {
      if (item === null || item === undefined) continue;
      const text = cellText(item, file, row, field);
      if (text.includes(separator)) throw new DataError(file, row, field, `list item ${i} (${JSON.stringify(text.slice(0, 40))}) contains the sequence separator ${JSON.stringify(separator)}`);
      items.push(text);
    }
    return items.join(separator);
  }
  switch (typeof v) {
    case "string":
      return v;
    case "number":
    case "bigint":
      return String(v);
    case "boolean":
      return v ? "1" : "0";
  }
  if (v instanceof Date) return String(v.getTime());
  if (v instanceof Uint8Array) return UTF8.decode(v);
  throw new DataError(file, row, field, `unsupported parquet value (${describe(v)}); only scalar columns, and lists for sequence features, can be read`);
}

/** The first line of an error's message. */
function reason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
}

/** A parquet file's footer: its metadata and top-level schema columns, read without decoding any rows. */
async function openParquet(file: string) {
  await checkDataFile(file);
  const hp = await import("hyparquet");
  const buffer = await hp.asyncBufferFromFile(file);
  let metadata;
  try {
    metadata = await hp.parquetMetadataAsync(buffer);
  } catch (e) {
    throw new UserError(`${file}: not a readable parquet file (${reason(e)})`);
  }
  return { hp, buffer, metadata, top: hp.parquetSchema(metadata).children };
}

/** The names of a parquet file's top-level columns, from its footer. */
export async function parquetColumnNames(file: string): Promise<string[]> {
  return (await openParquet(file)).top.map((c) => c.element.name);
}

/** Whether a top-level column is a LIST of scalars (the 3-level layout every current writer uses). */
function isScalarList(col: { element: { converted_type?: string; logical_type?: { type: string } }; children: { children: { children: unknown[] }[] }[] }): boolean {
  const list = col.element.converted_type === "LIST" || col.element.logical_type?.type === "LIST";
  return list && col.children.length === 1 && col.children[0]!.children.length === 1 && col.children[0]!.children[0]!.children.length === 0;
}

/**
 * Apache Parquet through hyparquet (pure JavaScript; codecs: uncompressed, snappy, and gzip, brotli and zstd
 * from parquet-codecs.ts). Columns are
 * selected by name (or 0-based index) from the file's top-level schema; `header`, `columns` and `delimiter`
 * do not apply. Only the label and selected columns are decoded, one row group at a time, so memory is bounded
 * by the largest row group, not by the file. A record's `line` is its 1-based row number in the file, so
 * messages read `file:ROW: field 'x': …`. Nulls are missing values (a null label is a bad row).
 */
export class ParquetReader extends RecordReader {
  constructor(file: string, options: ReaderOptions, bad?: BadLines) {
    super(file, options, bad);
  }

  // Parquet is not line-based: `chunks` below replaces the line machinery these hooks serve.
  protected start(): boolean {
    throw new Error("ParquetReader.start: parquet is not read by lines");
  }
  protected parse(): RawRecord {
    throw new Error("ParquetReader.parse: parquet is not read by lines");
  }

  override async *chunks(): AsyncGenerator<RawRecord[]> {
    const { hp, buffer, metadata, top } = await openParquet(this.file);
    const names = top.map((c) => c.element.name);
    this.opened(names, names.length);
    this.bytesTotal = buffer.byteLength;
    const labelIndex = this.options.label === null ? -1 : this.resolveColumn(this.options.label, names, names.length);
    const selected = this.options.select.map((c) => this.resolveColumn(c, names, names.length));
    const needed = [...new Set([...(labelIndex < 0 ? [] : [labelIndex]), ...selected])];
    const separators = this.options.listSeparators ?? {};
    for (const i of needed) {
      const col = top[i]!;
      if (col.children.length === 0 && col.element.repetition_type !== "REPEATED") continue;
      if (isScalarList(col) && separators[names[i]!] !== undefined) continue;
      const use = isScalarList(col) ? "a list of scalars, which only a sequence feature can read" : "nested (a map, a struct or a list of those)";
      throw new UserError(`${this.file}: column '${names[i]}' is ${use}; other features read scalar columns`);
    }
    if (Number(metadata.num_rows) === 0) {
      if (this.emptyIsError) throw new UserError(`data file is empty: ${this.file}`);
      return;
    }

    const neededNames = needed.map((i) => names[i]!);
    const slot = new Map(needed.map((i, k) => [names[i]!, k]));
    const labelName = labelIndex < 0 ? "" : names[labelIndex]!;
    const labelSlot = slot.get(labelName);
    const selSlots = selected.map((i) => slot.get(names[i]!)!);
    const selNames = selected.map((i) => names[i]!);
    const selSeparators = selNames.map((name) => separators[name]);

    let groupStart = 0;
    for (const [g, group] of metadata.row_groups.entries()) {
      const rows = Number(group.num_rows);
      if (rows === 0) continue;
      // Columns of this row group, in `needed` order, each of length `rows`.
      const data: unknown[][] = neededNames.map(() => new Array<unknown>(rows));
      try {
        await hp.parquetRead({
          file: buffer,
          metadata,
          columns: neededNames,
          compressors: PARQUET_DECOMPRESSORS,
          rowStart: groupStart,
          rowEnd: groupStart + rows,
          onChunk: ({ columnName, columnData, rowStart }) => {
            const out = data[slot.get(columnName)!]!;
            const at = rowStart - groupStart;
            for (let i = 0; i < columnData.length && at + i < rows; i++) out[at + i] = columnData[i];
          },
        });
      } catch (e) {
        throw new UserError(`${this.file}: cannot read parquet row group ${g}: ${reason(e)}`);
      }
      for (let from = 0; from < rows; from += PARQUET_CHUNK_ROWS) {
        const to = Math.min(rows, from + PARQUET_CHUNK_ROWS);
        const out: RawRecord[] = [];
        for (let r = from; r < to; r++) {
          const row = groupStart + r + 1;
          try {
            const label = labelSlot === undefined ? NaN : this.parseLabel(cellText(data[labelSlot]![r], this.file, row, labelName), row, labelName);
            const cells: string[] = new Array(selSlots.length);
            for (let k = 0; k < selSlots.length; k++) cells[k] = cellText(data[selSlots[k]!]![r], this.file, row, selNames[k]!, selSeparators[k]);
            out.push({ line: row, label, cells });
          } catch (e) {
            if (e instanceof DataError) this.bad.handle(e);
            else throw e;
          }
        }
        if (out.length > 0) yield out;
      }
      groupStart += rows;
    }
  }
}
