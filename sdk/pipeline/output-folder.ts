import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { cp, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { canonicalJson } from "../data/feature-map-io";
import { UserError } from "../errors";

/**
 * Output folders that never lose a user's data. A run is written into a partial folder beside `--out`
 * (`.NAME.partial`) and renamed into place when complete, so Ctrl-C, a crash or an abort leaves the previous
 * state. Only folders holding the run marker (RUN_MARKER, which only ctr-distill writes) are ever replaced
 * or deleted; anything else is refused before any data is read.
 */

/** The file that marks a folder as written by ctr-distill: `{ "kind", "config", "complete", "pid" }`. */
export const RUN_MARKER = ".ctr-distill-run.json";

export type OutputKind = "run" | "experiment" | "bundle";

interface Marker {
  format: "ctr-distill/run-marker";
  kind: OutputKind;
  /** The validated config the folder was written from. */
  config: unknown;
  complete: boolean;
  pid: number;
}

export interface OutputFolderOptions {
  kind: OutputKind;
  /** The validated config; a resumed run must have the same. */
  config: unknown;
  /** Replace an existing ctr-distill run or experiment of the same kind. */
  overwrite?: boolean;
  /** Continue an interrupted (or finished) run with the same config. */
  resume?: boolean;
}

function readMarker(dir: string): Marker | null {
  try {
    const m = JSON.parse(readFileSync(join(dir, RUN_MARKER), "utf8")) as Partial<Marker>;
    return m.format === "ctr-distill/run-marker" ? (m as Marker) : null;
  } catch {
    return null;
  }
}

/** Whether a process with this pid is alive (another ctr-distill writing the same output). */
function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The JSON paths at which two configs differ (`training.epochs`, `teachers[1].model`). */
export function differingKeys(a: unknown, b: unknown, at = ""): string[] {
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object";
  if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) return canonicalJson(a) === canonicalJson(b) ? [] : [at || "(the whole config)"];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].sort().flatMap((k) => differingKeys(a[k], b[k], Array.isArray(a) ? `${at}[${k}]` : at === "" ? k : `${at}.${k}`));
}

/** The partial folder of `out`: a hidden sibling on the same file system, so the final rename is atomic. */
export function partialFolderOf(out: string): string {
  const abs = resolve(out);
  return join(dirname(abs), `.${basename(abs)}.partial`);
}

/** Refuses an `out` that would lose data or that another process is writing; returns what to start from. */
function checkOutput(out: string, opts: OutputFolderOptions): { resumeFrom: string | null } {
  const partial = partialFolderOf(out);
  const partialMarker = existsSync(partial) ? readMarker(partial) : null;
  if (existsSync(partial) && partialMarker === null) throw new UserError(`${partial} exists and was not written by ctr-distill; move it away first`);
  if (partialMarker !== null && alive(partialMarker.pid)) throw new UserError(`${out}: another ctr-distill (pid ${partialMarker.pid}) is writing it`);
  const sameConfig = (m: Marker, where: string) => {
    const keys = differingKeys(m.config, opts.config);
    if (keys.length > 0) throw new UserError(`${where}: --resume needs the same config; it differs at ${keys.slice(0, 8).join(", ")}${keys.length > 8 ? ", …" : ""} (use --overwrite to start afresh)`);
  };
  if (!existsSync(out)) {
    if (opts.resume && partialMarker !== null) {
      sameConfig(partialMarker, out);
      return { resumeFrom: partial };
    }
    return { resumeFrom: null };
  }
  if (!statSync(out).isDirectory()) throw new UserError(`--out ${out}: exists and is not a folder; nothing was changed`);
  const marker = readMarker(out);
  if (marker === null) {
    if (readdirSync(out).length === 0) return { resumeFrom: null };
    throw new UserError(`--out ${out}: the folder exists and is not a ctr-distill ${opts.kind}; choose another --out (nothing was changed)`);
  }
  if (marker.kind !== opts.kind) throw new UserError(`--out ${out}: holds a ctr-distill ${marker.kind}, not a ${opts.kind}; choose another --out`);
  if (opts.resume) {
    if (partialMarker !== null) {
      sameConfig(partialMarker, partial);
      return { resumeFrom: partial };
    }
    sameConfig(marker, out);
    return { resumeFrom: out };
  }
  if (!opts.overwrite) throw new UserError(`--out ${out}: holds a finished ctr-distill ${marker.kind}; pass --overwrite to replace it${opts.kind === "run" ? " or --resume to continue it" : ""} (nothing was changed)`);
  return { resumeFrom: null };
}

/**
 * Checks `out` before anything is read, runs `write` into a partial folder, then moves that folder into place.
 * If `write` throws (an error or an abort), the partial folder is removed and `out` is as it was; if the
 * process dies, the partial folder stays for `--resume` and is cleared by the next run without it.
 * `write` receives the folder to write into.
 */
export async function writeOutputFolder<T>(out: string, opts: OutputFolderOptions, write: (dir: string) => Promise<T>): Promise<T> {
  const { resumeFrom } = checkOutput(out, opts);
  const partial = partialFolderOf(out);
  if (resumeFrom !== partial) {
    await rm(partial, { recursive: true, force: true }); // ours: checkOutput saw its marker, or nothing
    await mkdir(dirname(partial), { recursive: true });
    if (resumeFrom !== null) await cp(resumeFrom, partial, { recursive: true });
    else await mkdir(partial);
  }
  const marker: Marker = { format: "ctr-distill/run-marker", kind: opts.kind, config: opts.config, complete: false, pid: process.pid };
  await writeFile(join(partial, RUN_MARKER), JSON.stringify(marker, null, 2) + "\n");
  let result: T;
  try {
    result = await write(partial);
  } catch (e) {
    await rm(partial, { recursive: true, force: true });
    throw e;
  }
  await writeFile(join(partial, RUN_MARKER), JSON.stringify({ ...marker, complete: true }, null, 2) + "\n");
  await replaceWith(out, partial);
  return result;
}

/** Moves `partial` to `out`; an existing `out` (a ctr-distill folder, or empty) is moved aside first, then removed. */
async function replaceWith(out: string, partial: string): Promise<void> {
  if (!existsSync(out)) {
    await rename(partial, out);
    return;
  }
  const old = `${partial}.old-${process.pid}`;
  await rename(out, old);
  await rename(partial, out);
  await rm(old, { recursive: true, force: true });
}

/** True when `dir` is a folder ctr-distill wrote (it holds the run marker). */
export function isCtrDistillFolder(dir: string): boolean {
  return readMarker(dir) !== null;
}
