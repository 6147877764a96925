import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { parseConfig } from "../../sdk/config";
import { ConfigError } from "../../sdk/config/config-error";
import type { FeatureConfig } from "../../sdk/config-types";
import { fitFeatureMap } from "../../sdk/data/feature-map-fit";
import { prepareData, type PreparedData } from "../../sdk/data/prepare";
import { mulberry32 } from "../../sdk/data/prng";
import { studentWeightsOf } from "../../sdk/distill/student-weights";
import { loadKernelsModule } from "../../sdk/export/compile";
import { exportStudentWasm } from "../../sdk/export/export-student";
import { JsScorer } from "../../sdk/export/js-scorer";
import { exportStudentOnnx } from "../../sdk/export/onnx";
import { dequantizedStudent, type Quantize } from "../../sdk/export/quantize";
import { HeaderField, REMAP_RECORD_BYTES } from "../../sdk/export/pack";
import { randomStudentWeights } from "../../sdk/export/random-student";
import { reexportRun } from "../../sdk/export/reexport";
import type { StudentWeights } from "../../sdk/export/student-weights";
import { instantiateBytes, webAssembly, type WasmMemory } from "../../sdk/export/wasm-api";
import { silentLogger } from "../../sdk/log";
import { runPipeline } from "../../sdk/pipeline/run";
import {
  compactRemapOf,
  fmix32,
  planEmbeddingRemap,
  REMAP_OP_CODE,
  remapLocal,
  remapLookup,
  remapSecondLocal,
  remapSecondLookup,
  remapSlotIds,
  type CompactEmbeddingSpec,
  type EmbeddingRemap,
  type FieldRemap,
} from "../../sdk/runtime/embedding-remap";
import { RowEncoder } from "../../sdk/runtime/encode";
import { Scorer } from "../../sdk/runtime/scorer";
import { featureMapSlots } from "../../sdk/runtime/slots";
import { probabilities } from "../../sdk/train/evaluate";
import { predictLogits } from "../../sdk/train/step";
import { trainOnLabels, type TrainedModel } from "../../sdk/train/train-teacher";

/**
 * Compact student embeddings (sdk/runtime/embedding-remap.ts, assembly/remap.ts): the plan per feature type, the
 * remap in TypeScript and AssemblyScript on its edge cases, and trained students whose WASM, JS and ONNX scorers
 * agree with tfjs.
 */

type OrtModule = typeof import("onnxruntime-node");
const ort: OrtModule | null = await import("onnxruntime-node").then(
  (m) => ((m as { default?: OrtModule }).default ?? m) as OrtModule,
  () => null,
);

/** A feature map with one field of every type: categorical (25 values), hashed (40), numeric, quantile, sequence (12 tags). */
function mixedMap() {
  const features: FeatureConfig[] = [
    { name: "cat", type: "categorical" },
    { name: "hsh", type: "hashed", buckets: 40 },
    { name: "num", type: "numeric" },
    { name: "qnt", type: "quantile", quantiles: 4 },
    { name: "seq", type: "sequence", maxLength: 3 },
  ];
  const rand = mulberry32(3);
  const rows = Array.from({ length: 400 }, () => [
    `c${Math.floor(rand() ** 2 * 25)}`,
    `h${Math.floor(rand() * 1000)}`,
    String(rand() * 10),
    String(rand() * 5),
    Array.from({ length: 1 + Math.floor(rand() * 3) }, () => `t${Math.floor(rand() * 12)}`).join("|"),
  ]);
  return fitFeatureMap(features, "click", rows);
}

describe("planEmbeddingRemap", () => {
  const map = mixedMap();
  const sizes = map.features.map((f) => f.size);

  it("prunes frequency-ordered fields to keep + 2 rows, hashes hashed ones into as many, keeps numeric and quantile whole", () => {
    expect(sizes).toEqual([27, 41, 2, 6, 14]);
    const remap = planEmbeddingRemap(map, { kind: "prune", keep: 5 });
    expect(remap.fields.map((f) => [f.op, f.param, f.rows])).toEqual([
      ["clamp", 6, 7],
      ["hash", 7, 7],
      ["identity", 0, 2],
      ["identity", 0, 6],
      ["clamp", 6, 7],
    ]);
    expect(remap.totalRows).toBe(7 + 7 + 2 + 6 + 7);
    expect(remap.inputRows).toBe(map.totalRows);
    expect(remap.fields.map((f) => f.rowOffset)).toEqual([0, 7, 14, 16, 22]);
  });

  it("hashes every field larger than the buckets, leaves smaller ones, and applies per-field overrides", () => {
    const remap = planEmbeddingRemap(map, { kind: "hash", buckets: 10, fields: [{ name: "cat", kind: "prune", keep: 3 }, { name: "seq", kind: "full" }] });
    expect(remap.fields.map((f) => [f.op, f.rows])).toEqual([
      ["clamp", 5],
      ["hash", 10],
      ["identity", 2],
      ["identity", 6],
      ["identity", 14],
    ]);
  });

  it("gives fields that M + ⌈size / M⌉ rows shrink a quotient–remainder embedding, each id its own pair of rows", () => {
    const remap = planEmbeddingRemap(map, { kind: "qr", buckets: 4 });
    // cat 27 ids: 4 + 7 rows; hsh 41: 4 + 11; num 2 and qnt 6 would not shrink; seq 14: 4 + 4.
    expect(remap.fields.map((f) => [f.op, f.rows])).toEqual([["qr", 11], ["qr", 15], ["identity", 2], ["identity", 6], ["qr", 8]]);
    const pairs = new Set<string>();
    const f = remap.fields[0]!;
    for (let l = 0; l < f.inputSize; l++) pairs.add(`${remapLocal(f, l)},${remapSecondLocal(f, l)}`);
    expect(pairs.size).toBe(f.inputSize);
    expect(remapLocal(f, 26)).toBe(2);
    expect(remapSecondLocal(f, 26)).toBe(4 + 6); // the last quotient row
    expect(remapSecondLookup(remap)![map.features[2]!.offset]).toBe(-1);
  });

  it("gives no remap when nothing shrinks (keep ≥ the vocabulary), so such a student stays a plain one", () => {
    expect(compactRemapOf(map, { kind: "prune", keep: 1000 })).toBeUndefined();
    expect(compactRemapOf(map, { kind: "full" })).toBeUndefined();
    expect(compactRemapOf(map, undefined)).toBeUndefined();
    // keep = V exactly: missing, V values and OOV are V + 2 rows, the field's size.
    expect(planEmbeddingRemap(map, { kind: "prune", keep: 25 }).fields[0]!.op).toBe("identity");
    expect(planEmbeddingRemap(map, { kind: "prune", keep: 24 }).fields[0]).toMatchObject({ op: "clamp", param: 25, rows: 26 });
  });

  it("maps the most frequent values to their own rows and the rest, OOV included, to one shared row", () => {
    const remap = planEmbeddingRemap(map, { kind: "prune", keep: 2 });
    const lookup = remapLookup(remap);
    const cat = map.features[0] as { vocab: string[] };
    const encoder = new RowEncoder(map, "json");
    const rowOf = (value: string) => lookup[encoder.encodeObjects([{ cat: value }]).ids[0]!];
    expect([rowOf(""), rowOf(cat.vocab[0]!), rowOf(cat.vocab[1]!)]).toEqual([0, 1, 2]);
    expect(new Set([rowOf(cat.vocab[2]!), rowOf(cat.vocab[24]!), rowOf("never seen")])).toEqual(new Set([3]));
  });

  it("refuses a spec without its parameter or naming an unknown field, in the config's words", () => {
    expect(() => planEmbeddingRemap(map, { kind: "prune" } as CompactEmbeddingSpec)).toThrow("student.embedding.keep: kind \"prune\" needs 'keep'");
    expect(() => planEmbeddingRemap(map, { kind: "hash", buckets: 4, fields: [{ name: "nope", kind: "full" }] })).toThrow("student.embedding.fields[0].name: no feature 'nope'");
    const config = (embedding: unknown) => ({ data: { synthetic: { rows: { train: 10, valid: 10, test: 10 } } }, teachers: [{ model: "LR" }], student: { embedding } });
    expect(() => parseConfig(config({ kind: "hash" }))).toThrow(ConfigError);
    expect(() => parseConfig(config({ kind: "hash" }))).toThrow("config.student.embedding.buckets: kind \"hash\" needs 'buckets'");
    expect(() => parseConfig(config({ kind: "prune", keep: 3, buckets: 4 }))).toThrow("config.student.embedding.buckets: only for kind \"hash\"");
    expect(() => parseConfig(config({ kind: "prune", keep: 3, fields: [{ name: "C99", kind: "full" }] }))).toThrow("config.student.embedding.fields[0].name: no feature 'C99'");
    expect(() => parseConfig(config({ kind: "squash" }))).toThrow("config.student.embedding.kind: expected one of full, prune, hash");
    expect(parseConfig(config({ kind: "prune", keep: 3, fields: [{ name: "C2", kind: "hash", buckets: 9 }] })).student.embedding).toEqual({
      kind: "prune",
      keep: 3,
      fields: [{ name: "C2", kind: "hash", buckets: 9 }],
    });
  });
});

interface RemapKernels {
  memory: WasmMemory;
  scratchBase(): number;
  remapLocal(op: number, param: number, local: number): number;
  remapIds(ids: number, rows: number, second: number, n: number, numFields: number, slotCounts: number, table: number): number;
  multiplySecondF32x4(second: number, n: number, numSlots: number, dim: number, dtype: number, embedding: number, codes: number, x: number, xStride: number): void;
  multiplySecondScalar(second: number, n: number, numSlots: number, dim: number, dtype: number, embedding: number, codes: number, x: number, xStride: number): void;
}

describe("the remap in TypeScript and AssemblyScript", () => {
  let k: RemapKernels;
  beforeAll(async () => {
    k = instantiateBytes(await loadKernelsModule()).exports as unknown as RemapKernels;
    k.memory.grow(4);
  });

  it("pins fmix32 (MurmurHash3's finaliser) on known values", () => {
    expect([0, 1, 2, 0xffffffff].map(fmix32)).toEqual([0, 0x514e28b7, 0x30f4c306, 0x81f16f39]);
  });

  it("agrees on clamp and hash at 0, K − 1, K, K + 1, the last bucket and the largest local index", () => {
    const cases: [FieldRemap["op"], number][] = [
      ["identity", 0], ["clamp", 1], ["clamp", 6], ["clamp", 1000], ["hash", 1], ["hash", 7], ["hash", 4096], ["hash", 2 ** 31 - 1], ["qr", 1], ["qr", 5], ["qr", 65536],
    ];
    for (const [op, param] of cases) {
      const locals = [0, 1, 2, param - 1, param, param + 1, 2 * param, 65535, 2 ** 31 - 2, 2 ** 32 - 1].filter((l) => l >= 0);
      for (const local of locals) {
        const want = remapLocal({ op, param }, local);
        expect(k.remapLocal(REMAP_OP_CODE[op], param, local) >>> 0, `${op}(${param}) of ${local}`).toBe(want);
        if (op === "hash") expect(want).toBeLessThan(param);
      }
    }
    // The last bucket is reached: some index of a small range hashes to N − 1.
    expect(Array.from({ length: 200 }, (_, l) => remapLocal({ op: "hash", param: 7 }, l))).toContain(6);
  });

  it("maps every id of a feature map as the lookup does, and refuses the same out-of-field ids", () => {
    const map = mixedMap();
    const layout = featureMapSlots(map);
    const remap = planEmbeddingRemap(map, { kind: "prune", keep: 4, fields: [{ name: "num", kind: "hash", buckets: 1 }, { name: "seq", kind: "qr", buckets: 3 }, { name: "hsh", kind: "qr", buckets: 6 }] });
    expect(remap.fields.map((f) => f.op)).toEqual(["clamp", "qr", "hash", "identity", "qr"]);
    const lookup = remapLookup(remap);
    // Every id of every slot's field, once per slot: rows that cycle through each field's ids.
    const S = layout.numSlots;
    const fieldOfSlot = layout.slotCounts.flatMap((c, f) => new Array<number>(c).fill(f));
    const widest = Math.max(...map.features.map((f) => f.size));
    const ids = Int32Array.from({ length: widest * S }, (_, i) => {
      const f = remap.fields[fieldOfSlot[i % S]!]!;
      return f.inputOffset + (Math.floor(i / S) % f.inputSize);
    });
    const n = widest;
    const base = k.scratchBase();
    const table = base;
    const slotCountsAt = base + remap.fields.length * REMAP_RECORD_BYTES;
    const idsAt = slotCountsAt + 64;
    const rowsAt = idsAt + ids.length * 4;
    const secondAt = rowsAt + ids.length * 4;
    const u32 = new Uint32Array(k.memory.buffer);
    remap.fields.forEach((f, i) => {
      u32.set([f.inputOffset, f.inputSize, REMAP_OP_CODE[f.op], f.param, f.rowOffset, f.rows, 0, 0], (table + i * REMAP_RECORD_BYTES) / 4);
    });
    u32.set(layout.slotCounts, slotCountsAt / 4);
    const run = (input: Int32Array) => {
      new Int32Array(k.memory.buffer).set(input, idsAt / 4);
      const bad = k.remapIds(idsAt, rowsAt, secondAt, n, layout.numFields, slotCountsAt, table);
      return { bad, rows: new Int32Array(k.memory.buffer, rowsAt, input.length).slice(), second: new Int32Array(k.memory.buffer, secondAt, input.length).slice() };
    };
    const wasm = run(ids);
    const ts = new Int32Array(ids.length);
    const tsSecond = new Int32Array(ids.length);
    expect(wasm.bad).toBe(-1);
    expect(remapSlotIds(remap, layout.slotCounts, ids, n, ts, tsSecond)).toBe(-1);
    expect(wasm.rows).toEqual(ts);
    expect(wasm.second).toEqual(tsSecond);
    expect(wasm.rows).toEqual(ids.map((id) => lookup[id]!));
    const secondLookup = remapSecondLookup(remap)!;
    expect(wasm.second).toEqual(ids.map((id) => secondLookup[id]!));
    expect(wasm.second.some((b) => b >= 0) && wasm.second.some((b) => b < 0)).toBe(true);
    for (const r of wasm.rows) expect(r >= 0 && r < remap.totalRows).toBe(true);
    // An id one past its field (the next field's first), one before it, and a negative one.
    for (const [at, id] of [[S + 0, remap.fields[1]!.inputOffset], [2 * S + 1, remap.fields[1]!.inputOffset - 1], [3 * S + 4, -1]] as const) {
      const bad = ids.slice();
      bad[at] = id;
      expect(run(bad).bad).toBe(at);
      expect(remapSlotIds(remap, layout.slotCounts, bad, n, ts)).toBe(at);
    }
  });
});

describe("an out-of-field id", () => {
  it("is refused with the row, the slot and field (by name), and the field's ids, by the WASM and the JS scorer alike", async () => {
    const map = mixedMap();
    const layout = featureMapSlots(map);
    const remap = planEmbeddingRemap(map, { kind: "qr", buckets: 3 });
    const weights: StudentWeights = {
      ...randomStudentWeights({ numFields: layout.numFields, slotCounts: layout.slotCounts, embeddingDim: 4, totalRows: remap.totalRows, hiddenUnits: [3], seed: 2, embeddingScale: 0.5, biasScale: 0.1 }),
      remap,
    };
    const scorer = Scorer.fromModule(new webAssembly.Module((await exportStudentWasm(weights, { featureMapId: map.id })).wasm));
    expect(scorer.info.embeddingRows).toBe(remap.totalRows);
    scorer.checkFeatureMap(map);
    const { ids, values, n } = new RowEncoder(map, "json").encodeObjects([{ cat: "c1", seq: ["t1", "t2"] }, { hsh: "h7", seq: "t3|t4|t5" }]);
    expect(scorer.score(ids, values, n)).toHaveLength(2);
    const seq = remap.fields[4]!;
    const S = layout.numSlots;
    const bad = ids.slice();
    bad[S + S - 1] = seq.inputOffset - 1; // the last slot of row 1's sequence carries the quantile field's last id
    const message = `id ${seq.inputOffset - 1} at row 1, slot ${S - 1} of field 4 ('seq') is outside that field's ids [${seq.inputOffset}, ${seq.inputOffset + seq.inputSize})`;
    expect(() => scorer.score(bad, values, n)).toThrow(`Scorer.score: ${message}`);
    expect(() => new JsScorer(weights).score(bad, values, n)).toThrow(`JsScorer.score: ${message.replace(" ('seq')", "")}`);
  });
});

describe("multiplySecondF32x4", () => {
  let k: RemapKernels;
  beforeAll(async () => {
    k = instantiateBytes(await loadKernelsModule()).exports as unknown as RemapKernels;
    k.memory.grow(4);
  });

  it.each([0, 1, 3, 4, 5, 17])("equals multiplySecondScalar bit for bit for dim %i, f32, f16 and int8 tables", (dim) => {
    const rand = mulberry32(dim + 1);
    const n = 3;
    const S = 4;
    const rows = 9;
    const xStride = S * dim + 4;
    const base = k.scratchBase();
    const secondAt = base;
    const tableAt = secondAt + 64;
    const codesAt = tableAt + ((rows * 4 + 15) & ~15);
    const xAt = tableAt + rows * Math.max(dim, 1) * 4 + 64;
    const yAt = xAt + n * xStride * 4 + 64;
    const second = Int32Array.from({ length: n * S }, (_, i) => (i % 3 === 1 ? -1 : Math.floor(rand() * rows)));
    new Int32Array(k.memory.buffer, secondAt, n * S).set(second);
    for (const dtype of [0, 2, 1]) {
      if (dtype === 0) new Float32Array(k.memory.buffer, tableAt, rows * dim).set(Float32Array.from({ length: rows * dim }, () => rand() * 2 - 1));
      if (dtype === 2) new Uint16Array(k.memory.buffer, tableAt, rows * dim).set(Uint16Array.from({ length: rows * dim }, () => 0x3000 + Math.floor(rand() * 0x1000)));
      if (dtype === 1) {
        new Float32Array(k.memory.buffer, tableAt, rows).set(Float32Array.from({ length: rows }, () => rand() / 50));
        new Int8Array(k.memory.buffer, codesAt, rows * dim).set(Int8Array.from({ length: rows * dim }, () => Math.floor(rand() * 255) - 127));
      }
      const x = Float32Array.from({ length: n * xStride }, () => rand() * 2 - 1);
      new Float32Array(k.memory.buffer, xAt, x.length).set(x);
      new Float32Array(k.memory.buffer, yAt, x.length).set(x);
      k.multiplySecondF32x4(secondAt, n, S, dim, dtype, tableAt, codesAt, xAt, xStride);
      k.multiplySecondScalar(secondAt, n, S, dim, dtype, tableAt, codesAt, yAt, xStride);
      const got = new Uint32Array(k.memory.buffer, xAt, x.length);
      expect(got).toEqual(new Uint32Array(k.memory.buffer, yAt, x.length));
      // Slots without a second row, and the padding past S * dim, are left alone.
      for (let r = 0; r < n; r++) {
        const untouched = new Float32Array(k.memory.buffer, xAt + (r * xStride + S * dim) * 4, 4);
        expect(untouched).toEqual(x.subarray(r * xStride + S * dim, r * xStride + S * dim + 4));
        const skipped = new Float32Array(k.memory.buffer, xAt + (r * xStride + 1 * dim) * 4, dim);
        if (second[r * S + 1]! < 0) expect(skipped).toEqual(x.subarray(r * xStride + dim, r * xStride + 2 * dim));
      }
    }
  });
});

const SYNTHETIC = { seed: 5, rows: { train: 6000, valid: 1000, test: 1500 }, fields: 6, vocabSize: 30, interactions: 5, zipf: 1.0, ctr: 0.25 };
const TRAINING = { batchSize: 256, epochs: 3, learningRate: 0.01, seed: 4, patience: 1, optimizer: "adam", adamVariant: "pytorch", embeddingUpdate: "lazy" } as const;
const STUDENT = { embeddingDim: 4, hiddenUnits: [12] };

/** Byte offset of the packed blob inside an exported module: the last "CTRD". */
function blobStartOf(wasm: Uint8Array): number {
  const magic = new Uint8Array(new Uint32Array([0x44525443]).buffer);
  for (let i = wasm.length - 4; i >= 0; i--) if (magic.every((b, j) => wasm[i + j] === b)) return i;
  throw new Error("blob not found in the exported module");
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe.each<[string, CompactEmbeddingSpec]>([
  ["pruned", { kind: "prune", keep: 6 }],
  ["hashed", { kind: "hash", buckets: 9 }],
  ["quotient–remainder", { kind: "qr", buckets: 6 }],
])("a trained %s student", (_name, spec) => {
  let data: PreparedData;
  let remap: EmbeddingRemap;
  let trained: TrainedModel;
  let weights: StudentWeights;
  let tfjs: Float32Array;
  let studentWasm: Uint8Array;
  let scorer: Scorer;

  beforeAll(async () => {
    await selectBackend();
    data = await prepareData({ format: "csv", delimiter: ",", header: true, label: "click", features: [], synthetic: SYNTHETIC }, { seed: 1 });
    remap = compactRemapOf(data.featureMap, spec)!;
    trained = await trainOnLabels("DNN", STUDENT, { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows, remap }, TRAINING, silentLogger, "student", 0);
    weights = studentWeightsOf(trained.model, STUDENT, data.train.layout, remap);
    tfjs = probabilities(predictLogits(trained.model, data.test));
    studentWasm = (await exportStudentWasm(weights, { featureMapId: data.featureMap.id })).wasm;
    scorer = Scorer.fromModule(new webAssembly.Module(studentWasm));
  });

  it("has exactly the rows the plan predicts, far fewer than the feature map's", () => {
    const perField = spec.kind === "prune" ? spec.keep! + 2 : spec.kind === "qr" ? spec.buckets! + Math.ceil((SYNTHETIC.vocabSize + 2) / spec.buckets!) : spec.buckets!;
    expect(data.featureMap.features.every((f) => f.size === SYNTHETIC.vocabSize + 2)).toBe(true);
    expect(remap.totalRows).toBe(SYNTHETIC.fields * perField);
    expect(trained.model.tables[0]!.rows).toBe(remap.totalRows);
    expect(trained.model.tables[0]!.weights.length).toBe(remap.totalRows * STUDENT.embeddingDim);
    expect(weights.totalRows).toBe(remap.totalRows);
    expect(scorer.info.embeddingRows).toBe(remap.totalRows);
    expect(remap.totalRows).toBeLessThan(data.featureMap.totalRows / 2);
  });

  it("learns (test AUC well above 0.5)", async () => {
    const { evaluateLogits } = await import("../../sdk/train/evaluate");
    expect(evaluateLogits(data.test.labels, predictLogits(trained.model, data.test)).auc).toBeGreaterThan(0.6);
  });

  it("scores the test split in WASM within 1e-5 of the tfjs student, and the JS scorer agrees", () => {
    const { ids, values, n } = data.test;
    const wasm = scorer.score(ids, values, n);
    expect(maxAbsDiff(wasm, tfjs)).toBeLessThan(1e-5);
    expect(maxAbsDiff(new JsScorer(weights).score(ids, values, n), tfjs)).toBeLessThan(1e-5);
    expect(Math.max(...tfjs) - Math.min(...tfjs)).toBeGreaterThan(0.3);
  });

  it("would be caught if the scorer mapped ids otherwise than the student trained on", async () => {
    // The same rows per field, another op: clamp where training hashed or composed, hash where it clamped.
    const other: EmbeddingRemap = {
      ...remap,
      fields: remap.fields.map((f) => (f.op === "clamp" ? { ...f, op: "hash", param: f.rows } : { ...f, op: "clamp", param: f.rows - 1 })),
    };
    const wrong = Scorer.fromModule(new webAssembly.Module((await exportStudentWasm({ ...weights, remap: other }, { featureMapId: data.featureMap.id })).wasm));
    const { ids, values, n } = data.test;
    expect(maxAbsDiff(wrong.score(ids, values, n), tfjs)).toBeGreaterThan(1e-3);
  });

  it("refuses an id outside its field's range, naming the row, the field (by name once the map is checked) and the field's ids", () => {
    const ids = data.test.ids.slice(0, 2 * SYNTHETIC.fields);
    const { inputOffset, inputSize } = remap.fields[2]!;
    ids[SYNTHETIC.fields + 2] = inputOffset + inputSize; // field 2's slot carries field 3's first id
    const range = `that field's ids [${inputOffset}, ${inputOffset + inputSize})`;
    expect(() => scorer.score(ids, data.test.values, 2)).toThrow(`Scorer.score: id ${inputOffset + inputSize} at row 1, field 2 is outside ${range}`);
    expect(() => new JsScorer(weights).score(ids, data.test.values, 2)).toThrow(`JsScorer.score: id ${inputOffset + inputSize} at row 1, field 2 is outside ${range}`);
    const named = Scorer.fromModule(new webAssembly.Module(studentWasm));
    named.checkFeatureMap(data.featureMap);
    expect(() => named.score(ids, data.test.values, 2)).toThrow(`Scorer.score: id ${inputOffset + inputSize} at row 1, field 2 ('C3') is outside ${range}`);
    ids[SYNTHETIC.fields + 2] = -1;
    expect(() => named.score(ids, data.test.values, 2)).toThrow(`Scorer.score: id -1 at row 1, field 2 ('C3') is outside ${range}`);
  });

  it("refuses a module whose remap table was tampered with, at init", async () => {
    const wasm = (await exportStudentWasm(weights, { featureMapId: data.featureMap.id })).wasm;
    const at = blobStartOf(wasm);
    const table = new DataView(wasm.buffer, wasm.byteOffset + at).getUint32(HeaderField.remapTableOffset, true);
    const corrupt = (edit: (v: DataView) => void) => {
      const copy = wasm.slice();
      edit(new DataView(copy.buffer, at));
      return () => Scorer.fromModule(new webAssembly.Module(copy));
    };
    expect(corrupt(() => {})).not.toThrow();
    expect(corrupt((v) => v.setUint32(table + 8, 7, true))).toThrow(/inconsistent/); // an unknown op
    expect(corrupt((v) => v.setUint32(table + 20, v.getUint32(table + 20, true) + 1, true))).toThrow(/inconsistent/); // rows off its param
    expect(corrupt((v) => v.setUint32(table + 12, 0, true))).toThrow(/inconsistent/); // no buckets
    expect(corrupt((v) => v.setUint32(REMAP_RECORD_BYTES + table, 1, true))).toThrow(/inconsistent/); // field 1 not after field 0
    expect(corrupt((v) => v.setUint32(HeaderField.inputRows, 1, true))).toThrow(/inconsistent/);
  });

  it.skipIf(ort === null)("runs under onnxruntime-node within 1e-5 of the tfjs student", async () => {
    const { ids, values, n } = data.test;
    const S = data.train.layout.numSlots;
    const session = await ort!.InferenceSession.create(exportStudentOnnx(weights));
    const out = await session.run({
      ids: new ort!.Tensor("int64", BigInt64Array.from(ids.subarray(0, n * S), (v) => BigInt(v)), [n, S]),
      values: new ort!.Tensor("float32", values.subarray(0, n * S), [n, S]),
    });
    expect(maxAbsDiff(out.ctr!.data as Float32Array, tfjs)).toBeLessThan(1e-5);
  });

  it.skipIf(ort === null).each<Quantize>(["fp16", "int8"])("stores a %s table that WASM, ONNX and the dequantised JS scorer read alike", async (quantize) => {
    const { ids, values, n } = data.test;
    const S = data.train.layout.numSlots;
    const wasm = Scorer.fromModule(new webAssembly.Module((await exportStudentWasm(weights, { featureMapId: data.featureMap.id, quantize })).wasm)).score(ids, values, n);
    const session = await ort!.InferenceSession.create(exportStudentOnnx(weights, { quantize }));
    const out = await session.run({
      ids: new ort!.Tensor("int64", BigInt64Array.from(ids.subarray(0, n * S), (v) => BigInt(v)), [n, S]),
      values: new ort!.Tensor("float32", values.subarray(0, n * S), [n, S]),
    });
    expect(maxAbsDiff(out.ctr!.data as Float32Array, wasm)).toBeLessThan(1e-5);
    expect(maxAbsDiff(new JsScorer(dequantizedStudent(weights, quantize)).score(ids, values, n), wasm)).toBeLessThan(1e-5);
    // Quantised, yet close to the f32 student.
    expect(maxAbsDiff(wasm, tfjs)).toBeLessThan(0.05);
  });
});

describe("ctr-distill run with student.embedding", () => {
  it("trains, exports and checks a pruned student end to end, and export --run rebuilds it", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "ctr-compact-run-")), "run");
    const config = parseConfig({
      data: { synthetic: SYNTHETIC },
      teachers: [{ model: "DNN", hiddenUnits: [16] }],
      student: { ...STUDENT, embedding: { kind: "prune", keep: 4, fields: [{ name: "C1", kind: "hash", buckets: 5 }] } },
      distill: { ensemble: "mean" },
      training: { batchSize: 256, epochs: 2, learningRate: 0.01, seed: 1, patience: 1 },
    });
    const report = await runPipeline({ config, outDir: out, log: silentLogger, backend: "wasm", httpCheckPort: null });
    expect(report.wasm.maxAbsDiff).toBeLessThan(1e-5);
    const model = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
    expect(model.sizes.embeddingRows).toBe(5 + (SYNTHETIC.fields - 1) * 6);
    expect(model.student.embedding).toEqual(config.student.embedding);
    expect(model.sizes.wasmGzipBytes).toBeLessThan(model.sizes.wasmBytes);
    const wasm = readFileSync(join(out, "student.wasm"));
    expect(wasm[blobStartOf(wasm) + HeaderField.version]).toBe(3);
    const again = await reexportRun(out, { quantize: "fp16" });
    expect(again.quantize).toBe("fp16");
    expect(existsSync(join(out, "student.onnx"))).toBe(true);
    const reexported = await Scorer.fromBytes(readFileSync(join(out, "student.wasm")));
    expect(reexported.info.quantize).toBe("fp16");
  });
});
