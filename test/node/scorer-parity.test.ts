import { createHash } from "node:crypto";
import { beforeAll, describe, expect, test } from "vitest";
import { exportStudentWasm } from "../../sdk/export/export-student";
import { JsScorer } from "../../sdk/export/js-scorer";
import { HeaderField } from "../../sdk/export/pack";
import type { DenseLayerWeights, StudentWeights } from "../../sdk/export/student-weights";
import { webAssembly } from "../../sdk/export/wasm-api";
import { Scorer, ScorerError, SCORER_ABI_VERSION } from "../../sdk/runtime/scorer";
import { seeded } from "./fixtures/seeded";

/** The exported wasm scorer against the plain-JS forward pass, on a seeded random student. */

const F = 7;
const D = 5;
const TOTAL_ROWS = 41;
const FEATURE_MAP_ID = createHash("sha256").update("scorer-parity feature map").digest("hex");
const TOLERANCE = 1e-5;

function randomStudent(seed: number): StudentWeights {
  const rnd = seeded(seed);
  const layer = (inDim: number, outDim: number, activation: DenseLayerWeights["activation"]): DenseLayerWeights => ({
    inDim,
    outDim,
    weights: Float32Array.from({ length: inDim * outDim }, () => rnd() * 0.6),
    bias: Float32Array.from({ length: outDim }, () => rnd() * 0.2),
    activation,
  });
  return {
    numFields: F,
    embeddingDim: D,
    totalRows: TOTAL_ROWS,
    embedding: Float32Array.from({ length: TOTAL_ROWS * D }, () => rnd()),
    layers: [layer(F * D, 17, "relu"), layer(17, 9, "relu"), layer(9, 1, "linear")],
  };
}

function randomRows(seed: number, n: number): { ids: Int32Array; values: Float32Array } {
  const rnd = seeded(seed);
  const ids = Int32Array.from({ length: n * F }, () => Math.floor(((rnd() + 1) / 2) * TOTAL_ROWS));
  // Categorical-like fields carry 1; the last two carry a numeric value.
  const values = Float32Array.from({ length: n * F }, (_, i) => (i % F >= F - 2 ? rnd() * 4 : 1));
  return { ids, values };
}

const weights = randomStudent(7);
let exported: { wasm: Uint8Array; modelId: string };
let scorer: Scorer;

beforeAll(async () => {
  exported = await exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID });
  scorer = Scorer.fromModule(new webAssembly.Module(exported.wasm));
});

describe("exported student scorer", () => {
  test.each([0, 1, 3, 257])("scores %i rows within 1e-5 of the plain-JS forward pass", (n) => {
    const { ids, values } = randomRows(100 + n, n);
    const got = scorer.score(ids, values, n);
    const want = new JsScorer(weights).score(ids, values, n);
    expect(got.length).toBe(n);
    let worst = 0;
    for (let r = 0; r < n; r++) worst = Math.max(worst, Math.abs(got[r]! - want[r]!));
    expect(worst).toBeLessThan(TOLERANCE);
    // The random student is not degenerate: its scores spread.
    if (n > 100) expect(Math.max(...got) - Math.min(...got)).toBeGreaterThan(0.2);
  });

  test("scores a chunked batch (n > maxBatch) the same as row by row", () => {
    const n = 300;
    const { ids, values } = randomRows(5, n);
    const whole = scorer.score(ids, values, n);
    for (const r of [0, 255, 256, 299]) {
      const one = scorer.score(ids.subarray(r * F, (r + 1) * F), values.subarray(r * F, (r + 1) * F), 1);
      expect(whole[r]).toBe(one[0]);
    }
  });

  test("reports the ABI version, field and slot counts, maxBatch, and the model and feature-map ids that were packed", () => {
    expect(scorer.info).toEqual({
      abiVersion: SCORER_ABI_VERSION,
      modelId: exported.modelId,
      featureMapId: FEATURE_MAP_ID,
      numFields: F,
      numSlots: F,
      maxBatch: 256,
      embeddingRows: TOTAL_ROWS,
      quantize: "none",
      quantizeDense: "none",
    });
    expect(exported.modelId).toMatch(/^[0-9a-f]{64}$/);
  });

  test("gives the same weights the same model id whatever maxBatch, and other weights another id", async () => {
    const again = await exportStudentWasm(randomStudent(7), { featureMapId: FEATURE_MAP_ID, maxBatch: 16 });
    expect(again.modelId).toBe(exported.modelId);
    const tweaked = randomStudent(7);
    tweaked.layers[1]!.weights[3]! += 1e-3;
    expect((await exportStudentWasm(tweaked, { featureMapId: FEATURE_MAP_ID })).modelId).not.toBe(exported.modelId);
    const small = Scorer.fromModule(new webAssembly.Module(again.wasm));
    expect(small.info.maxBatch).toBe(16);
    const { ids, values } = randomRows(9, 40);
    expect(small.score(ids, values, 40)).toEqual(scorer.score(ids, values, 40));
  });

  test("accepts its own feature map and refuses one with another id or another field count", () => {
    const features = Array.from({ length: F }, (_, i) => ({ name: `f${i}` }));
    expect(() => scorer.checkFeatureMap({ id: FEATURE_MAP_ID, features })).not.toThrow();
    const otherId = createHash("sha256").update("another feature map").digest("hex");
    expect(() => scorer.checkFeatureMap({ id: otherId, features })).toThrow(ScorerError);
    expect(() => scorer.checkFeatureMap({ id: otherId, features })).toThrow(/is not the model's feature map/);
    expect(() => scorer.checkFeatureMap({ id: FEATURE_MAP_ID, features: features.slice(1) })).toThrow(/6 features, the model expects 7/);
  });

  test("refuses a module whose blob magic was flipped, at init", () => {
    const corrupted = exported.wasm.slice();
    const at = blobStart(corrupted) + HeaderField.magic;
    corrupted[at] = corrupted[at]! ^ 0xff;
    const instance = new webAssembly.Instance(new webAssembly.Module(corrupted), {});
    expect((instance.exports.init as () => number)()).toBe(2);
    expect(() => Scorer.fromModule(new webAssembly.Module(corrupted))).toThrow(/bad magic number/);
  });

  test("refuses a module whose blob version or layout is wrong", () => {
    const badVersion = exported.wasm.slice();
    badVersion[blobStart(badVersion) + HeaderField.version] = 99;
    expect(() => Scorer.fromModule(new webAssembly.Module(badVersion))).toThrow(/format version/);
    const badLayout = exported.wasm.slice();
    badLayout[blobStart(badLayout) + HeaderField.blobBytes + 3] = 0x7f; // claims ~2 GiB
    expect(() => Scorer.fromModule(new webAssembly.Module(badLayout))).toThrow(/inconsistent/);
  });

  test("answers an out-of-range id with an error naming the row, the field (by name once a feature map is checked) and the table's range, then keeps scoring", () => {
    const { ids, values } = randomRows(11, 300);
    ids[260 * F + 4] = TOTAL_ROWS;
    const fresh = Scorer.fromModule(new webAssembly.Module(exported.wasm));
    expect(() => fresh.score(ids, values, 300)).toThrow("Scorer.score: id 41 at row 260, field 4 is outside the embedding table [0, 41)");
    fresh.checkFeatureMap({ id: FEATURE_MAP_ID, features: Array.from({ length: F }, (_, i) => ({ name: `f${i}` })) });
    expect(() => fresh.score(ids, values, 300)).toThrow("Scorer.score: id 41 at row 260, field 4 ('f4') is outside the embedding table [0, 41)");
    expect(() => new JsScorer(weights).score(ids, values, 300)).toThrow("JsScorer.score: id 41 at row 260, field 4 is outside the embedding table [0, 41)");
    ids[260 * F + 4] = -1;
    expect(() => scorer.score(ids, values, 300)).toThrow(ScorerError);
    ids[260 * F + 4] = 0;
    const got = scorer.score(ids, values, 300);
    const want = new JsScorer(weights).score(ids, values, 300);
    expect(Math.max(...got.map((g, r) => Math.abs(g - want[r]!)))).toBeLessThan(TOLERANCE);
  });

  test("rejects bad input sizes before touching the module", () => {
    const { ids, values } = randomRows(3, 2);
    expect(() => scorer.score(ids, values, 3)).toThrow(/at least n \* numSlots = 21/);
    expect(() => scorer.score(ids, values, -1)).toThrow(/non-negative integer/);
    expect(() => scorer.score(ids, values, 1.5)).toThrow(/non-negative integer/);
  });
});

/** Byte offset of the packed blob inside an exported module: its magic, version, F and D in a row. */
function blobStart(wasm: Uint8Array): number {
  const needle = new Uint8Array(new Uint32Array([0x44525443, 1, F, D]).buffer);
  outer: for (let i = wasm.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (wasm[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error("blob not found in the exported module");
}
