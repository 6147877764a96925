import { createHash } from "node:crypto";
import { beforeAll, describe, expect, test } from "vitest";
import { loadKernelsModule, loadScorerBase } from "../../sdk/export/compile";
import { JsScorer } from "../../sdk/export/js-scorer";
import { BLOB_VERSION, BLOB_VERSION_POOLED, HeaderField, LAYER_RECORD_BYTES, HEADER_BYTES, packStudent } from "../../sdk/export/pack";
import { f16BitsToF32, quantizeF16, quantizeInt8Rows, type Quantize } from "../../sdk/export/quantize";
import { randomStudentWeights, type RandomStudentOptions } from "../../sdk/export/random-student";
import type { StudentWeights } from "../../sdk/export/student-weights";
import { appendDataSegment } from "../../sdk/export/wasm-patch";
import { instantiateBytes, webAssembly, type WasmMemory } from "../../sdk/export/wasm-api";
import { Scorer, ScorerError } from "../../sdk/runtime/scorer";
import { poolSlots, slotLayoutOf, type SlotLayout } from "../../sdk/runtime/slots";
import { seeded } from "./fixtures/seeded";

/** Multi-valued fields: the pooling kernel, the v2 blob, and pooled scorers against a JS reference. */

const FEATURE_MAP_ID = createHash("sha256").update("scorer-pooling feature map").digest("hex");
const TOTAL_ROWS = 50;
const SLOT_COUNTS = [1, 3, 1, 5, 2];
const MEMORY_PAGES = 64;

function student(o: Partial<RandomStudentOptions> = {}): StudentWeights {
  const numFields = o.slotCounts?.length ?? 4;
  return randomStudentWeights({ numFields, embeddingDim: 6, totalRows: TOTAL_ROWS, hiddenUnits: [7, 5], seed: 1, embeddingScale: 0.5, biasScale: 0.1, ...o });
}

function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

let base: Uint8Array;
let modelBase: number;

/** The scorer module with `weights` packed in, as exportStudentWasm builds it (without its unpooled probe). */
function scorerModule(weights: StudentWeights, quantize: Quantize = "none", maxBatch = 256): Uint8Array {
  return appendDataSegment(base, modelBase, packStudent(weights, { featureMapId: FEATURE_MAP_ID, quantize, maxBatch }).blob);
}

function scorerOf(weights: StudentWeights, quantize: Quantize = "none", maxBatch = 256): Scorer {
  return Scorer.fromModule(new webAssembly.Module(scorerModule(weights, quantize, maxBatch)));
}

/**
 * Encoded rows: one id per slot; the slots of a pooled field past a random length are padding (id 0, value 0),
 * the rest carry 1/length (mean pooling), and single-slot fields a numeric value.
 */
function randomRows(layout: SlotLayout, seed: number, n: number): { ids: Int32Array; values: Float32Array } {
  const rnd = seeded(seed);
  const ids = new Int32Array(n * layout.numSlots);
  const values = new Float32Array(n * layout.numSlots);
  for (let r = 0, at = 0; r < n; r++) {
    for (const count of layout.slotCounts) {
      const length = count === 1 ? 1 : Math.floor(((rnd() + 1) / 2) * (count + 1));
      for (let s = 0; s < count; s++, at++) {
        ids[at] = s < length ? Math.floor(((rnd() + 1) / 2) * TOTAL_ROWS) : 0;
        values[at] = s >= length ? 0 : count === 1 ? rnd() * 3 : 1 / length;
      }
    }
  }
  return { ids, values };
}

/** Each slot's scaled row exactly as the module's gather kernel of `quantize` computes it: [n][S][D]. */
function scaledSlotRows(weights: StudentWeights, quantize: Quantize, ids: Int32Array, values: Float32Array): Float32Array {
  const { embedding, totalRows, embeddingDim: D } = weights;
  const halves = quantize === "fp16" ? quantizeF16(embedding) : null;
  const int8 = quantize === "int8" ? quantizeInt8Rows(embedding, totalRows, D) : null;
  const out = new Float32Array(ids.length * D);
  ids.forEach((id, i) => {
    const v = values[i]!;
    const scale = int8 ? Math.fround(int8.scales[id]! * v) : 0;
    for (let d = 0; d < D; d++) {
      const at = id * D + d;
      out[i * D + d] = int8 ? int8.codes[at]! * scale : halves ? f16BitsToF32(halves[at]!) * v : embedding[at]! * v;
    }
  });
  return out;
}

/**
 * The reference of a pooled student on rows: the pooled inputs (poolSlots over the scaled slot rows) become the
 * embedding table of an unpooled f32 student with the same layers, each row scored by its own ids with value 1.
 */
function pooledReference(weights: StudentWeights, quantize: Quantize, ids: Int32Array, values: Float32Array, n: number) {
  const { numFields: F, embeddingDim: D, layers } = weights;
  const pooled = poolSlots(scaledSlotRows(weights, quantize, ids, values), slotLayoutOf(weights.slotCounts!), n, D);
  const unpooled: StudentWeights = { numFields: F, embeddingDim: D, totalRows: Math.max(1, n * F), embedding: n ? pooled : new Float32Array(D), layers };
  const rowIds = Int32Array.from({ length: n * F }, (_, i) => i);
  return { unpooled, rowIds, ones: new Float32Array(n * F).fill(1) };
}

/** Byte offset of the packed blob inside an exported module: its magic, version, F and D in a row. */
function blobStart(wasm: Uint8Array, version: number, F: number, D: number): number {
  const needle = new Uint8Array(new Uint32Array([0x44525443, version, F, D]).buffer);
  outer: for (let i = wasm.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (wasm[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error("blob not found in the exported module");
}

beforeAll(async () => {
  base = await loadScorerBase();
  modelBase = ((instantiateBytes(base).exports as { modelBase(): number }).modelBase() >>> 0);
});

interface PoolKernels {
  memory: WasmMemory;
  scratchBase(): number;
  poolSlotsF32x4(slots: number, slotStride: number, n: number, numFields: number, dim: number, slotCounts: number, x: number, xStride: number): void;
  poolSlotsScalar(slots: number, slotStride: number, n: number, numFields: number, dim: number, slotCounts: number, x: number, xStride: number): void;
}

describe("poolSlotsF32x4", () => {
  let k: PoolKernels;
  beforeAll(async () => {
    k = instantiateBytes(await loadKernelsModule()).exports as unknown as PoolKernels;
    const pages = k.memory.buffer.byteLength / 65536;
    if (pages < MEMORY_PAGES) k.memory.grow(MEMORY_PAGES - pages);
  });

  test.each([0, 1, 3, 17])("equals poolSlotsScalar bit for bit and poolSlots, for %i rows", (n) => {
    const rnd = seeded(4000 + n);
    for (const slotCounts of [[1], [4], [1, 1, 1], [2, 1, 3], [5, 1, 1, 2]]) {
      for (const dim of [1, 3, 4, 5, 8, 17]) {
        const layout = slotLayoutOf(slotCounts);
        const slotStride = layout.numSlots * dim + 1; // odd row stride: rows at every alignment
        const xStride = layout.numFields * dim + 2;
        let at = k.scratchBase();
        const alloc = (floats: number) => {
          const ptr = at;
          at = Math.ceil((at + floats * 4 + 4) / 16) * 16;
          return ptr;
        };
        const countsPtr = alloc(slotCounts.length);
        new Uint32Array(k.memory.buffer, countsPtr, slotCounts.length).set(slotCounts);
        const slotsPtr = alloc(n * slotStride);
        const slots = new Float32Array(k.memory.buffer, slotsPtr, n * slotStride);
        slots.set(Float32Array.from(slots, () => rnd() * 10));
        const simdPtr = alloc(n * xStride);
        const scalarPtr = alloc(n * xStride);
        const simd = new Float32Array(k.memory.buffer, simdPtr, n * xStride).fill(Number.NaN);
        const scalar = new Float32Array(k.memory.buffer, scalarPtr, n * xStride).fill(Number.NaN);
        k.poolSlotsF32x4(slotsPtr, slotStride, n, layout.numFields, dim, countsPtr, simdPtr, xStride);
        k.poolSlotsScalar(slotsPtr, slotStride, n, layout.numFields, dim, countsPtr, scalarPtr, xStride);
        const label = `n=${n} counts=${slotCounts} D=${dim}`;
        // Same bits everywhere, including the NaN padding at the end of each row, which neither may write.
        expect(bitsEqual(simd, scalar), label).toBe(true);
        const packed = new Float32Array(n * layout.numSlots * dim);
        for (let r = 0; r < n; r++) packed.set(slots.subarray(r * slotStride, r * slotStride + layout.numSlots * dim), r * layout.numSlots * dim);
        const want = poolSlots(packed, layout, n, dim);
        const got = new Float32Array(n * layout.numFields * dim);
        for (let r = 0; r < n; r++) {
          got.set(simd.subarray(r * xStride, r * xStride + layout.numFields * dim), r * layout.numFields * dim);
          expect(simd.subarray(r * xStride + layout.numFields * dim, (r + 1) * xStride).every(Number.isNaN), `${label}: wrote past a row`).toBe(true);
        }
        expect(bitsEqual(got, want), label).toBe(true);
      }
    }
  });
});

describe("blob format", () => {
  test("keeps unpooled students at version 1, byte for byte: the model id is pinned", () => {
    const plain = packStudent(student({ embeddingScale: 0.1 }), { featureMapId: createHash("sha256").update("fm").digest("hex") });
    expect(plain.modelId).toBe("62cebac97b1a5f2931fa1cf46eabfc23b60e581926d2e8abead2e06dc96cf159");
    const view = new DataView(plain.blob.buffer);
    expect(view.getUint32(HeaderField.version, true)).toBe(BLOB_VERSION);
    expect([...plain.blob.subarray(HeaderField.numSlots, HeaderField.modelId)].every((b) => b === 0)).toBe(true);
    // One slot per field is no pooling: the same blob as without slotCounts.
    const ones = packStudent(student({ embeddingScale: 0.1, slotCounts: [1, 1, 1, 1] }), { featureMapId: createHash("sha256").update("fm").digest("hex") });
    expect(ones.blob).toEqual(plain.blob);
  });

  test("writes pooled students as version 2 with numSlots and a 16-aligned slot table after the layer table", () => {
    const weights = student({ slotCounts: SLOT_COUNTS });
    const packed = packStudent(weights, { featureMapId: FEATURE_MAP_ID });
    const view = new DataView(packed.blob.buffer);
    expect(view.getUint32(HeaderField.version, true)).toBe(BLOB_VERSION_POOLED);
    expect(view.getUint32(HeaderField.numSlots, true)).toBe(12);
    const table = view.getUint32(HeaderField.slotTableOffset, true);
    expect(table % 16).toBe(0);
    expect(table).toBeGreaterThanOrEqual(HEADER_BYTES + weights.layers.length * LAYER_RECORD_BYTES);
    expect(table + SLOT_COUNTS.length * 4).toBeLessThanOrEqual(view.getUint32(HeaderField.embeddingOffset, true));
    expect([...new Uint32Array(packed.blob.buffer, table, SLOT_COUNTS.length)]).toEqual(SLOT_COUNTS);
    // Pooling is part of the model: the same tables pooled otherwise are another model.
    const other = packStudent(student({ slotCounts: [1, 3, 1, 4, 3] }), { featureMapId: FEATURE_MAP_ID });
    expect(other.modelId).not.toBe(packed.modelId);
  });

  test("refuses more slots than the module's widest input", () => {
    expect(() => packStudent(student({ slotCounts: [1, 2 ** 18] }), { featureMapId: FEATURE_MAP_ID })).toThrow(/numSlots \* embeddingDim = 1572870 exceeds/);
  });
});

describe("pooled scorer", () => {
  const weights = student({ slotCounts: SLOT_COUNTS });
  const layout = slotLayoutOf(SLOT_COUNTS);
  const S = layout.numSlots;

  test.each(["none", "fp16", "int8"] as const)("scores %s rows bit for bit like the pooled inputs through the dense layers", (quantize) => {
    const scorer = scorerOf(weights, quantize);
    expect(scorer.info).toMatchObject({ numFields: SLOT_COUNTS.length, numSlots: S, quantize });
    for (const n of [0, 1, 7, 300]) {
      const { ids, values } = randomRows(layout, 100 + n, n);
      const got = scorer.score(ids, values, n);
      const { unpooled, rowIds, ones } = pooledReference(weights, quantize, ids, values, n);
      const want = scorerOf(unpooled).score(rowIds, ones, n);
      expect(bitsEqual(got, want), `${quantize} n=${n}`).toBe(true);
      const js = new JsScorer(unpooled).score(rowIds, ones, n);
      expect(got.reduce((worst, g, r) => Math.max(worst, Math.abs(g - js[r]!)), 0)).toBeLessThan(1e-5);
      if (n > 100) expect(Math.max(...got) - Math.min(...got)).toBeGreaterThan(0.05);
    }
  });

  test("ignores padding slots (value 0) whatever their id", () => {
    const scorer = scorerOf(weights);
    const { ids, values } = randomRows(layout, 5, 40);
    const before = scorer.score(ids, values, 40);
    values.forEach((v, i) => v === 0 && (ids[i] = TOTAL_ROWS - 1));
    expect(scorer.score(ids, values, 40)).toEqual(before);
  });

  test("checks the feature map's field count, not its slot count", () => {
    const scorer = scorerOf(weights);
    const features = SLOT_COUNTS.map((_, i) => ({ name: `f${i}` }));
    expect(() => scorer.checkFeatureMap({ id: FEATURE_MAP_ID, features })).not.toThrow();
    expect(() => scorer.checkFeatureMap({ id: FEATURE_MAP_ID, features: new Array(S).fill({}) })).toThrow(/12 features, the model expects 5/);
  });

  test("wants n * numSlots ids and values", () => {
    const scorer = scorerOf(weights);
    const { ids, values } = randomRows(layout, 3, 2);
    expect(() => scorer.score(ids, values, 3)).toThrow(/'ids' must be an Int32Array of at least n \* numSlots = 36 entries/);
    expect(() => scorer.score(ids, values.subarray(1), 2)).toThrow(/'values' must be a Float32Array of at least n \* numSlots = 24 entries/);
  });

  test("names the row, slot and field of an out-of-range id, also past the first chunk, then keeps scoring", () => {
    const scorer = scorerOf(weights, "none", 16);
    const { ids, values } = randomRows(layout, 11, 40);
    for (const [row, slot, field] of [[0, 0, 0], [3, 7, 3], [37, 11, 4]] as const) {
      const saved = ids[row * S + slot]!;
      ids[row * S + slot] = TOTAL_ROWS;
      const message = `id ${TOTAL_ROWS} at row ${row}, slot ${slot} of field ${field} is outside the embedding table [0, ${TOTAL_ROWS})`;
      expect(() => scorer.score(ids, values, 40)).toThrow(`Scorer.score: ${message}`);
      expect(() => new JsScorer(weights).score(ids, values, 40)).toThrow(`JsScorer.score: ${message}`);
      ids[row * S + slot] = -1;
      expect(() => scorer.score(ids, values, 40)).toThrow(ScorerError);
      ids[row * S + slot] = saved;
    }
    expect(scorer.score(ids, values, 40).length).toBe(40);
  });

  test("reports the flat index r * S + s of a bad id from the raw ABI", () => {
    const m = new webAssembly.Instance(new webAssembly.Module(scorerModule(weights, "none", 4)), {}).exports as unknown as {
      memory: WasmMemory; init(): number; numSlots(): number; numFields(): number; idsPtr(): number; score(n: number): number; errorIndex(): number;
    };
    expect(m.numSlots()).toBe(0); // before init, like every size getter
    expect(m.init()).toBe(0);
    expect([m.numFields(), m.numSlots()]).toEqual([5, S]);
    const ids = new Int32Array(m.memory.buffer, m.idsPtr() >>> 0, 4 * S).fill(0);
    ids[2 * S + 9] = TOTAL_ROWS;
    expect(m.score(4)).toBe(8);
    expect(m.errorIndex()).toBe(2 * S + 9);
    expect(m.score(2)).toBe(0);
  });

  test("refuses a version-2 blob whose slot table does not add up", () => {
    const wasm = scorerModule(weights);
    const at = blobStart(wasm, BLOB_VERSION_POOLED, SLOT_COUNTS.length, weights.embeddingDim);
    const view = new DataView(wasm.buffer, wasm.byteOffset + at);
    const table = view.getUint32(HeaderField.slotTableOffset, true);
    const corrupt = (edit: (v: DataView) => void) => {
      const copy = wasm.slice();
      edit(new DataView(copy.buffer, at));
      return () => Scorer.fromModule(new webAssembly.Module(copy));
    };
    expect(corrupt((v) => v.setUint32(HeaderField.numSlots, S + 1, true))).toThrow(/inconsistent/);
    expect(corrupt((v) => v.setUint32(table + 4, 0, true))).toThrow(/inconsistent/);
    expect(corrupt((v) => v.setUint32(HeaderField.slotTableOffset, table + 4, true))).toThrow(/inconsistent/);
    // Version 3 (a compact embedding) also needs a remap table, which a version-2 blob has not.
    expect(corrupt((v) => v.setUint32(HeaderField.version, 3, true))).toThrow(/inconsistent/);
    expect(corrupt((v) => v.setUint32(HeaderField.version, 4, true))).toThrow(/format version/);
  });
});
