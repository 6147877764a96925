import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { parquetWriteFile } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import type { DataConfig } from "../../sdk/config-types";
import { prepareData } from "../../sdk/data/prepare";
import { withReadProgress } from "../../sdk/data/read-progress";
import { listDataFiles, openRecords, type ReaderOptions } from "../../sdk/data/readers/index";
import { silentLogger } from "../../sdk/log";

const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

function write(path: string, content: string | Buffer): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

const HEADER = "click,C1,C2,I1";

/** Rows `from`..`to`-1 of a log whose clicks follow C1 (so a model has something to learn). */
function rows(from: number, to: number): string {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    const c1 = i % 7;
    const click = (c1 < 2 ? i % 4 !== 0 : i % 5 === 0) ? 1 : 0;
    out.push(`${click},c${c1},d${(i * 3) % 5},${i % 17}`);
  }
  return out.join("\n") + "\n";
}

const csv = (from: number, to: number) => `${HEADER}\n${rows(from, to)}`;

const DATA: Omit<DataConfig, "train"> = {
  format: "csv",
  delimiter: ",",
  header: true,
  label: "click",
  features: [{ name: "C1", type: "categorical" }, { name: "C2", type: "categorical" }, { name: "I1", type: "numeric", transform: "standard" }],
};

const SELECT: ReaderOptions = { format: "csv", header: true, label: "click", select: ["C1", "C2", "I1"] };

/** The rows of the zstd fixture below, as plain CSV: `zstd -19` of exactly this text. */
function zstdFixtureCsv(): string {
  const lines = [HEADER];
  for (let i = 0; i < 60; i++) lines.push(`${(i * 7) % 3 === 0 ? 1 : 0},c${i % 11},d${(i * 3) % 5},${i % 17}`);
  return lines.join("\n") + "\n";
}
const ZSTD_FIXTURE =
  "KLUv/WSBAV0HALbTKBKQqTmYuMznE4Y9IhFCMHZ5RgckACIAIgBBuQPMGyhzbLqtzKntrnKH7k1lTq+7ZQ7nzXKnxlTcYqQcSQmzY61u1Hu33Gmvm2UOO2+2zCGmmyh3hu0eyhzh3kKZE1x3Vyenuwb01k3wHjq1G3s7xDVMYeoEG3Dt6tTk0NStw6AX0DNMwhZc4LJZE229vIJOoJN1q17q1U52IrbhClcwgcm2uhQyqCEUARPb/p8BICfG7BAYRvySCGuPACG6ElqjWsZrX3bVxnepbHu19usI1DwzHayeGpp+tWgyz+S/h3fcvET2H6UmtQpiSlUY";

describe("a run on a folder of gzip-compressed parts", () => {
  it("trains, evaluates and exports with the parts' total rows (CLI, paths relative to the config)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "multi-file-run-"));
    const parts = [
      [0, 700],
      [700, 1300],
      [1300, 2100],
      [2100, 2500],
    ] as const;
    for (const [k, [from, to]] of parts.entries()) write(join(dir, "logs/train", `part-0000${k}.csv.gz`), gzipSync(csv(from, to)));
    write(join(dir, "logs/train/_SUCCESS"), "");
    write(join(dir, "logs/train/.part-00000.csv.gz.crc"), "not data");
    write(join(dir, "logs/valid-a.csv.gz"), gzipSync(csv(2500, 2800)));
    write(join(dir, "logs/valid-b.csv.gz"), gzipSync(csv(2800, 3000)));
    write(join(dir, "logs/test.csv.gz"), gzipSync(csv(3000, 3600)));
    const config = write(
      join(dir, "cfg/run.json"),
      JSON.stringify({
        data: { ...DATA, train: "../logs/train", valid: "../logs/valid-*.csv.gz", test: "../logs/test.csv.gz" },
        teachers: [{ model: "LR" }],
        student: { embeddingDim: 4, hiddenUnits: [8] },
        distill: { ensemble: "mean" },
        training: { batchSize: 256, epochs: 2, learningRate: 0.02, seed: 3, patience: 1 },
      }),
    );
    const out = join(dir, "out");
    // From another folder: the config's relative paths, its glob among them, resolve from the config's folder.
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, "bin/ctr-distill.js"), "run", "--config", config, "--out", out, "--json", "--no-http-check"], { cwd: tmpdir() });
    expect(stderr).toContain("data: train 2500 rows, valid 500 rows, test 600 rows;");
    const report = JSON.parse(stdout) as { students: { auc: number }[]; artifact: string };
    expect(report.students.length).toBeGreaterThan(0);
    expect(report.students.every((s) => s.auc > 0.6)).toBe(true);
    expect(existsSync(join(report.artifact, "student.wasm"))).toBe(true);
    expect(existsSync(join(report.artifact, "feature-map.json"))).toBe(true);
  }, 180_000);
});

describe("reading many files as one data set", () => {
  it("a zstd part reads the same rows as its plain text, decompressed while streaming", async () => {
    const dir = mkdtempSync(join(tmpdir(), "multi-file-zstd-"));
    const zst = write(join(dir, "part.csv.zst"), Buffer.from(ZSTD_FIXTURE, "base64"));
    const plain = write(join(dir, "part.csv"), zstdFixtureCsv());
    // 64-byte reads: the compressed frame arrives in pieces.
    const fromZstd = await openRecords(zst, { ...SELECT, chunkSize: 64 }).readAll();
    expect(fromZstd).toHaveLength(60);
    expect(fromZstd).toEqual(await openRecords(plain, SELECT).readAll());
  });

  it("a folder: parts of any compression in name order, subfolders too, `_` and `.` names skipped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "multi-file-folder-"));
    write(join(dir, "set/b/part-1.csv.gz"), gzipSync(csv(10, 20)));
    write(join(dir, "set/a.csv"), csv(0, 10));
    write(join(dir, "set/c.csv.zst"), Buffer.from(ZSTD_FIXTURE, "base64"));
    write(join(dir, "set/_SUCCESS"), "");
    write(join(dir, "set/_temporary/part-9.csv"), csv(100, 200));
    write(join(dir, "set/.a.csv.crc"), "x");
    // Empty parts, as engines write them for empty partitions: no rows, no error.
    write(join(dir, "set/d.csv"), "");
    write(join(dir, "set/e.csv.gz"), gzipSync(""));
    const files = await listDataFiles(join(dir, "set"));
    expect(files.map((f) => f.path.slice(dir.length + 1))).toEqual(["set/a.csv", "set/b/part-1.csv.gz", "set/c.csv.zst", "set/d.csv", "set/e.csv.gz"]);
    const reader = openRecords(join(dir, "set"), SELECT);
    const records = await reader.readAll();
    expect(records).toHaveLength(10 + 10 + 60);
    // Rows keep their part file and line.
    expect(records[10]).toMatchObject({ file: join(dir, "set/b/part-1.csv.gz"), line: 2, cells: ["c3", "d0", "10"] });
    expect(reader.bytesTotal).toBe(files.reduce((s, f) => s + f.size, 0));
    expect(reader.bytesRead).toBe(reader.bytesTotal);
  });

  it("globs and lists: matches in name order, a file named twice refused, no match refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "multi-file-glob-"));
    for (const day of ["day_2", "day_10", "day_1"]) write(join(dir, `${day}/clicks.tsv.gz`), gzipSync("x"));
    write(join(dir, "day_3.txt"), "x");
    const names = async (paths: string | string[]) => (await listDataFiles(paths)).map((f) => f.path.slice(dir.length + 1));
    expect(await names(join(dir, "day_?/*.tsv.gz"))).toEqual(["day_1/clicks.tsv.gz", "day_2/clicks.tsv.gz"]);
    expect(await names(join(dir, "day_*"))).toEqual(["day_1/clicks.tsv.gz", "day_10/clicks.tsv.gz", "day_2/clicks.tsv.gz", "day_3.txt"]);
    expect(await names([join(dir, "day_3.txt"), join(dir, "day_1")])).toEqual(["day_3.txt", "day_1/clicks.tsv.gz"]);
    await expect(listDataFiles([join(dir, "day_1"), join(dir, "day_*/clicks.tsv.gz")])).rejects.toThrow(/day_1\/clicks\.tsv\.gz is named twice/);
    await expect(listDataFiles(join(dir, "week_*"))).rejects.toThrow(`no data file matches ${join(dir, "week_*")}`);
    mkdirSync(join(dir, "empty"));
    write(join(dir, "empty/_SUCCESS"), "");
    await expect(listDataFiles(join(dir, "empty"))).rejects.toThrow(/data folder has no data files: .*empty \(names starting with _ or \. are skipped\)/);
  });

  it("refuses a part whose header differs, naming it and the first file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "multi-file-header-"));
    write(join(dir, "part-00000.csv"), csv(0, 5));
    write(join(dir, "part-00001.csv.gz"), gzipSync(`click,C2,C1,I1\n${rows(5, 9)}`));
    const train = dir;
    await expect(prepareData({ ...DATA, train, split: [0.8, 0.1, 0.1] }, { seed: 1 })).rejects.toThrow(
      `${join(dir, "part-00001.csv.gz")}: its columns differ from those of ${join(dir, "part-00000.csv")}: column 2 is 'C2', not 'C1'`,
    );
    write(join(dir, "part-00001.csv.gz"), gzipSync(`click,C1,C2,I1,extra\n${rows(5, 9)}`));
    await expect(prepareData({ ...DATA, train, split: [0.8, 0.1, 0.1] }, { seed: 1 })).rejects.toThrow(/part-00001\.csv\.gz: its columns differ .*: 5 columns, not 4/);
  });

  it("names the part file and line of a bad cell, and of corrupt compressed data", async () => {
    const dir = mkdtempSync(join(tmpdir(), "multi-file-errors-"));
    write(join(dir, "train/part-00000.csv.gz"), gzipSync(csv(0, 20)));
    write(join(dir, "train/part-00003.csv.gz"), gzipSync(`${HEADER}\n1,c1,d1,4\n0,c2,d2,oops\n`));
    await expect(prepareData({ ...DATA, train: join(dir, "train"), split: [0.8, 0.1, 0.1] }, { seed: 1 })).rejects.toThrow(
      `${join(dir, "train/part-00003.csv.gz")}:3: field 'I1': expected a finite number, got "oops"`,
    );
    // A folder of one part names the part too.
    write(join(dir, "one/part-00003.csv.gz"), gzipSync(`${HEADER}\n1,c1,d1,4\n0,c2,d2,oops\n`));
    await expect(prepareData({ ...DATA, train: join(dir, "one"), split: [0.8, 0.1, 0.1] }, { seed: 1 })).rejects.toThrow(`${join(dir, "one/part-00003.csv.gz")}:3: field 'I1'`);
    const broken = write(join(dir, "broken.csv.gz"), gzipSync(csv(0, 2000)).subarray(0, 300));
    await expect(openRecords(broken, SELECT).readAll()).rejects.toThrow(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+: not valid gzip data \\(`));
  });

  it("draws a random split per file and line: one file splits alike alone, in a list or in a folder; two equal files do not", async () => {
    const dir = mkdtempSync(join(tmpdir(), "multi-file-split-"));
    const one = write(join(dir, "one/log.csv"), csv(0, 400));
    const lines = async (train: string | string[]) => [...(await prepareData({ ...DATA, train, split: [0.6, 0.2, 0.2] }, { seed: 5 })).valid.lines!];
    const alone = await lines(one);
    expect(await lines([one])).toEqual(alone);
    expect(await lines(join(dir, "one"))).toEqual(alone);
    write(join(dir, "two/a.csv"), csv(0, 400));
    write(join(dir, "two/b.csv"), csv(0, 400));
    const both = await lines(join(dir, "two"));
    // The first file's rows split as they do alone; the second's by their own seed, not as the same lines again.
    expect(both.slice(0, alone.length)).toEqual(alone);
    expect(both.slice(alone.length)).not.toEqual(alone);
  });

  it("skipped bad lines of many parts are counted together and located in their parts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "multi-file-skip-"));
    write(join(dir, "p0.csv"), `${HEADER}\n${rows(0, 30)}1,c1\n`);
    write(join(dir, "p1.csv"), `${HEADER}\n1,c1\n${rows(30, 60)}`);
    const logs: string[] = [];
    const p = await prepareData({ ...DATA, train: dir, split: [0.8, 0.1, 0.1] }, { seed: 1, skipBadLines: true, log: (m) => logs.push(m) });
    expect(p.train.n + p.valid.n + p.test.n).toBe(60);
    expect(p.skipped).toEqual([{ file: dir, skipped: 2, first: [`${join(dir, "p0.csv")}:32: field 'C2': has 2 cells, expected 4`, `${join(dir, "p1.csv")}:2: field 'C2': has 2 cells, expected 4`] }]);
  });

  it("reports progress over the bytes of all files, rising to the whole", async () => {
    const dir = mkdtempSync(join(tmpdir(), "multi-file-progress-"));
    for (let k = 0; k < 3; k++) write(join(dir, `part-${k}.csv.gz`), gzipSync(csv(k * 1000, (k + 1) * 1000)));
    const reader = openRecords(dir, { ...SELECT, chunkSize: 256 });
    const seen: number[] = [];
    let rows = 0;
    for await (const chunk of withReadProgress(reader, silentLogger, "test")) {
      rows += chunk.length;
      seen.push(reader.bytesRead / reader.bytesTotal);
    }
    expect(rows).toBe(3000);
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1]!)).toBe(true);
    expect(seen.some((f) => f > 0.3 && f < 0.7)).toBe(true);
    expect(seen.at(-1)).toBe(1);
  });

  it("gives the column of a `key=value` folder (Hive-style partitions) to every row under it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "multi-file-hive-"));
    write(join(dir, "day=2014-10-20/part-0.csv"), csv(0, 3));
    write(join(dir, "day=2014-10-21/part-0.csv.gz"), gzipSync(csv(3, 5)));
    const records = await openRecords(dir, { ...SELECT, select: ["C1", "day", "I1"] }).readAll();
    expect(records.map((r) => r.cells)).toEqual([
      ["c0", "2014-10-20", "0"],
      ["c1", "2014-10-20", "1"],
      ["c2", "2014-10-20", "2"],
      ["c3", "2014-10-21", "3"],
      ["c4", "2014-10-21", "4"],
    ]);
  });
});

describe("a folder of parquet parts", () => {
  const part = (path: string, from: number, to: number, second = "user") => {
    mkdirSync(dirname(path), { recursive: true });
    const n = to - from;
    parquetWriteFile({
      filename: path,
      columnData: [
        { name: "click", data: Array.from({ length: n }, (_, i) => ((from + i) % 3 === 0 ? 1 : 0)), type: "INT32" },
        { name: second, data: Array.from({ length: n }, (_, i) => `u${(from + i) % 5}`), type: "STRING" },
      ],
    });
  };
  const options: ReaderOptions = { format: "parquet", label: "click", select: ["user", "day"] };

  it("reads Spark-style day=… parts as one set, with the partition column and progress by finished files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "multi-file-parquet-"));
    part(join(dir, "day=1/part-00000.snappy.parquet"), 0, 30);
    part(join(dir, "day=1/part-00001.snappy.parquet"), 30, 40);
    part(join(dir, "day=2/part-00000.snappy.parquet"), 40, 60);
    write(join(dir, "_SUCCESS"), "");
    const reader = openRecords(dir, options);
    const fractions: number[] = [];
    const records = [];
    for await (const chunk of reader.chunks()) {
      fractions.push(reader.bytesRead / reader.bytesTotal);
      records.push(...chunk);
    }
    expect(records).toHaveLength(60);
    expect(records.map((r) => r.cells[1])).toEqual([...Array<string>(40).fill("1"), ...Array<string>(20).fill("2")]);
    expect(records[45]).toMatchObject({ file: join(dir, "day=2/part-00000.snappy.parquet"), line: 6, label: 1, cells: ["u0", "2"] });
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)!).toBeGreaterThan(0.5);
  });

  it("refuses a part whose schema names other columns", async () => {
    const dir = mkdtempSync(join(tmpdir(), "multi-file-parquet-bad-"));
    part(join(dir, "a.parquet"), 0, 10);
    part(join(dir, "b.parquet"), 10, 20, "usr");
    await expect(openRecords(dir, { ...options, select: ["user"] }).readAll()).rejects.toThrow(`${join(dir, "b.parquet")}: its columns differ from those of ${join(dir, "a.parquet")}: column 2 is 'usr', not 'user'`);
  });
});

describe("one file stays as before", () => {
  it("a missing path and an empty file keep their messages", async () => {
    const dir = mkdtempSync(join(tmpdir(), "multi-file-one-"));
    await expect(openRecords(join(dir, "nope.csv"), SELECT).readAll()).rejects.toThrow(`data file not found: ${join(dir, "nope.csv")}`);
    const empty = write(join(dir, "empty.csv"), "");
    await expect(openRecords(empty, SELECT).readAll()).rejects.toThrow(`data file is empty: ${empty}`);
  });
});
