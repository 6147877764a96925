import { createHash } from "node:crypto";
import { beforeAll, describe, expect, test } from "vitest";
import { UserError } from "../../sdk/errors";
import { loadKernelsModule, loadScorerBase } from "../../sdk/export/compile";
import { exportStudentWasm } from "../../sdk/export/export-student";
import { JsScorer } from "../../sdk/export/js-scorer";
import { EmbeddingDtype, HeaderField, packStudent } from "../../sdk/export/pack";
import {
  dequantizedStudent, dequantizeInt8Rows, f16BitsToF32, f32ToF16Bits, quantizeF16, quantizeInt8Rows, type Quantize,
} from "../../sdk/export/quantize";
import { instantiateBytes, webAssembly, type WasmMemory } from "../../sdk/export/wasm-api";
import { Scorer } from "../../sdk/runtime/scorer";
import { randomStudent, seeded } from "./fixtures/seeded";

/** int8 (per-row scale) and fp16 embeddings: the conversions, the gather kernels, the exports and the budget. */

interface Kernels {
  memory: WasmMemory;
  scratchBase(): number;
  gatherI8F32x4(ids: number, values: number, n: number, F: number, D: number, scales: number, codes: number, x: number, xStride: number): void;
  gatherI8Scalar(ids: number, values: number, n: number, F: number, D: number, scales: number, codes: number, x: number, xStride: number): void;
  gatherF16F32x4(ids: number, values: number, n: number, F: number, D: number, embedding: number, x: number, xStride: number): void;
  gatherF16Scalar(ids: number, values: number, n: number, F: number, D: number, embedding: number, x: number, xStride: number): void;
  f16ToF32(h: number): number;
}

const SIZES = [0, 1, 3, 4, 5, 17, 64];
const MEMORY_PAGES = 64;
const FEATURE_MAP_ID = createHash("sha256").update("scorer-quantize feature map").digest("hex");

let k: Kernels;

/** A bump allocator over the kernels module's memory, 16-aligned blocks; `offset` misaligns a block on purpose. */
class Arena {
  private at: number;
  constructor() {
    this.at = k.scratchBase();
  }
  alloc(bytes: number, offset = 0): number {
    const ptr = this.at + offset;
    this.at = Math.ceil((ptr + bytes + 4) / 16) * 16;
    if (this.at > MEMORY_PAGES * 65536) throw new Error("test arena overflow");
    return ptr;
  }
  f32(length: number, fill = Number.NaN): { ptr: number; view: Float32Array } {
    const ptr = this.alloc(length * 4);
    const view = new Float32Array(k.memory.buffer, ptr, length).fill(fill);
    return { ptr, view };
  }
  copy(data: Int32Array | Float32Array | Int8Array | Uint16Array, offset = 0): number {
    const ptr = this.alloc(data.byteLength, offset);
    new Uint8Array(k.memory.buffer, ptr, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return ptr;
  }
}

function firstBitDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

beforeAll(async () => {
  k = instantiateBytes(await loadKernelsModule()).exports as unknown as Kernels;
  const pages = k.memory.buffer.byteLength / 65536;
  if (pages < MEMORY_PAGES) k.memory.grow(MEMORY_PAGES - pages);
});

describe("f32ToF16Bits and f16BitsToF32", () => {
  test("round-trip every finite half exactly", () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      const back = f32ToF16Bits(f16BitsToF32(h));
      if (back !== h) expect(back.toString(16), `half 0x${h.toString(16)}`).toBe(h.toString(16));
    }
  });

  test("round to nearest, ties to even, with overflow to infinity and underflow to zero", () => {
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(-2)).toBe(0xc000);
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(65519)).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // the tie above the largest half rounds to infinity
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie, even mantissa stays
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, odd mantissa rounds up
    expect(f32ToF16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(f32ToF16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and it: even
    expect(f32ToF16Bits(1.5 * 2 ** -25)).toBe(0x0001);
    expect(f32ToF16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // carries from the subnormals into the normals
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    expect(f32ToF16Bits(Number.NaN) & 0x7e00).toBe(0x7e00);
  });

  test("pick the nearest half for random floats of every magnitude", () => {
    const rnd = seeded(31);
    for (let i = 0; i < 20000; i++) {
      const x = Math.fround(rnd() * 2 ** Math.round(rnd() * 40 - 26)); // 2^-27 (subnormal) .. 2^14
      const h = f32ToF16Bits(x);
      const err = Math.abs(f16BitsToF32(h) - x);
      // No neighbouring half is closer.
      for (const other of [h - 1, h + 1]) {
        if ((other & 0x7fff) >= 0x7c00 || other < 0 || ((other ^ h) & 0x8000) !== 0) continue;
        expect(err, `x=${x}`).toBeLessThanOrEqual(Math.abs(f16BitsToF32(other) - x));
      }
    }
  });
});

describe("quantizeInt8Rows", () => {
  test("uses scale = max|row| / 127, codes within ±127, and reconstructs each value within half a step", () => {
    const rnd = seeded(5);
    const rows = 50;
    const dim = 7;
    const w = Float32Array.from({ length: rows * dim }, (_, i) => (i < dim ? 0 : rnd() * (1 + (i % 5))));
    const q = quantizeInt8Rows(w, rows, dim);
    const back = dequantizeInt8Rows(q, rows, dim);
    expect(q.scales[0]).toBe(0);
    for (let r = 1; r < rows; r++) {
      const row = w.subarray(r * dim, (r + 1) * dim);
      expect(q.scales[r]).toBe(Math.fround(Math.max(...row.map(Math.abs)) / 127));
      expect(Math.max(...q.codes.subarray(r * dim, (r + 1) * dim).map(Math.abs))).toBe(127);
      for (let d = 0; d < dim; d++) expect(Math.abs(back[r * dim + d]! - row[d]!)).toBeLessThanOrEqual(q.scales[r]! * 0.5 + 1e-7);
    }
  });
});

describe("gatherI8F32x4", () => {
  test.each(SIZES)("equals gatherI8Scalar bit for bit and f32(code) * f32(scale * value), for %i rows", (n) => {
    const rnd = seeded(3000 + n);
    for (const numFields of [1, 3, 5]) {
      for (const dim of [1, 3, 4, 5, 16, 17, 33]) {
        const arena = new Arena();
        const totalRows = 23;
        const codes = Int8Array.from({ length: totalRows * dim }, () => Math.round(rnd() * 127));
        const scales = Float32Array.from({ length: totalRows }, () => Math.fround(Math.abs(rnd()) / 127));
        const ids = Int32Array.from({ length: n * numFields }, () => Math.floor(((rnd() + 1) / 2) * totalRows));
        const values = Float32Array.from({ length: n * numFields }, (_, i) => (i % 2 ? 1 : rnd() * 3));
        const codesPtr = arena.copy(codes, 3); // rows of odd length at an odd address
        const scalesPtr = arena.copy(scales);
        const idsPtr = arena.copy(ids);
        const valuesPtr = arena.copy(values);
        const xStride = numFields * dim + 2;
        const simd = arena.f32(n * xStride + 4);
        const scalar = arena.f32(n * xStride + 4);
        k.gatherI8F32x4(idsPtr, valuesPtr, n, numFields, dim, scalesPtr, codesPtr, simd.ptr, xStride);
        k.gatherI8Scalar(idsPtr, valuesPtr, n, numFields, dim, scalesPtr, codesPtr, scalar.ptr, xStride);
        const label = `n=${n} F=${numFields} D=${dim}`;
        expect(firstBitDifference(simd.view, scalar.view), label).toBe(-1);
        let mismatches = 0;
        for (let r = 0; r < n; r++) {
          for (let f = 0; f < numFields; f++) {
            const id = ids[r * numFields + f]!;
            const s = Math.fround(scales[id]! * values[r * numFields + f]!);
            for (let d = 0; d < dim; d++) if (simd.view[r * xStride + f * dim + d] !== Math.fround(codes[id * dim + d]! * s)) mismatches++;
          }
          if (!Number.isNaN(simd.view[r * xStride + numFields * dim]!)) mismatches++; // wrote past the row
        }
        expect(mismatches, label).toBe(0);
      }
    }
  });
});

describe("gatherF16F32x4", () => {
  test.each(SIZES)("equals gatherF16Scalar bit for bit and the exact halves times the value, for %i rows", (n) => {
    const rnd = seeded(4000 + n);
    for (const numFields of [1, 3, 5]) {
      for (const dim of [1, 3, 4, 5, 8, 16, 17]) {
        const arena = new Arena();
        const totalRows = 23;
        const halves = Uint16Array.from({ length: totalRows * dim }, () => f32ToF16Bits(rnd() * 8));
        const ids = Int32Array.from({ length: n * numFields }, () => Math.floor(((rnd() + 1) / 2) * totalRows));
        const values = Float32Array.from({ length: n * numFields }, (_, i) => (i % 2 ? 1 : rnd() * 3));
        const tablePtr = arena.copy(halves, 2);
        const idsPtr = arena.copy(ids);
        const valuesPtr = arena.copy(values);
        const xStride = numFields * dim + 2;
        const simd = arena.f32(n * xStride + 4);
        const scalar = arena.f32(n * xStride + 4);
        k.gatherF16F32x4(idsPtr, valuesPtr, n, numFields, dim, tablePtr, simd.ptr, xStride);
        k.gatherF16Scalar(idsPtr, valuesPtr, n, numFields, dim, tablePtr, scalar.ptr, xStride);
        const label = `n=${n} F=${numFields} D=${dim}`;
        expect(firstBitDifference(simd.view, scalar.view), label).toBe(-1);
        let mismatches = 0;
        for (let r = 0; r < n; r++) {
          for (let f = 0; f < numFields; f++) {
            const id = ids[r * numFields + f]!;
            const v = values[r * numFields + f]!;
            for (let d = 0; d < dim; d++) if (simd.view[r * xStride + f * dim + d] !== Math.fround(f16BitsToF32(halves[id * dim + d]!) * v)) mismatches++;
          }
          if (!Number.isNaN(simd.view[r * xStride + numFields * dim]!)) mismatches++;
        }
        expect(mismatches, label).toBe(0);
      }
    }
  });

  test("widens all 65,536 halves exactly (subnormals, ±0, ±infinity, NaN), SIMD lanes and scalar alike", () => {
    const arena = new Arena();
    const dim = 8;
    const rows = 0x10000 / dim;
    const tablePtr = arena.copy(Uint16Array.from({ length: 0x10000 }, (_, h) => h));
    const idsPtr = arena.copy(Int32Array.from({ length: rows }, (_, r) => r));
    const valuesPtr = arena.copy(new Float32Array(rows).fill(1));
    const x = arena.f32(0x10000);
    k.gatherF16F32x4(idsPtr, valuesPtr, rows, 1, dim, tablePtr, x.ptr, dim);
    let wrong = 0;
    for (let h = 0; h < 0x10000; h++) {
      const want = f16BitsToF32(h);
      const simd = x.view[h]!;
      const scalar = k.f16ToF32(h);
      const same = (a: number) => (Number.isNaN(want) ? Number.isNaN(a) : Object.is(a, want));
      if (!same(simd) || !same(scalar)) wrong++;
    }
    expect(wrong).toBe(0);
  });
});


function randomRows(seed: number, n: number, F: number, totalRows: number): { ids: Int32Array; values: Float32Array } {
  const rnd = seeded(seed);
  return {
    ids: Int32Array.from({ length: n * F }, () => Math.floor(((rnd() + 1) / 2) * totalRows)),
    values: Float32Array.from({ length: n * F }, (_, i) => (i % F === F - 1 ? rnd() * 3 : 1)),
  };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe("quantised exports", () => {
  const weights = randomStudent(17, 6, 16);
  const n = 2000;
  const { ids, values } = randomRows(18, n, weights.numFields, weights.totalRows);
  const f32Scores = new JsScorer(weights).score(ids, values, n);

  test.each<[Quantize, number]>([
    ["int8", 5e-3],
    ["fp16", 5e-4],
  ])("a %s module matches the JS forward pass over its own dequantised table within 1e-5, and the f32 one within %f", async (quantize, bound) => {
    const exported = await exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, quantize });
    expect(exported.quantize).toBe(quantize);
    const scorer = Scorer.fromModule(new webAssembly.Module(exported.wasm));
    expect(scorer.info.quantize).toBe(quantize);
    const got = scorer.score(ids, values, n);
    expect(maxAbsDiff(got, new JsScorer(dequantizedStudent(weights, quantize)).score(ids, values, n))).toBeLessThan(1e-5);
    const drift = maxAbsDiff(got, f32Scores);
    expect(drift).toBeLessThan(bound);
    expect(drift).toBeGreaterThan(0); // it really is another table
    expect(Math.max(...got) - Math.min(...got)).toBeGreaterThan(0.3);
  });

  test("stores the table in 1/2 (fp16) and ~1/4 (int8) of the f32 bytes, under another model id", async () => {
    const none = await exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID });
    const fp16 = await exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, quantize: "fp16" });
    const int8 = await exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, quantize: "int8" });
    const cells = weights.totalRows * weights.embeddingDim;
    expect([none.embeddingBytes, fp16.embeddingBytes, int8.embeddingBytes]).toEqual([cells * 4, cells * 2, Math.ceil((weights.totalRows * 4) / 16) * 16 + cells]);
    expect(none.wasm.byteLength - fp16.wasm.byteLength).toBeGreaterThanOrEqual(cells * 2 - 64);
    expect(fp16.wasm.byteLength - int8.wasm.byteLength).toBeGreaterThanOrEqual(cells - weights.totalRows * 4 - 64);
    expect(new Set([none.modelId, fp16.modelId, int8.modelId]).size).toBe(3);
    const { blob } = packStudent(weights, { featureMapId: FEATURE_MAP_ID, quantize: "int8" });
    expect(new DataView(blob.buffer).getUint32(HeaderField.embeddingDtype, true)).toBe(EmbeddingDtype.int8RowScale);
  });

  test("a module refuses an int8 blob whose embedding byte count is not its layout's", async () => {
    const { blob } = packStudent(weights, { featureMapId: FEATURE_MAP_ID, quantize: "int8" });
    const view = new DataView(blob.buffer);
    view.setUint32(HeaderField.embeddingBytes, weights.totalRows * weights.embeddingDim * 4, true); // the f32 size
    const { appendDataSegment } = await import("../../sdk/export/wasm-patch");
    const base = await loadScorerBase();
    const modelBase = (instantiateBytes(base).exports.modelBase as () => number)() >>> 0;
    expect(() => Scorer.fromModule(new webAssembly.Module(appendDataSegment(base, modelBase, blob)))).toThrow(/inconsistent/);
    view.setUint32(HeaderField.embeddingDtype, 3, true);
    expect(() => Scorer.fromModule(new webAssembly.Module(appendDataSegment(base, modelBase, blob)))).toThrow(/embedding type is not supported/);
  });
});

describe("exportStudentWasm with a byte budget", () => {
  const weights = randomStudent(23, 6, 16, 4000);
  let sizes: Record<Quantize, number>;

  beforeAll(async () => {
    sizes = { none: 0, fp16: 0, int8: 0 };
    for (const q of ["none", "fp16", "int8"] as const) sizes[q] = (await exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, quantize: q })).wasm.byteLength;
  });

  test("keeps f32 when it fits, else the least lossy option that fits", async () => {
    const pick = async (budget: number) => (await exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, budget })).quantize;
    expect(await pick(sizes.none)).toBe("none");
    expect(await pick(sizes.none - 1)).toBe("fp16");
    expect(await pick(sizes.fp16)).toBe("fp16");
    expect(await pick(sizes.fp16 - 1)).toBe("int8");
    expect(await pick(sizes.int8)).toBe("int8");
    const picked = await exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, budget: sizes.fp16 + 10 });
    expect(picked.wasm.byteLength).toBe(sizes.fp16);
  });

  test("throws a UserError naming the size of the smallest option when nothing fits", async () => {
    const attempt = exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, budget: sizes.int8 - 1 });
    await expect(attempt).rejects.toThrow(UserError);
    await expect(exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, budget: sizes.int8 - 1 })).rejects.toThrow(
      new RegExp(`the smallest option is int8: ${sizes.int8.toLocaleString("en-US")} bytes.*needs retraining`),
    );
  });

  test("holds an explicit quantize to the budget instead of choosing another", async () => {
    await expect(exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, quantize: "none", budget: sizes.fp16 })).rejects.toThrow(/smallest option is none/);
    expect((await exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, quantize: "int8", budget: sizes.none })).quantize).toBe("int8");
  });

  test("refuses a bad quantize or budget as a UserError", async () => {
    await expect(exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, quantize: "int4" as Quantize })).rejects.toThrow(/'quantize' must be one of none, fp16, int8, got "int4"/);
    await expect(exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, budget: -5 })).rejects.toThrow(UserError);
    await expect(exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, budget: 1.5 })).rejects.toThrow(/'budget' must be a positive whole number/);
  });

  test("skips fp16 for a table beyond its range, and refuses it when asked for explicitly", async () => {
    const wide = { ...weights, embedding: weights.embedding.slice() };
    wide.embedding[5] = 1e5;
    expect(() => quantizeF16(wide.embedding)).toThrow(/index 5 is beyond the fp16 range/);
    expect((await exportStudentWasm(wide, { featureMapId: FEATURE_MAP_ID, budget: sizes.none - 1 })).quantize).toBe("int8");
    await expect(exportStudentWasm(wide, { featureMapId: FEATURE_MAP_ID, quantize: "fp16" })).rejects.toThrow(/cannot store the embeddings as fp16/);
  });
});
