import { readFile } from "node:fs/promises";
import type { DataConfig, FeatureConfig, LookupConfig } from "../config-types";
import { DataError, UserError } from "../errors";
import { DEFAULT_SEPARATOR } from "../config/schema";
import { splitQuoted } from "./readers/delimited";
import type { RawRecord } from "./readers/types";

/**
 * Where each feature's cell comes from: a column of the data file, a column of a side table joined by key
 * (data.lookups), or, for a sequence built from flags, the names of the set flag columns. Readers select the
 * data columns; `assemble` turns their cells into one cell per feature, in feature order, followed by any
 * cells after the features (logged teacher scores) unchanged.
 */
export interface CellPlan {
  /** Data-file columns the reader must select, in the order `assemble` expects them. */
  select: string[];
  assemble(record: RawRecord): RawRecord;
  /** `assemble` returns records as they are: the selected columns are the cells (the byte path can read them). */
  plain: boolean;
}

/** A loaded side table: each key's row of cells. */
interface SideTable {
  config: LookupConfig;
  columns: string[];
  rows: Map<string, string[]>;
}

/** Column of a feature in the data: `column` when given, else its name. */
export function columnOf(f: FeatureConfig): string {
  return f.column ?? f.name;
}

/** Each sequence feature's column (not built from flags) and its separator: the list columns a parquet file may have. */
export function listSeparators(data: DataConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of data.features) if (f.type === "sequence" && f.flags === undefined) out[columnOf(f)] = f.separator ?? DEFAULT_SEPARATOR;
  return out;
}

/** Reads a side table whole (profiles are small); a short line or a repeated key names file and line. */
async function loadSideTable(config: LookupConfig): Promise<SideTable> {
  let text: string;
  try {
    text = await readFile(config.file, "utf8");
  } catch {
    throw new UserError(`${config.file}: cannot read the side table (data.lookups)`);
  }
  const lines = text.split(/\r?\n/);
  const split = (line: string, at: number) => splitQuoted(line, config.delimiter, (field, reason) => new DataError(config.file, at, String(field), reason));
  const columns = config.columns ?? split(lines[0] ?? "", 1);
  const keyAt = columns.indexOf(config.key);
  if (keyAt < 0) throw new UserError(`${config.file}: the side table has no key column '${config.key}' (columns: ${columns.join(", ")})`);
  const rows = new Map<string, string[]>();
  for (let i = config.columns === undefined ? 1 : 0; i < lines.length; i++) {
    if (lines[i] === "") continue;
    const cells = split(lines[i]!, i + 1);
    if (cells.length !== columns.length) throw new DataError(config.file, i + 1, null, `expected ${columns.length} fields, got ${cells.length}`);
    const key = cells[keyAt]!;
    if (rows.has(key)) throw new DataError(config.file, i + 1, config.key, `key ${JSON.stringify(key)} appears twice`);
    rows.set(key, cells);
  }
  return { config, columns, rows };
}

/** A flag is set when its cell is a non-zero number ("1"); empty and "0" are not set. */
function isSet(cell: string): boolean {
  return cell !== "" && Number(cell) !== 0;
}

/** The cells of `data.features` (and, after them, of `trailing` data columns) for one configuration. */
export async function planCells(data: DataConfig, features: readonly FeatureConfig[], trailing: readonly string[] = []): Promise<CellPlan> {
  const tables = await Promise.all((data.lookups ?? []).map(loadSideTable));
  const select: string[] = [];
  const selected = (column: string): number => {
    const at = select.indexOf(column);
    return at >= 0 ? at : select.push(column) - 1;
  };
  // A column provided by a side table (other than its key) comes from the table; anything else from the file.
  const source = (column: string): ((cells: readonly string[]) => string) => {
    for (const t of tables) {
      const at = t.columns.indexOf(column);
      if (at < 0 || column === t.config.key) continue;
      const on = selected(t.config.on);
      return (cells) => t.rows.get(cells[on]!)?.[at] ?? "";
    }
    const at = selected(column);
    return (cells) => cells[at]!;
  };
  const cellOf = features.map((f) => {
    if (f.flags === undefined) return source(columnOf(f));
    const flags = f.flags.map((name) => ({ name, cell: source(name) }));
    const separator = f.separator ?? "|";
    return (cells: readonly string[]) => flags.filter((flag) => isSet(flag.cell(cells))).map((flag) => flag.name).join(separator);
  });
  if (tables.length === 0 && features.every((f) => f.flags === undefined)) {
    // Plain columns: the reader's cells are already the features' (no per-row copy).
    return { select: [...features.map(columnOf), ...trailing], assemble: (record) => record, plain: true };
  }
  const trailingAt = trailing.map(selected);
  return {
    select,
    assemble: (record) => ({ ...record, cells: [...cellOf.map((cell) => cell(record.cells)), ...trailingAt.map((at) => record.cells[at]!)] }),
    plain: false,
  };
}

/** A reader's chunks with each record assembled by `plan`. */
export async function* assembledChunks(chunks: AsyncIterable<RawRecord[]>, plan: CellPlan): AsyncGenerator<RawRecord[]> {
  for await (const chunk of chunks) yield chunk.map(plan.assemble);
}
