import { statSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "../errors";

/**
 * Writes `chunks` into a hidden sibling of `out` and renames it into place once the last chunk is written,
 * so an error, an abort or Ctrl-C leaves `out` as it was. An existing `out` is replaced only with
 * `overwrite`; a folder never is. Returns the bytes written.
 */
export async function writeFileAside(out: string, chunks: AsyncIterable<string>, opts: { overwrite?: boolean } = {}): Promise<number> {
  const existing = statSync(out, { throwIfNoEntry: false });
  if (existing?.isDirectory() === true) throw new UserError(`--out ${out}: is a folder; give a file to write the scores to`);
  if (existing !== undefined && opts.overwrite !== true) throw new UserError(`--out ${out}: exists; pass --overwrite to replace it (nothing was changed)`);
  const abs = resolve(out);
  const partial = join(dirname(abs), `.${basename(abs)}.partial-${process.pid}`);
  let file;
  try {
    // "wx": never opens a file that exists, so nothing but our own partial file is ever written.
    file = await open(partial, "wx");
  } catch (e) {
    throw new UserError(`--out ${out}: cannot write beside it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let bytes = 0;
  try {
    for await (const text of chunks) bytes += (await file.write(text)).bytesWritten;
    await file.close();
    await rename(partial, abs);
  } catch (e) {
    await file.close().catch(() => {});
    await rm(partial, { force: true });
    throw e;
  }
  return bytes;
}
