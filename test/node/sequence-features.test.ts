import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { parseConfig } from "../../sdk/config";
import type { FeatureConfig } from "../../sdk/config-types";
import { fitFeatureMap } from "../../sdk/data/feature-map-fit";
import { loadFeatureMap, saveFeatureMap } from "../../sdk/data/feature-map-io";
import { mulberry32 } from "../../sdk/data/prng";
import { studentWeightsOf } from "../../sdk/distill/student-weights";
import { UserError } from "../../sdk/errors";
import { JsScorer } from "../../sdk/export/js-scorer";
import { exportStudentOnnx } from "../../sdk/export/onnx";
import { randomSource } from "../../sdk/layers/random";
import { silentLogger } from "../../sdk/log";
import { buildModel } from "../../sdk/models/zoo";
import { runPipeline } from "../../sdk/pipeline/run";
import { EncodeError, RowEncoder } from "../../sdk/runtime/encode";
import { hash32 } from "../../sdk/runtime/hash";
import { FeatureMapError, validateFeatureMap, type SequenceFeature } from "../../sdk/runtime/feature-map";
import { featureMapSlots, poolSlots, slotLayoutOf, spreadFieldGradient } from "../../sdk/runtime/slots";
import { probabilities } from "../../sdk/train/evaluate";
import { predictLogits } from "../../sdk/train/step";

/**
 * Multi-valued (sequence) categorical features: fitting, encoding into slots, pooling in the trainer, and
 * the same pooling in every scorer (plain JS, ONNX, and through a whole run, the WASM module).
 */

const FEATURES: FeatureConfig[] = [
  { name: "site", type: "categorical" },
  { name: "tags", type: "sequence", separator: "|", maxLength: 3, pooling: "mean", minCount: 2 },
];
// cells: site, tags. Item counts: a 4, b 3, c 2, d 1 (below minCount 2: out of vocabulary).
const ROWS = [
  ["x", "a|b"],
  ["y", "a|b|c"],
  ["x", "a||b"],
  ["y", ""],
  ["x", "c|d|a"],
];

function fitted() {
  return fitFeatureMap(FEATURES, "click", ROWS);
}

function tagsSpec(): SequenceFeature {
  return fitted().features[1] as SequenceFeature;
}

describe("fitting a sequence feature", () => {
  it("builds one vocabulary over the items, by count, with minCount, and round-trips through JSON", async () => {
    const map = fitted();
    const tags = tagsSpec();
    expect(tags).toMatchObject({ type: "sequence", vocab: ["a", "b", "c"], separator: "|", maxLength: 3, pooling: "mean", offset: 4, size: 5 });
    expect(map.totalRows).toBe(9);
    expect(featureMapSlots(map)).toMatchObject({ numFields: 2, numSlots: 4, slotCounts: [1, 3], pooled: true });
    const path = join(mkdtempSync(join(tmpdir(), "ctr-seq-")), "feature-map.json");
    await saveFeatureMap(path, map);
    expect(await loadFeatureMap(path)).toEqual(map);
  });

  it("a config takes separator, maxLength and pooling, with defaults, and refuses an empty separator", () => {
    const data = (feature: object) => ({ data: { train: "t.csv", split: [0.8, 0.1, 0.1], format: "csv", label: "click", features: [feature] }, teachers: [{ model: "LR" }] });
    expect(parseConfig(data({ name: "g", type: "sequence" })).data.features[0]).toEqual({ name: "g", type: "sequence", separator: "|", maxLength: 8, pooling: "mean" });
    expect(parseConfig(data({ name: "g", type: "sequence", separator: ",", maxLength: 5, pooling: "sum" })).data.features[0]).toMatchObject({ separator: ",", maxLength: 5, pooling: "sum" });
    expect(parseConfig(data({ name: "g", type: "sequence", buckets: 1000 })).data.features[0]).toMatchObject({ type: "sequence", buckets: 1000 });
    expect(() => parseConfig(data({ name: "g", type: "sequence", buckets: 0 }))).toThrow("config.data.features[0].buckets");
    expect(() => parseConfig(data({ name: "g", type: "sequence", separator: "" }))).toThrow("config.data.features[0].separator");
    expect(() => parseConfig(data({ name: "g", type: "sequence", maxLength: 0 }))).toThrow("config.data.features[0].maxLength");
    expect(() => parseConfig(data({ name: "g", type: "sequence", pooling: "max" }))).toThrow("config.data.features[0].pooling");
    expect(() => parseConfig(data({ name: "g", type: "sequence", pooling: "max" }))).toThrow(UserError);
  });

  it("a feature map with an unknown type or a malformed sequence is refused by name", () => {
    const map = fitted();
    expect(() => validateFeatureMap({ ...map, features: [map.features[0], { ...map.features[1], type: "bag" }] })).toThrow("feature 'tags' has unknown type \"bag\"");
    expect(() => validateFeatureMap({ ...map, features: [map.features[0], { ...map.features[1], maxLength: 0 }] })).toThrow(FeatureMapError);
    expect(() => validateFeatureMap({ ...map, features: [map.features[0], { ...map.features[1], separator: "" }] })).toThrow("sequence feature 'tags'");
  });
});

describe("encoding a sequence into slots", () => {
  const base = 4; // tags' offset: missing/padding 4, a 5, b 6, c 7, OOV 8
  const encodeTags = (raw: unknown, source: "text" | "json", pooling: "mean" | "sum" = "mean") => {
    const map = fitted();
    const spec = { ...tagsSpec(), pooling };
    const encoder = new RowEncoder({ ...map, features: [map.features[0]!, spec] }, source);
    const out = encoder.encodeObjects([{ site: "x", tags: raw }]);
    return { ids: [...out.ids.subarray(1)].map((id) => id - base), values: [...out.values.subarray(1)] };
  };

  it("mean pooling weighs each of k items 1/k; unused slots are the padding row with value 0", () => {
    expect(encodeTags("a|b", "text")).toEqual({ ids: [1, 2, 0], values: [0.5, 0.5, 0] });
    expect(encodeTags("a||b", "text")).toEqual({ ids: [1, 2, 0], values: [0.5, 0.5, 0] });
    expect(encodeTags("b|zzz|c", "text").ids).toEqual([2, 4, 3]);
    expect(encodeTags("b|zzz|c", "text").values.map((v) => v.toFixed(6))).toEqual(["0.333333", "0.333333", "0.333333"]);
  });

  it("sum pooling gives every item weight 1", () => {
    expect(encodeTags("a|b", "text", "sum")).toEqual({ ids: [1, 2, 0], values: [1, 1, 0] });
  });

  it("keeps the last maxLength items (the most recent of a history)", () => {
    expect(encodeTags("a|b|c|a", "text", "sum").ids).toEqual([2, 3, 1]);
  });

  it("an empty or missing sequence is the missing row with value 1", () => {
    for (const raw of ["", null, undefined, [], "||"]) expect(encodeTags(raw, "json")).toEqual({ ids: [0, 0, 0], values: [1, 0, 0] });
  });

  it("JSON takes an array of strings or integers, or a separated string; anything else names the field", () => {
    expect(encodeTags(["a", "c"], "json")).toEqual({ ids: [1, 3, 0], values: [0.5, 0.5, 0] });
    expect(encodeTags("a|c", "json")).toEqual({ ids: [1, 3, 0], values: [0.5, 0.5, 0] });
    expect(encodeTags([7], "json", "sum")).toEqual({ ids: [4, 0, 0], values: [1, 0, 0] });
    for (const bad of [true, 3, [1.5], [["a"]], { a: 1 }]) {
      let error: unknown;
      try {
        encodeTags(bad, "json");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(EncodeError);
      expect((error as EncodeError).field).toBe("tags");
    }
  });

  it("a hashed sequence (buckets) needs no vocabulary: item rows are 1 + hash32(item) % buckets, as a hashed feature's", () => {
    const map = fitFeatureMap([{ name: "tags", type: "sequence", buckets: 16, maxLength: 3, pooling: "sum" }], "click", [["a|b"], ["zzz"]]);
    expect(map.features[0]).toMatchObject({ type: "sequence", vocab: [], buckets: 16, size: 17 });
    expect(() => validateFeatureMap(map)).not.toThrow();
    const out = new RowEncoder(map, "json").encodeObjects([{ tags: ["never-seen", "b", "never-seen"] }, { tags: [] }]);
    expect([...out.ids]).toEqual([1 + (hash32("never-seen") % 16), 1 + (hash32("b") % 16), 1 + (hash32("never-seen") % 16), 0, 0, 0]);
    expect([...out.values]).toEqual([1, 1, 1, 1, 0, 0]);
    expect(() => validateFeatureMap({ ...map, features: [{ ...map.features[0], size: 16 }], totalRows: 16 })).toThrow("hashed sequence feature 'tags'");
  });

  it("slot names map every column of an encoded row to its feature", () => {
    expect(new RowEncoder(fitted(), "text").slotNames).toEqual(["site", "tags", "tags", "tags"]);
  });
});

describe("pooling", () => {
  const layout = slotLayoutOf([2, 1, 3]);
  const dim = 2;
  const rand = mulberry32(3);
  const slotRows = Float32Array.from({ length: 2 * 6 * dim }, () => rand() - 0.5);

  it("sums each field's slots, and spreads a field's gradient back to each of its slots", () => {
    const pooled = poolSlots(slotRows, layout, 2, dim);
    for (let r = 0; r < 2; r++) {
      const slot = (s: number, k: number) => slotRows[(r * 6 + s) * dim + k]!;
      for (let k = 0; k < dim; k++) {
        expect(pooled[(r * 3 + 0) * dim + k]).toBeCloseTo(slot(0, k) + slot(1, k), 6);
        expect(pooled[(r * 3 + 1) * dim + k]).toBe(slot(2, k));
        expect(pooled[(r * 3 + 2) * dim + k]).toBeCloseTo(slot(3, k) + slot(4, k) + slot(5, k), 6);
      }
    }
    const spread = spreadFieldGradient(pooled, layout, 2, dim);
    expect([...spread.subarray(0, 2 * dim)]).toEqual([...pooled.subarray(0, dim), ...pooled.subarray(0, dim)]);
    expect([...spread.subarray(3 * dim, 6 * dim)]).toEqual([...pooled.subarray(2 * dim, 3 * dim), ...pooled.subarray(2 * dim, 3 * dim), ...pooled.subarray(2 * dim, 3 * dim)]);
  });

  it("refuses a field without slots", () => {
    expect(() => slotLayoutOf([1, 0])).toThrow("field 1 has 0 slots");
  });
});

type OrtModule = typeof import("onnxruntime-node");
const ort: OrtModule | null = await import("onnxruntime-node").then(
  (m) => ((m as { default?: OrtModule }).default ?? m) as OrtModule,
  () => null,
);

describe("a student over pooled slots", () => {
  beforeAll(async () => {
    await selectBackend();
  });

  const map = fitted();
  const layout = featureMapSlots(map);
  const model = buildModel("DNN", { embeddingDim: 5, hiddenUnits: [12], embeddingInitStd: 0.5 }, { numFields: layout.numFields, totalRows: map.totalRows, rng: randomSource(4) });
  const weights = studentWeightsOf(model, { embeddingDim: 5, hiddenUnits: [12] }, layout);
  const rand = mulberry32(8);
  const rows = Array.from({ length: 64 }, () => ({ site: rand() < 0.5 ? "x" : "y", tags: ["a", "b", "c", "q"].filter(() => rand() < 0.5) }));
  const encoded = new RowEncoder(map, "json").encodeObjects(rows);

  it("tfjs (pooling in the trainer's gather) and the plain-JS scorer agree", () => {
    expect(weights.slotCounts).toEqual([1, 3]);
    const tfjs = probabilities(predictLogits(model, { ...encoded, layout }));
    const js = new JsScorer(weights).score(encoded.ids, encoded.values, encoded.n);
    for (let r = 0; r < encoded.n; r++) expect(Math.abs(js[r]! - tfjs[r]!)).toBeLessThan(1e-5);
  });

  it.skipIf(ort === null)("the ONNX export pools the same way (onnxruntime-node)", async () => {
    const session = await ort!.InferenceSession.create(exportStudentOnnx(weights));
    const ids = new ort!.Tensor("int64", BigInt64Array.from(encoded.ids, (v) => BigInt(v)), [encoded.n, layout.numSlots]);
    const values = new ort!.Tensor("float32", encoded.values, [encoded.n, layout.numSlots]);
    const ctr = (await session.run({ ids, values })).ctr!.data as Float32Array;
    const js = new JsScorer(weights).score(encoded.ids, encoded.values, encoded.n);
    for (let r = 0; r < encoded.n; r++) expect(Math.abs(ctr[r]! - js[r]!)).toBeLessThan(1e-5);
  });
});

describe("ctr-distill run with a sequence feature", () => {
  it("learns a click signal carried only by one tag, and exports a module that pools like the trainer", async () => {
    // Clicks depend on whether the row's tags include "hot" (one of up to 4 of 30 tags): only pooling sees it.
    const rand = mulberry32(2020);
    const lines = ["click,site,tags"];
    for (let i = 0; i < 6000; i++) {
      const tags = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => (rand() < 0.15 ? "hot" : `t${Math.floor(rand() * 30)}`));
      const p = tags.includes("hot") ? 0.6 : 0.15;
      lines.push(`${rand() < p ? 1 : 0},s${Math.floor(rand() * 5)},${tags.join("|")}`);
    }
    const dir = mkdtempSync(join(tmpdir(), "ctr-seq-run-"));
    writeFileSync(join(dir, "clicks.csv"), lines.join("\n") + "\n");
    const config = parseConfig({
      data: {
        train: join(dir, "clicks.csv"),
        split: [0.7, 0.1, 0.2],
        format: "csv",
        label: "click",
        features: [{ name: "site", type: "categorical" }, { name: "tags", type: "sequence", maxLength: 4 }],
      },
      teachers: [{ model: "DNN", hiddenUnits: [16] }, { model: "FM" }],
      student: { embeddingDim: 4, hiddenUnits: [8] },
      distill: { ensemble: "mean" },
      training: { batchSize: 256, epochs: 4, learningRate: 0.01, seed: 1, patience: 1 },
    });
    const out = join(dir, "run");
    const report = await runPipeline({ config, outDir: out, log: silentLogger, backend: "wasm", httpCheckPort: null });
    for (const row of [...report.teachers, ...report.students]) expect(row.auc).toBeGreaterThan(0.65);
    expect(report.wasm.maxAbsDiff).toBeLessThan(1e-5);
    const tags = JSON.parse(readFileSync(join(out, "feature-map.json"), "utf8")).features[1];
    expect(tags).toMatchObject({ type: "sequence", maxLength: 4, pooling: "mean" });
  });
});
