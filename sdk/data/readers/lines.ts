import { createReadStream, type ReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline, Transform, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { Decompress } from "fzstd";
import { DataError, UserError } from "../../errors";

/** Default bytes per read. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

/** A batch of consecutive lines of a file; `first` is the 1-based line number of `lines[0]`. */
export interface LineChunk {
  first: number;
  lines: string[];
  /** Bytes of the file read so far (for progress). */
  bytesRead: number;
}

/** Refuses a missing path, a directory and an empty file with one clear line. */
export async function checkDataFile(file: string): Promise<void> {
  let info;
  try {
    info = await stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === "ENOENT" ? `data file not found: ${file}` : `cannot read data file ${file}: ${code ?? String(e)}`);
  }
  if (info.isDirectory()) throw new UserError(`data file is a directory: ${file}`);
  if (info.size === 0) throw new UserError(`data file is empty: ${file}`);
}

/** The compression a data file's name declares: `.gz` (gzip) and `.zst` (Zstandard), else none. */
export function compressionOf(file: string): "gzip" | "zstd" | null {
  const name = file.toLowerCase();
  return name.endsWith(".gz") ? "gzip" : name.endsWith(".zst") ? "zstd" : null;
}

/** Compressed bytes per read of a `.zst` file. */
const ZSTD_READ_SIZE = 1 << 16;

/** A streaming Zstandard decompressor (fzstd: pure JavaScript, as Node 20's zlib has no zstd). */
function createZstdDecompress(): Transform {
  let out: Transform;
  const zstd = new Decompress((chunk) => {
    if (chunk.length > 0) out.push(chunk);
  });
  out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        zstd.push(chunk);
        done();
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done) {
      try {
        zstd.push(new Uint8Array(0), true);
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
  return out;
}

/** A data file's bytes as read (`raw`, for progress) and decompressed (`stream`). */
interface DataStream {
  raw: ReadStream;
  stream: Readable;
  compression: "gzip" | "zstd" | null;
}

async function openDataStream(file: string, chunkSize: number): Promise<DataStream> {
  await checkDataFile(file);
  const compression = compressionOf(file);
  // fzstd hands out a whole input chunk's output at once (no backpressure within it): small reads bound it.
  const raw = createReadStream(file, { highWaterMark: compression === "zstd" ? Math.min(chunkSize, ZSTD_READ_SIZE) : chunkSize });
  // pipeline() forwards a decompressor's error to the stream iterated below, which then throws it.
  const stream: Readable = compression === null ? raw : pipeline(raw, compression === "gzip" ? createGunzip({ chunkSize }) : createZstdDecompress(), () => {});
  return { raw, stream, compression };
}

/** A read or decompression failure as a DataError at `line`. */
function readFailure(file: string, line: number, compression: DataStream["compression"], e: unknown): Error {
  if (e instanceof UserError) return e;
  const what = compression === null ? "cannot read" : `not valid ${compression} data`;
  return new DataError(file, line, null, `${what} (${(e as Error).message})`);
}

/**
 * The lines of a file in chunks, with bounded memory: reads `chunkSize` bytes at a time (decompressing `.gz`
 * and `.zst` files on the way), splits on "\n", drops a trailing "\r", and carries the unfinished last line
 * over to the next chunk. `bytesRead` counts the file's bytes, compressed or not.
 */
export async function* readLineChunks(file: string, chunkSize = DEFAULT_CHUNK_SIZE): AsyncGenerator<LineChunk> {
  const { raw, stream, compression } = await openDataStream(file, chunkSize);
  stream.setEncoding("utf8");
  let rest = "";
  let next = 1;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest + chunk;
      const lines = text.split("\n");
      rest = lines.pop()!;
      if (lines.length === 0) continue;
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        if (l.endsWith("\r")) lines[i] = l.slice(0, -1);
      }
      yield { first: next, lines, bytesRead: raw.bytesRead };
      next += lines.length;
    }
  } catch (e) {
    throw readFailure(file, next, compression, e);
  } finally {
    stream.destroy();
    raw.destroy();
  }
  if (rest.endsWith("\r")) rest = rest.slice(0, -1);
  if (rest !== "") yield { first: next, lines: [rest], bytesRead: raw.bytesRead };
}

/** Whole lines of a file as bytes; `first` is the 1-based line number of the first. */
export interface ByteChunk {
  first: number;
  /** Lines, each ending in "\n" except the file's last when it has none ("\r" kept). */
  bytes: Buffer;
  bytesRead: number;
}

/** Number of "\n" bytes in `buf`. */
function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let at = buf.indexOf(10); at >= 0; at = buf.indexOf(10, at + 1)) n++;
  return n;
}

/**
 * The bytes of a file in chunks of whole lines (the byte-level reader's input; same reads and decompression as
 * `readLineChunks`, no strings): the unfinished last line is carried over to the next chunk.
 */
export async function* readByteChunks(file: string, chunkSize = DEFAULT_CHUNK_SIZE): AsyncGenerator<ByteChunk> {
  const { raw, stream, compression } = await openDataStream(file, chunkSize);
  let rest: Buffer = Buffer.alloc(0);
  let next = 1;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const last = chunk.lastIndexOf(10);
      if (last < 0) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      const bytes = rest.length === 0 ? chunk.subarray(0, last + 1) : Buffer.concat([rest, chunk.subarray(0, last + 1)]);
      rest = chunk.subarray(last + 1);
      yield { first: next, bytes, bytesRead: raw.bytesRead };
      next += countNewlines(bytes);
    }
  } catch (e) {
    throw readFailure(file, next, compression, e);
  } finally {
    stream.destroy();
    raw.destroy();
  }
  if (rest.length > 0) yield { first: next, bytes: rest, bytesRead: raw.bytesRead };
}

/** True for a line with nothing but whitespace (skipped by every reader). */
export function isBlank(line: string): boolean {
  return line.trim() === "";
}
