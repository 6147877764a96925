import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../sdk/config";
import { prepareData, readEncoded } from "../../sdk/data/prepare";
import { DataError, UserError } from "../../sdk/errors";
import type { SequenceFeature } from "../../sdk/runtime/feature-map";

/**
 * Side tables joined by key (data.lookups) and sequences built from flag columns: the MovieLens shape
 * (ratings × user profiles × movie genres), on small files written here.
 */

const dir = mkdtempSync(join(tmpdir(), "ctr-lookups-"));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

// user 9 has no profile: its profile columns are missing.
const ratings = file("ratings.tsv", ["1\t10\t5", "2\t11\t3", "1\t11\t4", "9\t10\t1", "2\t12\t4", "1\t12\t2"].join("\n") + "\n");
const users = file("users.csv", "user_id,age,gender\n1,24,M\n2,53,F\n");
const items = file("items.psv", ["10|Toy Story|0|1|1", "11|Heat|1|0|0", "12|Babe|0|0|1"].join("\n") + "\n");

function config(overrides: { lookups?: unknown[]; features?: unknown[] } = {}) {
  return parseConfig({
    data: {
      train: ratings,
      test: ratings,
      split: [0.5, 0.5, 0],
      format: "tsv",
      header: false,
      columns: ["user_id", "item_id", "rating"],
      label: "rating",
      labelThreshold: 4,
      lookups: overrides.lookups ?? [
        { file: users, key: "user_id" },
        { file: items, key: "item_id", delimiter: "|", columns: ["item_id", "title", "Action", "Comedy", "Children"] },
      ],
      features: overrides.features ?? [
        { name: "user_id", type: "categorical" },
        { name: "gender", type: "categorical" },
        { name: "genres", type: "sequence", maxLength: 3, pooling: "sum", flags: ["Action", "Comedy", "Children"] },
      ],
    },
    teachers: [{ model: "LR" }],
  });
}

describe("data.lookups", () => {
  it("joins profile columns by key, builds a sequence from the set flags, and leaves unknown keys missing", async () => {
    const { data } = config();
    // Every row in both passes: split by a seeded hash, so read the whole file through readEncoded as well.
    const prepared = await prepareData(data, { seed: 1 });
    const genres = prepared.featureMap.features[2] as SequenceFeature;
    expect(prepared.featureMap.features.map((f) => f.name)).toEqual(["user_id", "gender", "genres"]);
    expect(genres.type).toBe("sequence");
    const all = await readEncoded(ratings, data, prepared.featureMap);
    const rowsOf = all.layout.numSlots;
    const gender = prepared.featureMap.features[1]!;
    const genderIds = Array.from({ length: all.n }, (_, r) => all.ids[r * rowsOf + 1]! - gender.offset);
    // rows: user 1 (M), 2 (F), 1 (M), 9 (no profile: missing = 0), 2 (F), 1 (M)
    expect(genderIds[3]).toBe(0);
    expect(genderIds[0]).toBe(genderIds[2]);
    expect(genderIds[1]).toBe(genderIds[4]);
    expect(genderIds[0]).not.toBe(genderIds[1]);
    expect(genderIds.every((id, r) => r === 3 || id > 0)).toBe(true);
    // genres of item 10 (Toy Story): Comedy and Children; of item 11 (Heat): Action.
    const items = (r: number) => [...all.ids.subarray(r * rowsOf + 2, r * rowsOf + 5)].filter((_, s) => all.values[r * rowsOf + 2 + s]! > 0);
    const name = (id: number) => (id - genres.offset === 0 ? "-" : (genres.vocab[id - genres.offset - 1] ?? "OOV"));
    const fitted = new Set(genres.vocab);
    expect(items(0).map(name)).toEqual(["Comedy", "Children"].map((g) => (fitted.has(g) ? g : "OOV")));
    expect(items(1).map(name)).toEqual([fitted.has("Action") ? "Action" : "OOV"]);
  });

  it("names the file and line of a bad side table, and the missing key column", async () => {
    const short = file("short.csv", "user_id,age,gender\n1,24,M\n2,53\n");
    await expect(prepareData(config({ lookups: [{ file: short, key: "user_id" }] }).data, { seed: 1 })).rejects.toThrow(`${short}:3: expected 3 fields, got 2`);
    const twice = file("twice.csv", "user_id,age,gender\n1,24,M\n1,30,F\n");
    await expect(prepareData(config({ lookups: [{ file: twice, key: "user_id" }] }).data, { seed: 1 })).rejects.toThrow(DataError);
    await expect(prepareData(config({ lookups: [{ file: twice, key: "user_id" }] }).data, { seed: 1 })).rejects.toThrow(`${twice}:3: field 'user_id': key "1" appears twice`);
    await expect(prepareData(config({ lookups: [{ file: users, key: "uid", on: "user_id" }] }).data, { seed: 1 })).rejects.toThrow("has no key column 'uid'");
    await expect(prepareData(config({ lookups: [{ file: join(dir, "absent.csv"), key: "user_id" }] }).data, { seed: 1 })).rejects.toThrow(UserError);
  });

  it("the configuration refuses side tables of synthetic data, flags on a non-sequence, and a key outside the columns", () => {
    expect(() => parseConfig({ data: { synthetic: { seed: 1, rows: { train: 10, valid: 10, test: 10 }, fields: 2, vocabSize: 3, interactions: 0, zipf: 1, ctr: 0.2 }, lookups: [] }, teachers: [{ model: "LR" }] })).toThrow("config.data.lookups: side tables join files");
    expect(() => config({ features: [{ name: "g", type: "categorical", flags: ["Action"] }] })).toThrow("config.data.features[0].flags: only for sequence features; this one is categorical");
    expect(() => config({ lookups: [{ file: items, key: "movie", columns: ["item_id", "title"] }] })).toThrow("config.data.lookups[0].key");
  });
});
