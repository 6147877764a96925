import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DataConfig } from "../../sdk/config-types";
import { prepareData, readEncoded } from "../../sdk/data/prepare";
import { DataError, UserError } from "../../sdk/errors";
import { unpooledLayout } from "../../sdk/runtime/slots";

const dir = mkdtempSync(join(tmpdir(), "prepare-"));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const SYNTH: DataConfig = {
  format: "csv", delimiter: ",", header: true, label: "click", features: [],
  synthetic: { seed: 3, rows: { train: 3000, valid: 500, test: 1000 }, fields: 5, vocabSize: 40, interactions: 2, zipf: 1, ctr: 0.3 },
};

function rows(n: number, start = 0): string {
  // label, user, num; user u0..u4, label 1 on every third row
  return Array.from({ length: n }, (_, i) => `${(i + start) % 3 === 0 ? 1 : 0},u${(i + start) % 5},${i + start}`).join("\n") + "\n";
}

const FILES: Omit<DataConfig, "train"> = {
  format: "csv", delimiter: ",", header: true, label: "y",
  features: [
    { name: "user", type: "categorical" },
    { name: "n", type: "numeric", transform: "standard" },
  ],
};

describe("prepareData", () => {
  it("generates synthetic data, fits the map on train and reports the Bayes metrics", async () => {
    const logs: string[] = [];
    const p = await prepareData(SYNTH, { seed: 1, log: (m) => logs.push(m) });
    expect([p.train.n, p.valid.n, p.test.n]).toEqual([3000, 500, 1000]);
    expect(p.featureMap.features.map((f) => f.name)).toEqual(["C1", "C2", "C3", "C4", "C5"]);
    expect(p.train.layout).toEqual(unpooledLayout(5));
    expect(p.bayes!.auc).toBeGreaterThan(0.5);
    expect(logs[0]).toBe("data: train 3000 rows, valid 500 rows, test 1000 rows; feature map 5 fields, " + p.featureMap.totalRows + " embedding rows");
    expect(logs[1]).toMatch(/Bayes-optimal AUC 0\.\d{4}, logloss 0\.\d{4}/);
  });

  it("prepares the same data and feature map id twice for one config", async () => {
    const a = await prepareData(SYNTH, { seed: 1 });
    const b = await prepareData(SYNTH, { seed: 1 });
    expect(b.featureMap.id).toBe(a.featureMap.id);
    expect(b.test.ids).toEqual(a.test.ids);
  });

  it("fits on the train file only: a value seen only in test encodes as out-of-vocabulary", async () => {
    const train = file("tr.csv", "y,user,n\n1,a,1\n0,b,2\n");
    const valid = file("va.csv", "y,user,n\n1,a,3\n");
    const test = file("te.csv", "y,user,n\n0,c,4\n1,,5\n");
    const p = await prepareData({ ...FILES, train, valid, test }, { seed: 1 });
    expect([p.train.n, p.valid.n, p.test.n]).toEqual([2, 1, 2]);
    const user = p.featureMap.features[0]!;
    expect(user).toMatchObject({ type: "categorical", vocab: ["a", "b"] });
    expect([p.test.ids[0], p.test.ids[2]]).toEqual([3, 0]);
    expect([...p.test.lines!]).toEqual([2, 3]);
  });

  it("splits a single file deterministically by seed into disjoint parts of about the given sizes", async () => {
    const train = file("all.csv", "y,user,n\n" + rows(2000));
    const cfg = { ...FILES, train, split: [0.8, 0.1, 0.1] as [number, number, number] };
    const a = await prepareData(cfg, { seed: 7 });
    const b = await prepareData(cfg, { seed: 7 });
    const c = await prepareData(cfg, { seed: 8 });
    const lines = (p: typeof a) => [p.train, p.valid, p.test].map((d) => [...d.lines!]);
    expect(lines(b)).toEqual(lines(a));
    expect(lines(c)).not.toEqual(lines(a));
    const all = lines(a).flat().sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 2000 }, (_, i) => i + 2));
    expect(a.train.n / 2000).toBeCloseTo(0.8, 1);
    expect(a.valid.n / 2000).toBeCloseTo(0.1, 1);
  });

  it("draws only the parts without a file from train (MovieLens: test file, valid from train)", async () => {
    const train = file("base.csv", "y,user,n\n" + rows(500));
    const test = file("test.csv", "y,user,n\n" + rows(40));
    const p = await prepareData({ ...FILES, train, test, split: [0.9, 0.1, 0] }, { seed: 1 });
    expect(p.test.n).toBe(40);
    expect(p.train.n + p.valid.n).toBe(500);
    expect(p.valid.n).toBeGreaterThan(20);
  });

  it("refuses missing valid/test files without a split, and a split fraction for a part that has its own file", async () => {
    const train = file("t1.csv", "y,user,n\n" + rows(20));
    await expect(prepareData({ ...FILES, train }, { seed: 1 })).rejects.toThrow(/no valid or test file; give 'valid' and 'test' or a 'split'/);
    await expect(prepareData({ ...FILES, train, test: train, split: [0.8, 0.1, 0.1] }, { seed: 1 })).rejects.toThrow(
      /data\.split: 'test' has its own file, so its fraction must be 0/,
    );
    await expect(prepareData({ ...FILES, format: "parquet", train, split: [0.8, 0.1, 0.1] }, { seed: 1 })).rejects.toThrow(UserError);
  });

  it("fails on the first bad line with a DataError naming file, line and field", async () => {
    const train = file("bad.csv", "y,user,n\n1,a,1\n0,b,oops\n1,c,3\n");
    const err = await prepareData({ ...FILES, train, valid: train, test: train }, { seed: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err).toMatchObject({ file: train, line: 3, field: "n" });
  });

  it("with skipBadLines skips bad lines everywhere and logs how many and where", async () => {
    const train = file("bad2.csv", "y,user,n\n1,a,1\n0,b,oops\n1,c,3\n5,d,4\n0,e,5\n");
    const logs: string[] = [];
    const p = await prepareData({ ...FILES, train, valid: train, test: train }, { seed: 1, skipBadLines: true, log: (m) => logs.push(m) });
    expect([p.train.n, p.valid.n, p.test.n]).toEqual([3, 3, 3]);
    expect(p.featureMap.features[0]).toMatchObject({ vocab: ["a", "c", "e"] });
    expect(p.skipped![0]).toMatchObject({ file: train, skipped: 2 });
    expect(logs.some((l) => l.includes(`skipped 2 bad lines, first: ${train}:3: field 'n'`))).toBe(true);
  });
});

describe("readEncoded", () => {
  it("encodes another file with the prepared feature map, identically to prepareData's own split", async () => {
    const train = file("re-tr.csv", "y,user,n\n1,a,1\n0,b,2\n");
    const test = file("re-te.csv", "n,y,user\n4,0,c\n5,1,a\n");
    const cfg = { ...FILES, train, valid: train, test };
    const p = await prepareData(cfg, { seed: 1 });
    const again = await readEncoded(test, cfg, p.featureMap);
    expect(again.ids).toEqual(p.test.ids);
    expect(again.values).toEqual(p.test.values);
  });

  it("refuses a map with a feature the data configuration lacks", async () => {
    const train = file("re2.csv", "y,user,n\n1,a,1\n");
    const p = await prepareData({ ...FILES, train, valid: train, test: train }, { seed: 1 });
    await expect(readEncoded(train, { ...FILES, features: [FILES.features[0]!] }, p.featureMap)).rejects.toThrow(/data\.features lacks feature 'n' of feature map/);
  });
});
