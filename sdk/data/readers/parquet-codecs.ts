import { decompress as zstdDecompress } from "fzstd";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

/** A page decompressor as hyparquet calls it: compressed bytes and the page's uncompressed length. */
type Decompressor = (input: Uint8Array, outputLength: number) => Uint8Array;

/**
 * The codecs Spark, DuckDB and pandas write beside hyparquet's built-in snappy: gzip and brotli through Node's
 * native zlib (faster than any JavaScript inflater), zstd through fzstd, which the reader already uses for
 * `.zst` text files. LZ4 is not a default of those writers and is refused by hyparquet with the codec's name.
 */
export const PARQUET_DECOMPRESSORS: { GZIP: Decompressor; BROTLI: Decompressor; ZSTD: Decompressor } = {
  GZIP: (input) => new Uint8Array(gunzipSync(input)),
  BROTLI: (input) => new Uint8Array(brotliDecompressSync(input)),
  ZSTD: (input, outputLength) => zstdDecompress(input, new Uint8Array(outputLength)),
};
