import { readdir, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, sep } from "node:path";
import { UserError } from "../../errors";
import { type ColumnsOf, type RecordReader, RecordStream } from "./record-reader";
import { BadLines, type RawRecord, type ReaderOptions } from "./types";

/** What `data.train`, `valid` and `test` take: a file, a folder or a glob, or a list of these. */
export type DataPaths = string | readonly string[];

/** One file of a data set: its path, its size in bytes, and the Hive-style `key=value` folders above it. */
export interface DataFile {
  path: string;
  size: number;
  partitions: ReadonlyMap<string, string>;
}

/** Opens one file of a data set; its skipped lines go to the set's `bad`. */
export type OpenFile = (file: string, options: ReaderOptions, bad: BadLines) => RecordReader;

/** How messages name a data set: its path, or its paths joined. */
export function describePaths(paths: DataPaths): string {
  return typeof paths === "string" ? paths : paths.join(", ");
}

/** Names a folder listing or a glob skips: Spark's `_SUCCESS` and `_committed_*`, `.crc` checksums, hidden files. */
function isSkipped(name: string): boolean {
  return name.startsWith("_") || name.startsWith(".");
}

const WILDCARD = /[*?]/;

/**
 * A glob segment as a regular expression. Our own small matcher, as Node 20 has no fs.glob: `*` (any run of
 * characters) and `?` (one character) within one path segment, in any segment; no `**`, braces or classes.
 */
function segmentPattern(segment: string): RegExp {
  const body = segment.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** `key=value` folders of a path (Spark, Hive, DuckDB partitioning), values %-decoded as those engines escape them. */
function partitionsOf(file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const segment of dirname(file).split(/[\\/]/)) {
    const eq = segment.indexOf("=");
    if (eq <= 0) continue;
    const raw = segment.slice(eq + 1);
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // Not %-escaped: taken as written.
    }
    out.set(segment.slice(0, eq), value);
  }
  return out;
}

/** Every data file of `folder` and its subfolders, folder by folder in name order, skipping `_` and `.` names. */
async function walkFolder(folder: string, out: string[]): Promise<void> {
  const entries = (await readdir(folder, { withFileTypes: true })).filter((e) => !isSkipped(e.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(folder, e.name);
    if (e.isDirectory()) await walkFolder(path, out);
    else out.push(path);
  }
}

/** The paths a glob matches (files and folders), in name order. */
async function globMatches(pattern: string): Promise<string[]> {
  const segments = pattern.split(/[\\/]/);
  const firstWild = segments.findIndex((s) => WILDCARD.test(s));
  let bases = [segments.slice(0, firstWild).join(sep) || (isAbsolute(pattern) ? sep : ".")];
  for (let i = firstWild; i < segments.length; i++) {
    const segment = segments[i]!;
    if (!WILDCARD.test(segment)) {
      bases = bases.map((b) => join(b, segment));
      continue;
    }
    const re = segmentPattern(segment);
    const next: string[] = [];
    for (const base of bases) {
      let names: string[];
      try {
        names = await readdir(base);
      } catch {
        continue; // not a folder, or not there: matches nothing
      }
      // As in shells, a wildcard matches a hidden (`.`, here also `_`) name only when the pattern spells its first character.
      for (const name of names.sort()) if (re.test(name) && (!isSkipped(name) || name[0] === segment[0])) next.push(join(base, name));
    }
    bases = next;
  }
  const found: string[] = [];
  for (const b of bases) if (await exists(b)) found.push(b);
  return found;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The files of one path: itself, a folder's data files, or a glob's matches (folders among them expanded). */
async function filesOf(path: string): Promise<string[]> {
  const matches = WILDCARD.test(path) ? await globMatches(path) : [path];
  if (matches.length === 0) throw new UserError(`no data file matches ${path}`);
  const out: string[] = [];
  for (const m of matches) {
    let info;
    try {
      info = await stat(m);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UserError(code === "ENOENT" ? `data file not found: ${m}` : `cannot read data file ${m}: ${code ?? String(e)}`);
    }
    if (!info.isDirectory()) {
      out.push(m);
      continue;
    }
    const before = out.length;
    await walkFolder(m, out);
    if (out.length === before) throw new UserError(`data folder has no data files: ${m} (names starting with _ or . are skipped)`);
  }
  return out;
}

/**
 * The data files `paths` name, in order: each file as given, each folder's data files and subfolders in name
 * order (names starting with `_` or `.` skipped), each glob's matches in name order. A file named twice is refused
 * (its rows would count twice).
 */
export async function listDataFiles(paths: DataPaths): Promise<DataFile[]> {
  const list = typeof paths === "string" ? [paths] : paths;
  if (list.length === 0) throw new UserError("no data files: the list of paths is empty");
  const seen = new Set<string>();
  const out: DataFile[] = [];
  for (const p of list)
    for (const file of await filesOf(p)) {
      if (seen.has(file)) throw new UserError(`data file ${file} is named twice (by ${describePaths(paths)})`);
      seen.add(file);
      out.push({ path: file, size: (await stat(file)).size, partitions: partitionsOf(file) });
    }
  return out;
}

/**
 * The records of a data set of one or more files, read one file after another as one stream. Each file's
 * columns (its header, or its column count) must be the first file's; a column named by a `key=value` folder
 * above a file is filled from there (Hive-style partitions carry no such column in the files themselves).
 * Records carry their file (`RawRecord.file`) beside their line unless the set is named by that one file, so
 * messages name the part (`…/part-00003.csv.gz:12: …`). Progress is over the bytes of all files.
 */
export class FileSetReader extends RecordStream {
  readonly bad: BadLines;
  names: string[] | null = null;
  bytesTotal = 0;
  private bytesDone = 0;
  private current: RecordReader | null = null;

  constructor(
    readonly paths: DataPaths,
    options: ReaderOptions,
    private readonly openFile: OpenFile,
  ) {
    super(describePaths(paths), options);
    this.bad = new BadLines(options.skipBadLines === true);
  }

  get bytesRead(): number {
    return this.bytesDone + (this.current?.bytesRead ?? 0);
  }

  override async *chunks(): AsyncGenerator<RawRecord[]> {
    for await (const part of this.parts()) yield* part.chunks();
  }

  /**
   * The set's files one after another, each opened as `chunks()` would read it; the next is opened once the
   * consumer has read this one (so a reader may read a part its own way, as the byte-level encoder does).
   */
  async *parts(): AsyncGenerator<DataPart> {
    const files = await listDataFiles(this.paths);
    this.bytesTotal = files.reduce((s, f) => s + f.size, 0);
    this.bytesDone = 0;
    let first: ColumnsOf | null = null;
    for (const file of files) {
      // An empty part of many is what engines write for an empty partition (a lone empty file is the reader's error).
      if (file.size === 0 && files.length > 1) continue;
      const fromPath = this.options.select.map((c) => file.partitions.get(c));
      const partitioned = fromPath.some((v) => v !== undefined);
      const options = partitioned ? { ...this.options, select: this.options.select.filter((_, k) => fromPath[k] === undefined) } : this.options;
      const reader = this.openFile(file.path, options, this.bad);
      reader.emptyIsError = files.length === 1;
      reader.sameColumnsAs = first;
      reader.partitionColumns = [...file.partitions.keys()];
      this.current = reader;
      // Where the set is named by its one file, that name says where a row is already.
      const named = file.path !== this.file ? file.path : undefined;
      const set = this;
      yield {
        reader,
        file: named,
        plain: !partitioned,
        async *chunks() {
          for await (const chunk of reader.chunks()) {
            set.names ??= reader.names;
            if (partitioned) for (const rec of chunk) rec.cells = withPartitions(rec.cells, fromPath);
            if (named !== undefined) for (const rec of chunk) rec.file = named;
            yield chunk;
          }
        },
      };
      if (first === null && reader.columnCount > 0) first = { file: file.path, names: reader.names, count: reader.columnCount };
      this.names ??= reader.names;
      this.bytesDone += file.size;
      this.current = null;
    }
    if (first === null && files.length > 1) throw new UserError(`data is empty: every file of ${this.file} is empty`);
  }
}

/** One file of a data set, opened: read it through `chunks()`, or, when `plain`, through `reader` itself. */
export interface DataPart {
  reader: RecordReader;
  /** The file its records name (`RawRecord.file`), unless the set is named by this one file. */
  file: string | undefined;
  /** No column comes from the file's folders: the reader's records are the set's as they are. */
  plain: boolean;
  chunks(): AsyncGenerator<RawRecord[]>;
}

/** A file's cells with the partition values spliced in where `fromPath` has them. */
function withPartitions(cells: readonly string[], fromPath: readonly (string | undefined)[]): string[] {
  const out: string[] = new Array(fromPath.length);
  let k = 0;
  for (let j = 0; j < fromPath.length; j++) out[j] = fromPath[j] ?? cells[k++]!;
  return out;
}
