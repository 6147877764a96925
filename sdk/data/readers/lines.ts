import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { UserError } from "../../errors";

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

/**
 * The lines of a file in chunks, with bounded memory: reads `chunkSize` bytes at a time, splits on "\n",
 * drops a trailing "\r", and carries the unfinished last line over to the next chunk.
 */
export async function* readLineChunks(file: string, chunkSize = DEFAULT_CHUNK_SIZE): AsyncGenerator<LineChunk> {
  await checkDataFile(file);
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: chunkSize });
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
      yield { first: next, lines, bytesRead: stream.bytesRead };
      next += lines.length;
    }
  } finally {
    stream.destroy();
  }
  if (rest.endsWith("\r")) rest = rest.slice(0, -1);
  if (rest !== "") yield { first: next, lines: [rest], bytesRead: stream.bytesRead };
}

/** True for a line with nothing but whitespace (skipped by every reader). */
export function isBlank(line: string): boolean {
  return line.trim() === "";
}
