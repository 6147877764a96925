import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortError, openRun, runPipeline, type OpenedRun, type RunConfigInput } from "../../sdk/index";
import { readEncoded } from "../../sdk/data/prepare";
import { generateSynthetic } from "../../sdk/data/synthetic";
import { silentLogger } from "../../sdk/log";
import { scoreFile } from "../../sdk/score/score-file";

/**
 * Scoring production data: a model trained on TSV files with a label scores an unlabelled CSV whose columns
 * come in another order, with an id passed through, and its scores are bit-for-bit those of the same rows
 * read in the training layout.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "score-file-"));
const synthetic = { seed: 33, rows: { train: 2000, valid: 400, test: 600 }, fields: 5, vocabSize: 10, interactions: 3, zipf: 1.0, ctr: 0.3 };
const gen = generateSynthetic(synthetic);
const FIELDS = gen.fields;
/** Production column order: reversed, an id first, no label. */
const PROD_COLUMNS = ["id", ...[...FIELDS].reverse()];

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/ctr-distill.js"), ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A split in the training layout: TSV, header `click` then the fields. */
function writeTrainingLayout(name: string, split: { rows: string[][]; labels: ArrayLike<number> }): string {
  const lines = [["click", ...FIELDS].join("\t"), ...split.rows.map((row, r) => [split.labels[r], ...row].join("\t"))];
  const file = join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

/** The test split as production sends it: CSV, PROD_COLUMNS, row r has id `u<r>`; `repeat` copies it; `header` replaces the header line. */
function writeProduction(name: string, repeat = 1, header = PROD_COLUMNS): string {
  const lines = [header.join(",")];
  for (let k = 0; k < repeat; k++)
    gen.test.rows.forEach((row, r) => lines.push(PROD_COLUMNS.map((c) => (c === "id" ? `u${r}` : row[FIELDS.indexOf(c)]!)).join(",")));
  const file = join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

let run: OpenedRun;
let runDir: string;
let testTsv: string;
/** The scores of the test split read in the training layout (the evaluate path), as the CLI prints them. */
let expected: string[];

beforeAll(async () => {
  const config = {
    data: {
      train: writeTrainingLayout("train.tsv", gen.train),
      valid: writeTrainingLayout("valid.tsv", gen.valid),
      test: (testTsv = writeTrainingLayout("test.tsv", gen.test)),
      format: "tsv",
      header: true,
      label: "click",
      features: FIELDS.map((name) => ({ name, type: "categorical" })),
    },
    teachers: [{ model: "DNN", hiddenUnits: [16] }],
    student: { embeddingDim: 4, hiddenUnits: [8] },
    distill: { ensemble: "mean" },
    training: { batchSize: 256, epochs: 2, learningRate: 0.01, seed: 1, patience: 1 },
  } satisfies RunConfigInput;
  runDir = join(dir, "run");
  await runPipeline(config, { outDir: runDir });
  run = await openRun(runDir);
  const ds = await readEncoded(testTsv, run.config.data, run.featureMap);
  expected = Array.from(run.scorer.score(ds.ids, ds.values, ds.n), String);
  // A model that scores every row alike would make the comparisons below vacuous.
  expect(new Set(expected).size).toBeGreaterThan(10);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("OpenedRun.scoreFile", () => {
  it("scores an unlabelled CSV with reordered columns bit-for-bit as the training layout, carrying the id", async () => {
    const ctr: string[] = [];
    const ids: string[] = [];
    for await (const batch of run.scoreFile(writeProduction("prod.csv"), { format: "csv", keep: ["id"] })) {
      batch.ctr.forEach((p) => ctr.push(String(p)));
      batch.kept.forEach((cells) => ids.push(cells[0]!));
    }
    expect(ctr).toEqual(expected);
    expect(ids).toEqual(gen.test.rows.map((_, r) => `u${r}`));
  });

  it("matches a parquet file's columns by name, with no label column", async () => {
    const filename = join(dir, "prod.parquet");
    const column = (c: string) => (c === "id" ? gen.test.rows.map((_, r) => `u${r}`) : gen.test.rows.map((row) => row[FIELDS.indexOf(c)]!));
    parquetWriteFile({ filename, columnData: PROD_COLUMNS.map((name) => ({ name, data: column(name), type: "STRING" as const })) });
    const ctr: string[] = [];
    for await (const batch of run.scoreFile(filename, { format: "parquet", keep: ["id"] })) batch.ctr.forEach((p) => ctr.push(String(p)));
    expect(ctr).toEqual(expected);
  });

  it("reads headerless rows by the run's data.columns, with or without the label column", async () => {
    // A run whose files were headerless, laid out as `columns` (the label first, as in Criteo and Avazu).
    const headerless = { ...run, config: { ...run.config, data: { ...run.config.data, header: false, columns: ["click", ...FIELDS] } } };
    const body = (withLabel: boolean) => gen.test.rows.map((row, r) => [...(withLabel ? [gen.test.labels[r]] : []), ...row].join("\t")).join("\n") + "\n";
    for (const withLabel of [true, false]) {
      const file = join(dir, `headerless-${withLabel}.tsv`);
      writeFileSync(file, body(withLabel));
      const ctr: string[] = [];
      for await (const batch of scoreFile(headerless, file, {}, silentLogger)) batch.ctr.forEach((p) => ctr.push(String(p)));
      expect(ctr).toEqual(expected);
    }
  });

  it("streams: a file of several read chunks arrives as several batches, in order", async () => {
    const file = writeProduction("prod-big.csv", 150); // 90,000 rows, 1.7 MB: two read chunks of 1 MiB
    let batches = 0;
    let rows = 0;
    let mismatches = 0;
    for await (const batch of run.scoreFile(file, { format: "csv" })) {
      batches++;
      batch.ctr.forEach((p, r) => (mismatches += String(p) === expected[(rows + r) % expected.length] ? 0 : 1));
      rows += batch.ctr.length;
    }
    expect(rows).toBe(150 * expected.length);
    expect(mismatches).toBe(0);
    expect(batches).toBeGreaterThan(1);
  });

  it("stops on an abort and leaves no output file", async () => {
    const out = join(dir, "aborted.csv");
    const controller = new AbortController();
    controller.abort();
    await expect(run.scoreFileTo(writeProduction("prod-abort.csv"), out, { format: "csv", signal: controller.signal })).rejects.toThrow(AbortError);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses a header lacking some of the model's columns, naming the missing and the extra ones", async () => {
    const file = writeProduction("renamed.csv", 1, ["id", "C5", "c4", "C3", "C2", "X1"]);
    await expect(run.scoreFile(file, { format: "csv" }).next()).rejects.toThrow(
      `${file}: no columns 'C1', 'C4' in its header; columns the model does not read: 'id', 'c4', 'X1'; did you mean 'c4' for 'C4'?`,
    );
  });
});

describe("ctr-distill score", () => {
  it("writes id,ctr with --keep id for an unlabelled CSV scored against a TSV-trained model", () => {
    const out = join(dir, "scores.csv");
    const r = cli("score", "--model", runDir, "--data", writeProduction("prod-cli.csv"), "--format", "csv", "--keep", "id", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(readFileSync(out, "utf8")).toBe(["id,ctr", ...expected.map((p, i) => `u${i},${p}`)].join("\n") + "\n");
    expect(r.stderr).toMatch(/scored 600 rows of .* rows\/s/);
    expect(readdirSync(dir).filter((f) => f.includes("partial"))).toEqual([]);
  });

  it("prints one probability per line without --keep, and ignores a label column that is present", () => {
    const r = cli("score", "--model", runDir, "--data", testTsv);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(expected.join("\n") + "\n");
  });

  it("writes JSON lines of the kept columns and ctr with --output jsonl", () => {
    const r = cli("score", "--model", runDir, "--data", writeProduction("prod-jsonl.csv"), "--format", "csv", "--keep", "id,C2", "--output", "jsonl");
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { id: string; C2: string; ctr: number });
    expect(rows).toHaveLength(600);
    expect(rows[7]).toEqual({ id: "u7", C2: gen.test.rows[7]![FIELDS.indexOf("C2")], ctr: Number(expected[7]) });
  });

  it("says that a CSV read with the run's TSV layout needs --format csv", () => {
    const file = writeProduction("prod-noformat.csv");
    const r = cli("score", "--model", runDir, "--data", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ctr-distill: .*prod-noformat\.csv:1: .*a CSV file read as TSV\?.*\n$/);
  });

  it("names file, line and field of a malformed line", () => {
    const file = join(dir, "short.csv");
    writeFileSync(file, `${PROD_COLUMNS.join(",")}\nu0,a,b,c,d,e\nu1,a,b\n`);
    const r = cli("score", "--model", runDir, "--data", file, "--format", "csv");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`ctr-distill: ${file}:3: field '${PROD_COLUMNS[3]}': has 3 cells, expected 6\n`);
  });

  it("refuses an existing --out unless --overwrite, and leaves it intact", () => {
    const out = join(dir, "precious.txt");
    writeFileSync(out, "not ours\n");
    const data = writeProduction("prod-out.csv");
    const refused = cli("score", "--model", runDir, "--data", data, "--format", "csv", "--out", out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^ctr-distill: --out .*precious\.txt: exists; pass --overwrite/);
    expect(readFileSync(out, "utf8")).toBe("not ours\n");
    const replaced = cli("score", "--model", runDir, "--data", data, "--format", "csv", "--out", out, "--overwrite");
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(expected.join("\n") + "\n");
  });

  it("leaves no output when the data fails after the first batches were written", () => {
    const out = join(dir, "never.csv");
    const file = writeProduction("bad-late.csv", 150);
    const lines = 1 + 150 * expected.length;
    writeFileSync(file, readFileSync(file, "utf8") + 'u1,"a,b,c,d,e\n');
    const r = cli("score", "--model", runDir, "--data", file, "--format", "csv", "--out", out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`bad-late\\.csv:${lines + 1}: .*unterminated quoted field`));
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes("partial"))).toEqual([]);
  });
});
