import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FeatureConfig } from "../../sdk/config-types";
import { DataError, UserError } from "../../sdk/errors";
import { FeatureMapFitter, fitFeatureMap } from "../../sdk/data/feature-map-fit";
import { canonicalJson, checkSchema, featureMapId, loadFeatureMap, saveFeatureMap } from "../../sdk/data/feature-map-io";
import { RowEncoder } from "../../sdk/runtime/encode";
import { hash32 } from "../../sdk/runtime/hash";

/** Regression pin: changes only when the map's JSON shape, the fixture or the fitting rules change. */
const PINNED_ID = "3b24bdd8760f8cff7e9a5d035fc581b32502f8b334895b1f71d8da0a0caeffa1";

const FEATURES: FeatureConfig[] = [
  { name: "cat", type: "categorical", minCount: 2 },
  { name: "hsh", type: "hashed", buckets: 8 },
  { name: "num", type: "numeric", transform: "standard" },
  { name: "mm", type: "numeric", transform: "minmax" },
  { name: "lsq", type: "numeric", transform: "log-square" },
  { name: "qtl", type: "quantile", quantiles: 4 },
];

// cells: cat, hsh, num, mm, lsq, qtl
const ROWS: string[][] = [
  ["a", "x", "1", "10", "0", "1"],
  ["b", "y", "2", "20", "1", "2"],
  ["a", "z", "3", "30", "2", "3"],
  ["c", "x", "4", "", "3", "4"],
  ["b", "", "", "15", "10", "5"],
  ["a", "y", "", "", "100", "6"],
  ["", "x", "", "", "", "7"],
  ["d", "x", "", "", "", "8"],
  ["d", "x", "", "", "", "9"],
  ["e", "x", "", "", "", "10"],
];

function fixtureMap() {
  return fitFeatureMap(FEATURES, "click", ROWS);
}

describe("feature map fitting", () => {
  it("keeps categorical values seen at least minCount times, most frequent first, ties by value", () => {
    const cat = fixtureMap().features[0]!;
    expect(cat).toEqual({ name: "cat", type: "categorical", offset: 0, size: 5, vocab: ["a", "b", "d"] });
  });

  it("encodes missing as 0, vocabulary as 1..V and unseen or rare values as the OOV index V+1", () => {
    const enc = new RowEncoder(fixtureMap(), "text");
    const rows = enc.encodeObjects([{ cat: "a" }, { cat: "d" }, { cat: "c" }, { cat: "never" }, { cat: "" }, {}]);
    const F = enc.numFields;
    expect([0, 1, 2, 3, 4, 5].map((r) => rows.ids[r * F])).toEqual([1, 3, 4, 4, 0, 0]);
  });

  it("sizes a hashed feature buckets + 1 and needs no vocabulary", () => {
    const map = fixtureMap();
    expect(map.features[1]).toEqual({ name: "hsh", type: "hashed", offset: 5, size: 9, buckets: 8 });
    const enc = new RowEncoder(map, "text");
    expect(enc.encodeObjects([{ hsh: "zzz" }]).ids[1]).toBe(5 + 1 + (hash32("zzz") % 8));
  });

  it("fits standard scaling on present values only: a = mean, b = population std", () => {
    const num = fixtureMap().features[2]!;
    expect(num).toMatchObject({ name: "num", type: "numeric", offset: 14, size: 2, transform: "standard", a: 2.5 });
    expect((num as { b: number }).b).toBeCloseTo(Math.sqrt(1.25), 12);
  });

  it("fits min-max scaling: a = min, b = max", () => {
    expect(fixtureMap().features[3]).toEqual({ name: "mm", type: "numeric", offset: 16, size: 2, transform: "minmax", a: 10, b: 30 });
  });

  it("builds a log-square vocabulary over Criteo's floor(ln(x)^2) keys", () => {
    // 0→"0", 1→"1", 2→"2", 3→floor(1.207)="1", 10→floor(5.30)="5", 100→floor(21.2)="21"
    expect(fixtureMap().features[4]).toEqual({ name: "lsq", type: "log-square", offset: 18, size: 7, vocab: ["1", "0", "2", "21", "5"] });
  });

  it("places quantile boundaries at the k/q positions of the sorted values", () => {
    expect(fixtureMap().features[5]).toEqual({ name: "qtl", type: "quantile", offset: 25, size: 6, boundaries: [3, 6, 8] });
  });

  it("assigns offsets in feature order and totals the rows", () => {
    const map = fixtureMap();
    expect(map.features.map((f) => f.offset)).toEqual([0, 5, 14, 16, 18, 25]);
    expect(map.totalRows).toBe(31);
    expect(map.label).toBe("click");
  });

  it("pins the id of the fixture map (sha256 of its canonical JSON)", () => {
    const map = fixtureMap();
    expect(map.id).toBe(featureMapId(map));
    expect(map.id).toBe(PINNED_ID);
  });

  it("refuses a non-numeric cell of a numeric feature with a DataError naming file, line and field", () => {
    const fitter = new FeatureMapFitter(FEATURES, "click", "train.csv");
    fitter.add(ROWS[0]!, 2);
    const bad = ["a", "x", "1", "abc", "0", "1"];
    expect(() => fitter.add(bad, 3)).toThrow(DataError);
    expect(() => fitter.add(bad, 3)).toThrow("train.csv:3: field 'mm': expected a finite number, got \"abc\"");
    expect(fitter.rows).toBe(1);
  });

  it("refuses a hashed feature without buckets and a duplicated feature name", () => {
    expect(() => fitFeatureMap([{ name: "h", type: "hashed" }], "y", [])).toThrow(/feature 'h': a hashed feature needs 'buckets'/);
    expect(() => fitFeatureMap([{ name: "a", type: "categorical" }, { name: "a", type: "categorical" }], "y", [])).toThrow(/listed twice/);
  });
});

describe("feature map id and files", () => {
  it("canonical JSON sorts keys at every level, so the id does not depend on key order", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: "x" }] })).toBe('{"a":[{"c":"x","d":2}],"b":1}');
    const map = fixtureMap();
    const reordered = JSON.parse(JSON.stringify({ totalRows: map.totalRows, features: map.features, label: map.label, version: map.version, format: map.format }));
    expect(featureMapId(reordered)).toBe(map.id);
  });

  it("round-trips through save and load", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fmap-"));
    const map = fixtureMap();
    await saveFeatureMap(join(dir, "feature-map.json"), map);
    expect(await loadFeatureMap(join(dir, "feature-map.json"))).toEqual(map);
  });

  it("refuses a tampered file whose id does not match its content", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fmap-"));
    const path = join(dir, "feature-map.json");
    await saveFeatureMap(path, fixtureMap());
    writeFileSync(path, readFileSync(path, "utf8").replace('"d"', '"dd"'));
    await expect(loadFeatureMap(path)).rejects.toThrow(UserError);
    await expect(loadFeatureMap(path)).rejects.toThrow(/does not match its content .*the file was modified/);
  });

  it("refuses a missing file, bad JSON and an unsupported version with a UserError naming the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fmap-"));
    await expect(loadFeatureMap(join(dir, "none.json"))).rejects.toThrow(/feature map not found: .*none\.json/);
    writeFileSync(join(dir, "bad.json"), "{");
    await expect(loadFeatureMap(join(dir, "bad.json"))).rejects.toThrow(/bad\.json: not valid JSON/);
    writeFileSync(join(dir, "v2.json"), JSON.stringify({ ...fixtureMap(), version: 2 }));
    await expect(loadFeatureMap(join(dir, "v2.json"))).rejects.toThrow(/v2\.json: feature map: version 2 is not supported/);
  });

  it("checkSchema refuses columns that lack a feature of the map", () => {
    const map = fixtureMap();
    expect(() => checkSchema(map, ["cat", "hsh", "num", "mm", "lsq", "qtl", "extra"])).not.toThrow();
    expect(() => checkSchema(map, ["cat", "num", "mm", "lsq"])).toThrow(/missing columns 'hsh', 'qtl'/);
  });
});
