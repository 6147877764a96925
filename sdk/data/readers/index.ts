import { UserError } from "../../errors";
import { DelimitedReader } from "./delimited";
import { LibsvmReader } from "./libsvm";
import { ParquetReader } from "./parquet";
import { type DataPaths, FileSetReader } from "./file-set";
import type { RecordReader } from "./record-reader";
import type { BadLines, ReaderOptions } from "./types";

export { DelimitedReader, splitQuoted } from "./delimited";
export { LibsvmReader } from "./libsvm";
export { ParquetReader, PARQUET_CHUNK_ROWS } from "./parquet";
export { describePaths, FileSetReader, listDataFiles, type DataFile, type DataPaths } from "./file-set";
export { checkDataFile, compressionOf, readLineChunks } from "./lines";
export { RecordReader, RecordStream } from "./record-reader";
export { BadLines, BAD_LINES_KEPT, type BadLineSummary, type RawRecord, type ReaderOptions } from "./types";

/** A streaming reader of one file in `options.format`. */
function openFile(file: string, options: ReaderOptions, bad: BadLines): RecordReader {
  switch (options.format) {
    case "csv":
    case "tsv":
      return new DelimitedReader(file, options, bad);
    case "libsvm":
      return new LibsvmReader(file, options, bad);
    case "parquet":
      return new ParquetReader(file, options, bad);
    default:
      throw new UserError(`data.format: "${String(options.format)}" is not supported by the readers (csv, tsv, libsvm, parquet)`);
  }
}

/**
 * A streaming reader of the data set `paths` (a file, a folder, a glob, or a list of these; `.gz` and `.zst`
 * files decompressed) in `options.format`; nothing is read until it is iterated.
 */
export function openRecords(paths: DataPaths, options: ReaderOptions): FileSetReader {
  return new FileSetReader(paths, options, openFile);
}
