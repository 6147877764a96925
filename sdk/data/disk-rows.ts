import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Rows per block: the unit of writes, of shuffling and of the shuffle window (16,384 rows × S slots × 8 bytes). */
export const DEFAULT_BLOCK_ROWS = 16_384;

/** Temporary directories still alive where they could not be unlinked while open; removed at exit. */
const live = new Set<string>();
let hooked = false;

function removeLive(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

/**
 * A temporary directory holding `names`, opened for reading and writing. Where the system allows it (Linux,
 * macOS), the directory is deleted at once: the open descriptors keep the data, and the kernel frees it when
 * they close, however the process ends (Ctrl-C, a kill, a crash). A signal handler could not do as well: it
 * would only run after the synchronous training loop, so Ctrl-C would no longer stop training. Elsewhere
 * (Windows refuses to delete open files) the directory is removed by dispose() or at exit.
 */
function openTempFiles(names: readonly string[]): { dir: string; fds: number[] } {
  const dir = mkdtempSync(join(tmpdir(), "ctr-distill-"));
  const fds = names.map((name) => openSync(join(dir, name), "w+"));
  try {
    rmSync(dir, { recursive: true });
  } catch {
    if (!hooked) {
      process.once("exit", removeLive);
      hooked = true;
    }
    live.add(dir);
  }
  return { dir, fds };
}

function bytesOf(a: Int32Array | Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

function readAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length; ) {
    const got = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (got === 0) throw new Error(`disk rows: unexpected end of file at byte ${position + done}`);
    done += got;
  }
}

/**
 * Encoded rows in two temporary files, ids (int32) and values (float32), row-major with `numSlots` slots per
 * row, in the layout of an in-memory dataset. Written once by DiskRowWriter, then read synchronously (the
 * training loop is synchronous) into the caller's buffers.
 */
export class DiskRows {
  private disposed = false;

  /** @internal Made by DiskRowWriter.finish. */
  constructor(
    readonly dir: string,
    readonly n: number,
    readonly numSlots: number,
    readonly blockRows: number,
    private readonly idsFd: number,
    private readonly valuesFd: number,
  ) {}

  /** Bytes the two files take (their directory entries may already be gone; see openTempFiles). */
  get bytesOnDisk(): number {
    return fstatSync(this.idsFd).size + fstatSync(this.valuesFd).size;
  }

  get numBlocks(): number {
    return Math.ceil(this.n / this.blockRows);
  }

  /** Copies rows [start, end) into the start of `ids` and `values`. */
  read(start: number, end: number, ids: Int32Array, values: Float32Array): void {
    if (this.disposed) throw new Error("disk rows: read after dispose");
    if (!(start >= 0 && start <= end && end <= this.n)) throw new RangeError(`disk rows: rows [${start}, ${end}) are outside 0..${this.n}`);
    const count = (end - start) * this.numSlots;
    if (ids.length < count || values.length < count) throw new RangeError(`disk rows: buffers of ${Math.min(ids.length, values.length)} slots cannot hold ${end - start} rows`);
    const position = start * this.numSlots * 4;
    readAll(this.idsFd, bytesOf(ids.subarray(0, count)), position);
    readAll(this.valuesFd, bytesOf(values.subarray(0, count)), position);
  }

  /** Closes and deletes the files (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    closeSync(this.idsFd);
    closeSync(this.valuesFd);
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this.dir);
  }
}

/** Appends blocks of encoded rows to new temporary files; `finish` turns them into DiskRows for reading. */
export class DiskRowWriter {
  readonly dir: string;
  private readonly idsFd: number;
  private readonly valuesFd: number;
  /** Rows written so far. */
  n = 0;

  constructor(
    readonly numSlots: number,
    readonly blockRows = DEFAULT_BLOCK_ROWS,
  ) {
    if (!Number.isInteger(blockRows) || blockRows < 1) throw new RangeError(`disk rows: 'blockRows' must be an integer >= 1, got ${blockRows}`);
    const { dir, fds } = openTempFiles(["ids.i32", "values.f32"]);
    this.dir = dir;
    [this.idsFd, this.valuesFd] = fds as [number, number];
  }

  /** Appends the first `rows` rows of `ids`/`values` (whole blocks, except possibly the last append). */
  append(ids: Int32Array, values: Float32Array, rows: number): void {
    const count = rows * this.numSlots;
    const position = this.n * this.numSlots * 4;
    writeAll(this.idsFd, bytesOf(ids.subarray(0, count)), position);
    writeAll(this.valuesFd, bytesOf(values.subarray(0, count)), position);
    this.n += rows;
  }

  finish(): DiskRows {
    return new DiskRows(this.dir, this.n, this.numSlots, this.blockRows, this.idsFd, this.valuesFd);
  }
}
