import { UserError } from "../../errors";
import { DelimitedReader } from "./delimited";
import { LibsvmReader } from "./libsvm";
import { ParquetReader } from "./parquet";
import type { RecordReader } from "./record-reader";
import type { ReaderOptions } from "./types";

export { DelimitedReader, splitQuoted } from "./delimited";
export { LibsvmReader } from "./libsvm";
export { ParquetReader, PARQUET_CHUNK_ROWS } from "./parquet";
export { checkDataFile, readLineChunks } from "./lines";
export { RecordReader } from "./record-reader";
export { BadLines, BAD_LINES_KEPT, type BadLineSummary, type RawRecord, type ReaderOptions } from "./types";

/** A streaming reader of `file` in `options.format`; nothing is read until it is iterated. */
export function openRecords(file: string, options: ReaderOptions): RecordReader {
  switch (options.format) {
    case "csv":
    case "tsv":
      return new DelimitedReader(file, options);
    case "libsvm":
      return new LibsvmReader(file, options);
    case "parquet":
      return new ParquetReader(file, options);
    default:
      throw new UserError(`data.format: "${String(options.format)}" is not supported by the readers (csv, tsv, libsvm, parquet)`);
  }
}
