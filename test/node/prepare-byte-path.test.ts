/**
 * prepareData's encoding pass reads CSV/TSV from bytes and writes each row straight into its split's
 * buffers. It must give what the record path gives: the same rows in the same splits, ids, values, labels
 * and lines, for one file, a folder of parts (a split seed per part), the disk cache, and bad lines. The
 * record path is forced by a two-character delimiter, which the byte path does not split (same lines).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DataConfig } from "../../sdk/config-types";
import { disposeData, prepareData, type PreparedData } from "../../sdk/data/prepare";
import { RowRangeReader } from "../../sdk/data/dataset";
import { generateSynthetic } from "../../sdk/data/synthetic";

const dir = mkdtempSync(join(tmpdir(), "prepare-bytes-"));
const log = generateSynthetic({ seed: 5, rows: { train: 3000, valid: 10, test: 10 }, fields: 4, vocabSize: 30, interactions: 2, zipf: 1, ctr: 0.3 });
const FEATURES: DataConfig["features"] = [
  { name: "C1", type: "categorical" },
  { name: "C2", type: "hashed", buckets: 16 },
  { name: "C3", type: "categorical", minCount: 3 },
  { name: "n", type: "numeric", transform: "standard" },
  { name: "q", type: "numeric", transform: "log-square" },
];

/** The log's rows as text with `delimiter`, rows [from, to); `bad` rows get a non-numeric `n`. */
function text(delimiter: string, from: number, to: number, bad: ReadonlySet<number> = new Set()): string {
  const lines = [["click", "C1", "C2", "C3", "n", "q"].join(delimiter)];
  for (let r = from; r < to; r++) {
    const [c1, c2, c3, c4] = log.train.rows[r]!;
    const n = bad.has(r) ? "oops" : String(Number(c4!.slice(1)) * 1.5);
    lines.push([log.train.labels[r], c1, c2, c3, n, String(r % 50)].join(delimiter));
  }
  return lines.join("\n") + "\n";
}

function write(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

function config(train: string, delimiter: string, extra: Partial<DataConfig> = {}): DataConfig {
  return { train, format: "csv", delimiter, header: true, label: "click", features: FEATURES, split: [0.7, 0.15, 0.15], ...extra };
}

/** A split's rows in memory (the disk cache read back). */
function rowsOf(p: PreparedData, split: "train" | "valid" | "test") {
  const ds = p[split];
  const all = new RowRangeReader(ds as ConstructorParameters<typeof RowRangeReader>[0], ds.layout.numSlots, ds.n).read(0, ds.n);
  return { n: ds.n, ids: Array.from(all.ids), values: Array.from(all.values), labels: Array.from(ds.labels), lines: Array.from(ds.lines ?? []) };
}

async function expectSame(bytes: DataConfig, records: DataConfig, opts: { skipBadLines?: boolean } = {}): Promise<PreparedData> {
  const a = await prepareData(bytes, { seed: 9, ...opts });
  const b = await prepareData(records, { seed: 9, ...opts });
  expect(a.featureMap.id).toBe(b.featureMap.id);
  for (const split of ["train", "valid", "test"] as const) expect(rowsOf(a, split), split).toEqual(rowsOf(b, split));
  expect(a.skipped?.map((s) => s.skipped)).toEqual(b.skipped?.map((s) => s.skipped));
  disposeData(a);
  disposeData(b);
  return a;
}

describe("prepareData's byte-level encoding pass", () => {
  it("splits and encodes one file as the record path does", async () => {
    const p = await expectSame(config(write("one.csv", text(",", 0, 3000)), ","), config(write("one.txt", text(";;", 0, 3000)), ";;"));
    expect(p.train.n + p.valid.n + p.test.n).toBe(3000);
    expect(p.valid.n).toBeGreaterThan(300);
  });

  it("a folder of parts, each with its own split seed, and the disk cache", async () => {
    for (const [name, delimiter] of [["parts-bytes", ","], ["parts-records", ";;"]] as const) {
      mkdirSync(join(dir, name));
      for (let k = 0; k < 3; k++) write(`${name}/part-${k}.csv`, text(delimiter, k * 1000, (k + 1) * 1000));
    }
    await expectSame(config(join(dir, "parts-bytes"), ","), config(join(dir, "parts-records"), ";;"));
    await expectSame(config(join(dir, "parts-bytes"), ",", { cache: "disk" }), config(join(dir, "parts-records"), ";;", { cache: "disk" }));
  });

  it("skips the same bad lines, and keeps the rest in their splits", async () => {
    const bad = new Set([5, 17, 2999]);
    const p = await expectSame(config(write("bad.csv", text(",", 0, 3000, bad)), ","), config(write("bad.txt", text(";;", 0, 3000, bad)), ";;"), { skipBadLines: true });
    expect(p.skipped![0]!.skipped).toBe(3);
  });

  it("valid and test files of their own", async () => {
    const files = (ext: string, d: string) => ({
      train: write(`tr.${ext}`, text(d, 0, 2000)),
      valid: write(`va.${ext}`, text(d, 2000, 2500)),
      test: write(`te.${ext}`, text(d, 2500, 3000)),
    });
    const { split: _s, ...noSplit } = config("", ",");
    await expectSame({ ...noSplit, ...files("csv", ",") }, { ...noSplit, delimiter: ";;", ...files("txt", ";;") });
  });
});
