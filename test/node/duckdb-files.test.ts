/**
 * Files written by a real engine: DuckDB (its npm package, offline) writes a click log as Hive-partitioned
 * Parquet folders in each codec it offers, and as gzip CSV parts, with a list column and a logged teacher's
 * score column. They read back cell for cell as the log was written, split by their `day=` folders, and a
 * run distils from the logged column.
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataConfig } from "../../sdk/config-types";
import { prepareData } from "../../sdk/data/prepare";
import { openRecords, type ReaderOptions } from "../../sdk/data/readers/index";
import { generateSynthetic } from "../../sdk/data/synthetic";
import { DataError, UserError } from "../../sdk/errors";
import { runPipeline } from "../../sdk/index";
import { auc } from "../../sdk/metrics/auc";

/** Train rows fall on days 1–5, valid on day 6, test on day 7. */
const DAYS = { train: [1, 2, 3, 4, 5], valid: [6], test: [7] } as const;
const log = generateSynthetic({ seed: 11, rows: { train: 2500, valid: 500, test: 500 }, fields: 6, vocabSize: 12, interactions: 4, zipf: 1, ctr: 0.2 });

/** The log as rows of the written table: day, click, C1..C4, tags = [C5, C6], the true CTR as the teacher's score. */
interface LogRow {
  day: number;
  click: number;
  cells: string[];
  tags: string[];
  score: number;
}

const ROWS: LogRow[] = (["train", "valid", "test"] as const).flatMap((split) =>
  log[split].rows.map((cells, i) => {
    const days = DAYS[split];
    return { day: days[i % days.length]!, click: log[split].labels[i]!, cells: cells.slice(0, 4), tags: cells.slice(4), score: Number(log[split].probs[i]!.toFixed(6)) };
  }),
);

const FEATURES: DataConfig["features"] = [
  ...["C1", "C2", "C3", "C4"].map((name) => ({ name, type: "categorical" as const })),
  { name: "tags", type: "sequence" as const, separator: "|", maxLength: 2 },
];

const CODECS = ["snappy", "gzip", "zstd", "brotli"] as const;

let dir: string;
let db: DuckDBInstance;
let sql: DuckDBConnection;

/** The data section for files under `train`, split by their `day` folders. */
function dayData(train: string, format: "parquet" | "csv", extra: Partial<DataConfig> = {}): DataConfig {
  return { train, format, delimiter: ",", header: true, label: "click", features: FEATURES, split: { by: "day", valid: [...DAYS.valid], test: [...DAYS.test] }, ...extra };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ctr-distill-duckdb-"));
  const csv = ["day,click,C1,C2,C3,C4,C5,C6,dcn_ctr", ...ROWS.map((r) => [r.day, r.click, ...r.cells, ...r.tags, r.score].join(","))].join("\n") + "\n";
  await writeFile(join(dir, "log.csv"), csv);
  db = await DuckDBInstance.create(":memory:");
  sql = await db.connect();
  await sql.run("SET threads = 1");
  await sql.run(`CREATE TABLE clicks AS SELECT row_number() OVER () AS rn, day, click, C1, C2, C3, C4, [C5, C6] AS tags, dcn_ctr FROM read_csv('${join(dir, "log.csv")}', header = true, columns = {'day': 'INTEGER', 'click': 'INTEGER', 'C1': 'VARCHAR', 'C2': 'VARCHAR', 'C3': 'VARCHAR', 'C4': 'VARCHAR', 'C5': 'VARCHAR', 'C6': 'VARCHAR', 'dcn_ctr': 'DOUBLE'})`);
  // Ordered by the log's row, so that every folder's part holds its day's rows in log order.
  const select = "SELECT day, click, C1, C2, C3, C4, tags, dcn_ctr FROM clicks ORDER BY rn";
  for (const codec of CODECS) await sql.run(`COPY (${select}) TO '${join(dir, `parquet-${codec}`)}' (FORMAT parquet, COMPRESSION ${codec}, PARTITION_BY (day), ROW_GROUP_SIZE 700)`);
  await sql.run(`COPY (SELECT day, click, C1, C2, C3, C4, array_to_string(tags, '|') AS tags, dcn_ctr FROM clicks ORDER BY rn) TO '${join(dir, "csv-gz")}' (FORMAT csv, HEADER, COMPRESSION gzip, PARTITION_BY (day))`);
  await sql.run(`COPY (SELECT click, C1, [C1, 'x|y'] AS tags FROM clicks LIMIT 10) TO '${join(dir, "bad-tags.parquet")}' (FORMAT parquet)`);
}, 60_000);

afterAll(async () => {
  sql?.closeSync();
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** The config of the README's guide, "Distilling teachers trained elsewhere" (its JSON block). */
function readmeConfig(): { data: Record<string, unknown> } & Record<string, unknown> {
  const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## Distilling teachers trained elsewhere\n"));
  const block = /```json\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error("README: no JSON config in the guide");
  return JSON.parse(block[1]!) as { data: Record<string, unknown> } & Record<string, unknown>;
}

/** Every record of a data path, as [label, ...cells]. */
async function readAll(path: string, options: ReaderOptions): Promise<string[][]> {
  const out: string[][] = [];
  for await (const chunk of openRecords(path, options).chunks()) for (const r of chunk) out.push([String(r.label), ...r.cells]);
  return out;
}

/** The log's rows as the readers should give them, day folder by day folder. */
function expectedRecords(): string[][] {
  const byDay = [...ROWS].sort((a, b) => a.day - b.day);
  return byDay.map((r) => [String(r.click), ...r.cells, r.tags.join("|"), String(r.score), String(r.day)]);
}

describe("Parquet and CSV written by DuckDB", () => {
  const select = ["C1", "C2", "C3", "C4", "tags", "dcn_ctr", "day"];

  it.each(CODECS)("reads a %s Parquet folder cell for cell, lists joined by the sequence's separator, day from the folders", async (codec) => {
    const records = await readAll(join(dir, `parquet-${codec}`), { format: "parquet", label: "click", select, listSeparators: { tags: "|" } });
    expect(records).toHaveLength(ROWS.length);
    expect(records).toEqual(expectedRecords());
  });

  it("reads DuckDB's gzip CSV parts to the same records", async () => {
    expect(await readAll(join(dir, "csv-gz"), { format: "csv", header: true, label: "click", select })).toEqual(expectedRecords());
  });

  it("refuses a list column for a feature that is not a sequence, and a list item holding the separator, naming file, row and field", async () => {
    const folder = join(dir, "parquet-zstd");
    await expect(readAll(folder, { format: "parquet", label: "click", select: ["tags"] })).rejects.toThrow(UserError);
    await expect(readAll(folder, { format: "parquet", label: "click", select: ["tags"] })).rejects.toThrow(/column 'tags' is a list of scalars, which only a sequence feature can read/);
    const bad = readAll(join(dir, "bad-tags.parquet"), { format: "parquet", label: "click", select: ["tags"], listSeparators: { tags: "|" } });
    await expect(bad).rejects.toThrow(DataError);
    await expect(bad).rejects.toThrow(/bad-tags\.parquet:1: field 'tags': list item 1 \("x\|y"\) contains the sequence separator "\|"/);
  });
});

describe("a run from DuckDB-written Parquet", () => {
  it("splits by the day folders, keeps every row, and carries the logged score column row by row", async () => {
    const p = await prepareData(dayData(join(dir, "parquet-zstd"), "parquet", { teacherScores: { columns: ["dcn_ctr"], kind: "probability" } }), { seed: 1 });
    expect([p.train.n, p.valid.n, p.test.n]).toEqual([log.train.rows.length, log.valid.rows.length, log.test.rows.length]);
    const logit = (q: number) => Math.log(q / (1 - q));
    const testScores = ROWS.filter((r) => r.day === 7).map((r) => logit(r.score));
    expect(Array.from(p.test.scores!)).toEqual(testScores.map((s) => Math.fround(s)));
    expect(Array.from(p.test.labels)).toEqual(ROWS.filter((r) => r.day === 7).map((r) => r.click));
  });

  it("distils with the README's config from the logged teacher column: the teacher's test AUC is that of the column", async () => {
    const config = readmeConfig();
    config.data.train = join(dir, "parquet-zstd");
    const report = await runPipeline({ ...config, training: { epochs: 2, batchSize: 256 } }, { outDir: join(dir, "run"), logger: () => undefined });
    const test = ROWS.filter((r) => r.day === 7);
    expect(report.teachers).toHaveLength(1);
    expect(report.teachers[0]!.auc).toBeCloseTo(auc(test.map((r) => r.click), test.map((r) => r.score)), 6);
    expect(report.students.map((s) => s.ensemble)).toEqual([null, "best"]);
    for (const s of report.students) expect(Number.isFinite(s.auc) && Number.isFinite(s.logloss)).toBe(true);
  }, 120_000);
});
