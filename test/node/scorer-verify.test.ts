import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fitFeatureMap } from "../../sdk/data/feature-map-fit";
import { exportStudentWasm } from "../../sdk/export/export-student";
import { HeaderField, LAYER_RECORD_BYTES, LayerField, packStudent } from "../../sdk/export/pack";
import { randomStudentWeights } from "../../sdk/export/random-student";
import type { StudentWeights } from "../../sdk/export/student-weights";
import { webAssembly } from "../../sdk/export/wasm-api";
import { EncodeError, RowEncoder } from "../../sdk/runtime/encode";
import { FeatureMapError, validateFeatureMap, type FeatureMap } from "../../sdk/runtime/feature-map";
import { canonicalJson, featureMapId } from "../../sdk/runtime/feature-map-id";
import { modelIdOf } from "../../sdk/runtime/model-id";
import { Scorer, ScorerError, ScoreOverflowError } from "../../sdk/runtime/scorer";
import { readModelFiles } from "../../sdk/serve/model-files";

/** Artifacts verified by the runtime (model id from the weights, feature-map id from its content) and bounded inputs. */

const FEATURE_MAP_ID = createHash("sha256").update("scorer-verify").digest("hex");

const student = (): StudentWeights =>
  randomStudentWeights({ numFields: 3, embeddingDim: 4, totalRows: 20, hiddenUnits: [8], seed: 7, embeddingScale: 0.5, biasScale: 0.1 });

/** Where the packed blob starts inside an exported module: 64 bytes before its model id. */
function blobStart(wasm: Uint8Array, modelId: string): number {
  const at = Buffer.from(wasm).indexOf(Buffer.from(modelId, "ascii"));
  if (at < 0) throw new Error("model id not found in the module");
  return at - HeaderField.modelId;
}

function u32At(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);
}

function flipBit(wasm: Uint8Array, at: number, bit = 0): Uint8Array {
  const copy = wasm.slice();
  copy[at] = copy[at]! ^ (1 << bit);
  return copy;
}

const load = (wasm: Uint8Array) => Scorer.fromModule(new webAssembly.Module(wasm));

describe("model id verified at load", () => {
  let wasm: Uint8Array;
  let modelId: string;
  let blob: number;

  beforeAll(async () => {
    ({ wasm, modelId } = await exportStudentWasm(student(), { featureMapId: FEATURE_MAP_ID, maxBatch: 8 }));
    blob = blobStart(wasm, modelId);
  });

  test("the runtime's id (noble sha256, fields zeroed in a copy) is the exporter's, and node:crypto's", () => {
    const packed = packStudent(student(), { featureMapId: FEATURE_MAP_ID, maxBatch: 8 });
    expect(modelIdOf(packed.blob)).toBe(packed.modelId);
    const zeroed = packed.blob.slice();
    zeroed.fill(0, HeaderField.maxBatch, HeaderField.maxBatch + 4);
    zeroed.fill(0, HeaderField.modelId, HeaderField.featureMapId + 64);
    expect(packed.modelId).toBe(createHash("sha256").update(zeroed).digest("hex"));
    expect(load(wasm).info.modelId).toBe(modelId);
  });

  test("refuses one flipped bit in an embedding weight, a dense weight, a bias or the id itself", () => {
    const embedding = blob + u32At(wasm, blob + HeaderField.embeddingOffset);
    const lastLayer = blob + u32At(wasm, blob + HeaderField.layerTableOffset) + LAYER_RECORD_BYTES;
    const denseWeight = blob + u32At(wasm, lastLayer + LayerField.weightsOffset);
    const bias = blob + u32At(wasm, lastLayer + LayerField.biasOffset);
    for (const [at, bit] of [[embedding + 4 * 17, 0], [denseWeight + 8, 3], [bias, 7], [blob + HeaderField.modelId + 10, 0]] as const) {
      const tampered = flipBit(wasm, at, bit);
      expect(() => load(tampered)).toThrow(ScorerError);
      expect(() => load(tampered)).toThrow(/weights do not match its model id: they hash to [0-9a-f]{12}…, the module says/);
    }
  });

  test("refuses a tampered module from bytes as well (fromBytes)", async () => {
    const embedding = blob + u32At(wasm, blob + HeaderField.embeddingOffset);
    await expect(Scorer.fromBytes(flipBit(wasm, embedding + 1, 2))).rejects.toThrow(/weights do not match its model id/);
  });

  test("loads a module whose maxBatch was changed: a serving choice the id leaves out", () => {
    const resized = wasm.slice();
    new DataView(resized.buffer).setUint32(blob + HeaderField.maxBatch, 3, true);
    const scorer = load(resized);
    expect(scorer.info).toMatchObject({ modelId, maxBatch: 3 });
  });
});

describe("scores are finite", () => {
  test("a row whose values overflow the weights (Inf − Inf) is a ScoreOverflowError naming the row, never NaN", async () => {
    // One field, two rows of 1e30; the only layer takes their difference: any value ≥ 1e9 overflows float32.
    const weights: StudentWeights = {
      numFields: 1,
      embeddingDim: 2,
      totalRows: 2,
      embedding: Float32Array.of(1e30, 1e30, 1e30, 1e30),
      layers: [{ inDim: 2, outDim: 1, weights: Float32Array.of(1, -1), bias: Float32Array.of(0), activation: "linear" }],
    };
    const { wasm } = await exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID });
    const scorer = load(wasm);
    expect([...scorer.score(Int32Array.of(0, 1), Float32Array.of(1, 1), 2)]).toEqual([0.5, 0.5]);
    let error: unknown;
    try {
      scorer.score(Int32Array.of(0, 1, 0), Float32Array.of(1, 1e10, 1), 3);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScoreOverflowError);
    expect((error as ScoreOverflowError).row).toBe(1);
  });
});

/** A fitted map over one feature of each kind, its numbers seen in [2, 40]. */
function fittedMap(): FeatureMap {
  const rows = [
    ["news", "2", "9", "a|b"],
    ["shop", "40", "12", "b"],
    ["news", "7", "30", "c|a|b"],
  ];
  return fitFeatureMap(
    [
      { name: "site", type: "categorical" },
      { name: "price", type: "numeric", transform: "standard" },
      { name: "raw", type: "numeric", transform: "none" },
      { name: "tags", type: "sequence", maxLength: 2 },
    ],
    "click",
    rows,
  );
}

/** `map` edited by `edit`, with its id recomputed (an edit that is consistent, but still wrong). */
function reidentified(map: FeatureMap, edit: (m: FeatureMap) => void): FeatureMap {
  const copy = structuredClone(map);
  edit(copy);
  return { ...copy, id: featureMapId(copy) };
}

describe("feature map id verified by the runtime", () => {
  test("the runtime's id is sha256 of the canonical JSON without the id (node:crypto agrees)", () => {
    const map = fittedMap();
    const { id, ...rest } = map;
    expect(id).toBe(createHash("sha256").update(canonicalJson(rest)).digest("hex"));
    expect(validateFeatureMap(JSON.parse(JSON.stringify(map)))).toEqual(map);
  });

  test("refuses an edited vocabulary that kept its old id", () => {
    const map = fittedMap();
    const edited = structuredClone(map);
    (edited.features[0] as { vocab: string[] }).vocab[0] = "newz";
    expect(() => validateFeatureMap(edited)).toThrow(FeatureMapError);
    expect(() => validateFeatureMap(edited)).toThrow(/id [0-9a-f]{12}… does not match its content .*the file was modified/);
  });

  test("refuses a size its type does not give, and keys that encode badly, even under a recomputed id", () => {
    const map = fittedMap();
    const bad = reidentified(map, (m) => {
      m.features[0]!.size += 1;
      m.features[1]!.offset += 1;
      m.features[2]!.offset += 1;
      m.features[3]!.offset += 1;
      m.totalRows += 1;
    });
    expect(() => validateFeatureMap(bad)).toThrow(/categorical feature 'site' has size 5, expected 4/);
    const numeric = reidentified(map, (m) => Object.assign(m.features[1]!, { max: undefined }));
    expect(() => validateFeatureMap(numeric)).toThrow(/numeric feature 'price' needs finite 'min' ≤ 'max'/);
    const divideByZero = reidentified(map, (m) => Object.assign(m.features[1]!, { b: 0 }));
    expect(() => validateFeatureMap(divideByZero)).toThrow(/numeric feature 'price' needs 'b' ≠ 0/);
    const hashed = reidentified(map, (m) => Object.assign(m.features[0]!, { type: "hashed", buckets: 2.5 }));
    expect(() => validateFeatureMap(hashed)).toThrow(/hashed feature 'site' needs integer 'buckets'/);
  });
});

describe("bounded inputs", () => {
  test("fitting stores the range seen in training for none and standard (minmax clips already)", () => {
    const map = fittedMap();
    expect(map.features[1]).toMatchObject({ transform: "standard", min: 2, max: 40 });
    expect(map.features[2]).toMatchObject({ transform: "none", min: 9, max: 30 });
    const minmax = fitFeatureMap([{ name: "m", type: "numeric", transform: "minmax" }], "y", [["1"], ["3"]]);
    expect(minmax.features[0]).not.toHaveProperty("min");
  });

  test("clips numbers to that range before the transform: 1e30 encodes as the largest value seen", () => {
    const encoder = new RowEncoder(fittedMap(), "json");
    const at = (rows: Record<string, unknown>[]) => Array.from(encoder.encodeObjects(rows).values);
    expect(at([{ price: 1e30, raw: -1e30 }])).toEqual(at([{ price: 40, raw: 9 }]));
    expect(at([{ price: Number.MAX_VALUE, raw: 31 }])).toEqual(at([{ price: 40, raw: 30 }]));
    expect(at([{ price: 5, raw: 10 }])).not.toEqual(at([{ price: 40, raw: 30 }]));
  });

  test("a map fitted before ranges existed encodes numbers unclipped, as it always did", () => {
    const map = reidentified(fittedMap(), (m) => Object.assign(m.features[2]!, { min: undefined, max: undefined }));
    const encoder = new RowEncoder(validateFeatureMap(JSON.parse(JSON.stringify(map))), "json");
    expect(encoder.encodeObjects([{ raw: 1e30 }]).values[2]).toBe(Math.fround(1e30));
  });

  test("type-checks every sequence item, also those before the last maxLength that are dropped", () => {
    const encoder = new RowEncoder(fittedMap(), "json");
    for (const tags of [[true, "a", "b"], [{ x: 1 }, "a", "b"], [1.5, "a", "b"]]) {
      expect(() => encoder.encodeObjects([{ tags }])).toThrow(EncodeError);
      expect(() => encoder.encodeObjects([{ tags }])).toThrow(/field 'tags'/);
    }
    expect(Array.from(encoder.encodeObjects([{ tags: ["zzz", "a", "b"] }]).ids)).toEqual(Array.from(encoder.encodeObjects([{ tags: ["a", "b"] }]).ids));
  });
});

describe("the CLI refuses tampered run files (exit 1, one line naming the file)", () => {
  const ROOT = resolve(import.meta.dirname, "../..");
  let dir: string;

  /** A run directory: a fitted map, a student exported for it, model.json; `tamper` edits the files first. */
  async function runDir(name: string, tamper: (files: { wasm: Uint8Array; map: FeatureMap; modelId: string }) => void): Promise<string> {
    const map = fittedMap();
    const weights = randomStudentWeights({ numFields: 4, slotCounts: [1, 1, 1, 2], embeddingDim: 4, totalRows: map.totalRows, hiddenUnits: [4], seed: 3, embeddingScale: 0.5, biasScale: 0.1 });
    const { wasm, modelId } = await exportStudentWasm(weights, { featureMapId: map.id });
    const run = join(dir, name);
    tamper({ wasm, map, modelId });
    await mkdir(run, { recursive: true });
    await writeFile(join(run, "student.wasm"), wasm);
    await writeFile(join(run, "feature-map.json"), JSON.stringify(map, null, 2));
    await writeFile(join(run, "model.json"), JSON.stringify({ id: modelId, featureMapId: map.id, createdAt: "2026-01-01T00:00:00.000Z", student: {}, metrics: {}, sizes: {} }));
    return run;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "scorer-verify-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("a flipped weight bit: readModelFiles (serve, deploy) and `deploy` name student.wasm", async () => {
    const run = await runDir("weights", ({ wasm, modelId }) => {
      const blob = blobStart(wasm, modelId);
      const at = blob + u32At(wasm, blob + HeaderField.embeddingOffset) + 9;
      wasm[at] = wasm[at]! ^ 0x10;
    });
    await expect(readModelFiles(run)).rejects.toThrow(/student\.wasm: Scorer: the module's weights do not match its model id/);
    const r = spawnSync(process.execPath, [join(ROOT, "bin/ctr-distill.js"), "deploy", "--model", run, "--out", join(dir, "bundle")], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/student\.wasm: .*weights do not match its model id/);
  });

  test("an edited vocabulary with its old id: readModelFiles names feature-map.json", async () => {
    const run = await runDir("vocab", ({ map }) => {
      (map.features[0] as { vocab: string[] }).vocab[1] = "shoq";
    });
    await expect(readModelFiles(run)).rejects.toThrow(/feature-map\.json: feature map: id [0-9a-f]{12}… does not match its content/);
  });
});
