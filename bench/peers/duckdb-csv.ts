/**
 * The DuckDB peer of `bench data`: DuckDB's CSV reader (its npm package, in process, `SET threads = 1`)
 * parsing a file into a typed in-memory table, the nearest thing it does to our read + encode (it builds no
 * vocabulary ids, so it does less). Rows per CPU-second of this process, where DuckDB's work is counted too.
 */
import { readFileSync } from "node:fs";

/** One column of the file as DuckDB should type it. */
export interface CsvColumn {
  name: string;
  type: "INTEGER" | "DOUBLE" | "VARCHAR";
}

export interface CsvFile {
  file: string;
  delimiter: string;
  header: boolean;
  columns: CsvColumn[];
}

/** The names of a delimited file's columns: `columns` when given, else its header line. */
export function headerNames(file: string, delimiter: string, columns: readonly string[] | undefined): string[] {
  if (columns !== undefined) return [...columns];
  const text = readFileSync(file, "utf8");
  return text.slice(0, text.indexOf("\n")).replace(/\r$/, "").split(delimiter);
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Median CPU and wall seconds of rounds of `CREATE TABLE … AS SELECT * FROM read_csv(…)` after one warm-up
 * round, until `seconds` have passed and at least `minRounds` ran, and the rows read.
 */
export async function timeDuckdbCsv(csv: CsvFile, seconds: number, minRounds = 5): Promise<{ rows: number; wall: number; cpu: number }> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const sql = await db.connect();
  try {
    await sql.run("SET threads = 1");
    const columns = `{${csv.columns.map((c) => `${quote(c.name)}: ${quote(c.type)}`).join(", ")}}`;
    const read = `read_csv(${quote(csv.file)}, delim = ${quote(csv.delimiter)}, header = ${csv.header}, columns = ${columns}, auto_detect = false)`;
    const round = async () => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await sql.run(`CREATE OR REPLACE TABLE t AS SELECT * FROM ${read}`);
      const c = process.cpuUsage(c0);
      return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
    };
    await round();
    const rounds: { wall: number; cpu: number }[] = [];
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end || rounds.length < minRounds) rounds.push(await round());
    const rows = Number((await sql.runAndReadAll("SELECT count(*) FROM t")).getRows()[0]![0]);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    return { rows, wall: median(rounds.map((r) => r.wall)), cpu: median(rounds.map((r) => r.cpu)) };
  } finally {
    sql.closeSync();
    db.closeSync();
  }
}
