import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteFile, type ColumnSource } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import type { DataConfig } from "../../sdk/config-types";
import { prepareData, readEncoded } from "../../sdk/data/prepare";
import { openRecords, PARQUET_CHUNK_ROWS, type ReaderOptions } from "../../sdk/data/readers/index";
import { DataError, UserError } from "../../sdk/errors";

const dir = mkdtempSync(join(tmpdir(), "parquet-"));
let counter = 0;

/** Writes `columns` as a parquet file (snappy, the writer's default) and returns its path. */
function parquet(columns: ColumnSource[], rowGroupSize: number | number[] = 1000): string {
  const filename = join(dir, `p${counter++}.parquet`);
  parquetWriteFile({ filename, columnData: columns, rowGroupSize });
  return filename;
}

/** A click log of `n` rows: label, a nullable string, a double, an INT64 and a boolean. */
function clickLog(n: number): ColumnSource[] {
  return [
    { name: "click", data: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)), type: "INT32" },
    { name: "user", data: Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : `u${i % 11}`)), type: "STRING" },
    { name: "price", data: Array.from({ length: n }, (_, i) => i * 0.5), type: "DOUBLE" },
    { name: "views", data: Array.from({ length: n }, (_, i) => BigInt(i * 1000)), type: "INT64" },
    { name: "promo", data: Array.from({ length: n }, (_, i) => i % 2 === 0), type: "BOOLEAN" },
  ];
}

const OPTIONS: ReaderOptions = { format: "parquet", label: "click", select: ["price", "user", "views", "promo"] };

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the read to fail");
}

describe("parquet reader", () => {
  it("reads the label and the selected columns by name, in the requested order, with 1-based row numbers", async () => {
    const file = parquet(clickLog(10));
    const recs = await openRecords(file, OPTIONS).readAll();
    expect(recs).toHaveLength(10);
    expect(recs.slice(0, 3)).toEqual([
      { line: 1, label: 1, cells: ["0", "", "0", "1"] },
      { line: 2, label: 0, cells: ["0.5", "u1", "1000", "0"] },
      { line: 3, label: 0, cells: ["1", "u2", "2000", "1"] },
    ]);
  });

  it("selects columns by 0-based index as well as by name", async () => {
    const file = parquet(clickLog(4));
    const recs = await openRecords(file, { format: "parquet", label: "0", select: ["1", "views"] }).readAll();
    expect(recs.map((r) => r.cells)).toEqual([["", "0"], ["u1", "1000"], ["u2", "2000"], ["u3", "3000"]]);
    expect(recs.map((r) => r.label)).toEqual([1, 0, 0, 1]);
  });

  it("yields records one row group at a time, in slices of at most PARQUET_CHUNK_ROWS", async () => {
    const n = 3 * PARQUET_CHUNK_ROWS;
    const big = PARQUET_CHUNK_ROWS + 100;
    const file = parquet(clickLog(n), [1000, big]);
    const sizes: number[] = [];
    let next = 1;
    for await (const chunk of openRecords(file, OPTIONS).chunks()) {
      sizes.push(chunk.length);
      for (const r of chunk) expect(r.line).toBe(next++);
    }
    // Row groups of 1000, big, big and the rest (the writer repeats the last rowGroupSize); a big group is two slices.
    expect(sizes).toEqual([1000, PARQUET_CHUNK_ROWS, 100, PARQUET_CHUNK_ROWS, 100, n - 1000 - 2 * big]);
    expect(next - 1).toBe(n);
  });

  it("takes boolean and floating-point labels, and binarises with labelThreshold", async () => {
    const file = parquet([
      { name: "flag", data: [true, false, true], type: "BOOLEAN" },
      { name: "rating", data: [5, 3.5, 4], type: "DOUBLE" },
      { name: "one", data: [1, 0, 1], type: "DOUBLE" },
    ]);
    const byFlag = await openRecords(file, { format: "parquet", label: "flag", select: [] }).readAll();
    expect(byFlag.map((r) => r.label)).toEqual([1, 0, 1]);
    const byDouble = await openRecords(file, { format: "parquet", label: "one", select: [] }).readAll();
    expect(byDouble.map((r) => r.label)).toEqual([1, 0, 1]);
    const byRating = await openRecords(file, { format: "parquet", label: "rating", select: ["rating"], labelThreshold: 4 }).readAll();
    expect(byRating.map((r) => [r.label, r.cells[0]])).toEqual([[1, "5"], [0, "3.5"], [1, "4"]]);
  });

  it("throws for a missing column, naming the file's columns", async () => {
    const file = parquet(clickLog(5));
    const err = await failure(openRecords(file, { ...OPTIONS, select: ["price", "nope"] }).readAll());
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(`${file}: unknown column 'nope' (columns: click, user, price, views, promo)`);
    const noLabel = await failure(openRecords(file, { ...OPTIONS, label: "clicked" }).readAll());
    expect(noLabel.message).toMatch(/unknown column 'clicked'/);
  });

  it("throws a DataError naming file, row and field for a null label", async () => {
    const file = parquet([
      { name: "click", data: [1, 0, null, 1], type: "INT32" },
      { name: "user", data: ["a", "b", "c", "d"], type: "STRING" },
    ]);
    const err = await failure(openRecords(file, { format: "parquet", label: "click", select: ["user"] }).readAll());
    expect(err).toBeInstanceOf(DataError);
    expect(err).toMatchObject({ file, line: 3, field: "click", reason: "missing label" });
    expect(err.message).toBe(`${file}:3: field 'click': missing label`);
  });

  it("with skipBadLines counts and skips null and non-binary labels", async () => {
    const file = parquet([
      { name: "click", data: [1, null, 0, 7, 1], type: "INT32" },
      { name: "user", data: ["a", "b", "c", "d", "e"], type: "STRING" },
    ]);
    const reader = openRecords(file, { format: "parquet", label: "click", select: ["user"], skipBadLines: true });
    const recs = await reader.readAll();
    expect(recs.map((r) => [r.line, r.cells[0]])).toEqual([[1, "a"], [3, "c"], [5, "e"]]);
    expect(reader.bad.summary()).toEqual({
      skipped: 2,
      first: [`${file}:2: field 'click': missing label`, `${file}:4: field 'click': label must be 0 or 1, got 7`],
    });
  });

  it("refuses a file that is not parquet, an empty file and a missing file with one line", async () => {
    const csv = join(dir, "not.parquet");
    writeFileSync(csv, "click,user\n1,a\n");
    expect((await failure(openRecords(csv, OPTIONS).readAll())).message).toMatch(/^.*not\.parquet: not a readable parquet file \(parquet file invalid/);
    const empty = join(dir, "empty.parquet");
    writeFileSync(empty, "");
    expect((await failure(openRecords(empty, OPTIONS).readAll())).message).toBe(`data file is empty: ${empty}`);
    const missing = join(dir, "missing.parquet");
    const err = await failure(openRecords(missing, OPTIONS).readAll());
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(`data file not found: ${missing}`);
  });
});

describe("parquet without a label (label: null, for scoring)", () => {
  it("reads a file that has no label column", async () => {
    const columns = clickLog(3).filter((c) => c.name !== "click");
    const recs = await openRecords(parquet(columns), { format: "parquet", label: null, select: ["views", "user"] }).readAll();
    expect(recs).toEqual([
      { line: 1, label: NaN, cells: ["0", ""] },
      { line: 2, label: NaN, cells: ["1000", "u1"] },
      { line: 3, label: NaN, cells: ["2000", "u2"] },
    ]);
  });
});

describe("parquet in prepareData", () => {
  const FEATURES: DataConfig["features"] = [
    { name: "user", type: "categorical", minCount: 1 },
    { name: "price", type: "numeric", transform: "standard" },
  ];
  const data = (train: string): DataConfig => ({
    train,
    split: [0.8, 0.1, 0.1],
    format: "parquet",
    delimiter: ",",
    header: true,
    label: "click",
    features: FEATURES,
  });

  it("fits a feature map and encodes every split from one parquet file", async () => {
    const file = parquet(clickLog(600), 250);
    const p = await prepareData(data(file), { seed: 3 });
    expect(p.train.n + p.valid.n + p.test.n).toBe(600);
    expect(p.valid.n).toBeGreaterThan(20);
    const user = p.featureMap.features[0]!;
    expect(user).toMatchObject({ name: "user", type: "categorical" });
    expect(user.type === "categorical" && [...user.vocab].sort()).toEqual(Array.from({ length: 11 }, (_, i) => `u${i}`).sort());
    // Row 1 has a null user: the missing id (the field's offset), and price 0.
    const again = await readEncoded(file, data(file), p.featureMap);
    expect(again.n).toBe(600);
    expect(again.ids[0]).toBe(user.offset);
    expect(Array.from(again.labels.slice(0, 4))).toEqual([1, 0, 0, 1]);
  });
});
