import { beforeAll, describe, expect, test } from "vitest";
import { loadKernelsModule } from "../../sdk/export/compile";
import { packDensePanels, padBias } from "../../sdk/export/pack";
import { instantiateBytes, type WasmMemory } from "../../sdk/export/wasm-api";
import { seeded } from "./fixtures/seeded";

/** Each SIMD kernel of assembly/ against its scalar reference, both compiled (build/scorer-kernels.wasm). */

interface Kernels {
  memory: WasmMemory;
  scratchBase(): number;
  denseF32x4(x: number, xStride: number, n: number, w: number, bias: number, inDim: number, outPadded: number, y: number, yStride: number, relu: number): void;
  denseScalar(x: number, xStride: number, n: number, w: number, bias: number, inDim: number, outPadded: number, y: number, yStride: number, relu: number): void;
  gatherF32x4(ids: number, values: number, n: number, numFields: number, dim: number, embedding: number, x: number, xStride: number): void;
  gatherScalar(ids: number, values: number, n: number, numFields: number, dim: number, embedding: number, x: number, xStride: number): void;
  firstBadId(ids: number, count: number, totalRows: number): number;
  sigmoidColumn(logits: number, stride: number, n: number, out: number): void;
}

const SIZES = [0, 1, 3, 4, 5, 17, 64];
const MEMORY_PAGES = 64;

const roundUp4 = (x: number) => Math.ceil(x / 4) * 4;

/** Index of the first element whose bits differ, or -1 (one expect per case keeps the suite fast). */
function firstBitDifference(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

let k: Kernels;

/** A bump allocator over the kernels module's memory, reset per case; every block 16-aligned. */
class Arena {
  private at: number;
  constructor(base: number) {
    this.at = base;
  }
  f32(length: number, fill = Number.NaN): { ptr: number; view: Float32Array } {
    const ptr = this.alloc(length * 4);
    const view = new Float32Array(k.memory.buffer, ptr, length);
    view.fill(fill);
    return { ptr, view };
  }
  i32(values: Int32Array): number {
    const ptr = this.alloc(values.length * 4);
    new Int32Array(k.memory.buffer, ptr, values.length).set(values);
    return ptr;
  }
  bits(ptr: number, length: number): Uint32Array {
    return new Uint32Array(k.memory.buffer, ptr, length);
  }
  private alloc(bytes: number): number {
    const ptr = this.at;
    this.at = Math.ceil((this.at + bytes + 4) / 16) * 16;
    if (this.at > MEMORY_PAGES * 65536) throw new Error("test arena overflow");
    return ptr;
  }
}

beforeAll(async () => {
  k = instantiateBytes(await loadKernelsModule()).exports as unknown as Kernels;
  const pages = k.memory.buffer.byteLength / 65536;
  if (pages < MEMORY_PAGES) k.memory.grow(MEMORY_PAGES - pages);
});

describe("denseF32x4", () => {
  test.each(SIZES)("equals denseScalar bit for bit and the unpacked product, for %i rows and every in/out size", (n) => {
    const rnd = seeded(1000 + n);
    for (const inDim of SIZES) {
      for (const outDim of [0, ...SIZES.slice(1)]) {
        for (const relu of [0, 1]) {
          const arena = new Arena(k.scratchBase());
          const outPadded = roundUp4(outDim);
          const xStride = inDim + 3; // rows not 16-aligned on purpose
          const yStride = outPadded + 4;
          const weights = Float32Array.from({ length: inDim * outDim }, rnd);
          const bias = Float32Array.from({ length: outDim }, rnd);
          const x = arena.f32(n * xStride);
          for (let r = 0; r < n; r++) for (let i = 0; i < inDim; i++) x.view[r * xStride + i] = rnd();
          const w = arena.f32(inDim * outPadded);
          w.view.set(packDensePanels(weights, inDim, outDim));
          const b = arena.f32(outPadded);
          b.view.set(padBias(bias, outDim));
          const ySimd = arena.f32(n * yStride + 4);
          const yScalar = arena.f32(n * yStride + 4);
          k.denseF32x4(x.ptr, xStride, n, w.ptr, b.ptr, inDim, outPadded, ySimd.ptr, yStride, relu);
          k.denseScalar(x.ptr, xStride, n, w.ptr, b.ptr, inDim, outPadded, yScalar.ptr, yStride, relu);
          const label = `n=${n} in=${inDim} out=${outDim} relu=${relu}`;
          // Same bits everywhere, including the untouched NaN sentinels between rows and after the last.
          expect(firstBitDifference(arena.bits(ySimd.ptr, ySimd.view.length), arena.bits(yScalar.ptr, yScalar.view.length)), label).toBe(-1);
          let worst = 0;
          let overrun = false;
          for (let r = 0; r < n; r++) {
            for (let j = 0; j < outPadded; j++) {
              let want = j < outDim ? bias[j]! : 0;
              if (j < outDim) for (let i = 0; i < inDim; i++) want += x.view[r * xStride + i]! * weights[i * outDim + j]!;
              if (relu) want = Math.max(want, 0);
              const err = Math.abs(ySimd.view[r * yStride + j]! - want);
              worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
            }
            overrun ||= !Number.isNaN(ySimd.view[r * yStride + outPadded]!);
          }
          expect(worst, label).toBeLessThan(1e-4);
          expect(overrun, `${label}: wrote past the end of a row`).toBe(false);
        }
      }
    }
  });
});

describe("gatherF32x4", () => {
  test.each(SIZES)("equals gatherScalar bit for bit and the scaled embedding rows, for %i rows", (n) => {
    const rnd = seeded(2000 + n);
    for (const numFields of [1, 3, 5]) {
      for (const dim of [1, 3, 4, 5, 17]) {
        const arena = new Arena(k.scratchBase());
        const totalRows = 23;
        const emb = arena.f32(totalRows * dim);
        for (let i = 0; i < emb.view.length; i++) emb.view[i] = rnd();
        const ids = Int32Array.from({ length: n * numFields }, () => Math.floor(((rnd() + 1) / 2) * totalRows));
        const idsPtr = arena.i32(ids);
        const values = arena.f32(n * numFields);
        for (let i = 0; i < values.view.length; i++) values.view[i] = i % 2 ? 1 : rnd() * 3;
        const xStride = numFields * dim + 2;
        const xSimd = arena.f32(n * xStride + 4);
        const xScalar = arena.f32(n * xStride + 4);
        k.gatherF32x4(idsPtr, values.ptr, n, numFields, dim, emb.ptr, xSimd.ptr, xStride);
        k.gatherScalar(idsPtr, values.ptr, n, numFields, dim, emb.ptr, xScalar.ptr, xStride);
        const label = `n=${n} F=${numFields} D=${dim}`;
        expect(firstBitDifference(arena.bits(xSimd.ptr, xSimd.view.length), arena.bits(xScalar.ptr, xScalar.view.length)), label).toBe(-1);
        let mismatches = 0;
        let overrun = false;
        for (let r = 0; r < n; r++) {
          for (let f = 0; f < numFields; f++) {
            const id = ids[r * numFields + f]!;
            for (let d = 0; d < dim; d++) {
              const want = Math.fround(emb.view[id * dim + d]! * values.view[r * numFields + f]!);
              if (xSimd.view[r * xStride + f * dim + d] !== want) mismatches++;
            }
          }
          overrun ||= !Number.isNaN(xSimd.view[r * xStride + numFields * dim]!);
        }
        expect(mismatches, label).toBe(0);
        expect(overrun, `${label}: wrote past the end of a row`).toBe(false);
      }
    }
  });
});

describe("firstBadId", () => {
  test("returns -1 when every id is in [0, totalRows)", () => {
    const arena = new Arena(k.scratchBase());
    expect(k.firstBadId(arena.i32(Int32Array.of(0, 4, 9, 3)), 4, 10)).toBe(-1);
    expect(k.firstBadId(arena.i32(new Int32Array(0)), 0, 10)).toBe(-1);
  });

  test("returns the index of the first id that is negative or >= totalRows", () => {
    const arena = new Arena(k.scratchBase());
    expect(k.firstBadId(arena.i32(Int32Array.of(0, 4, 10, -1)), 4, 10)).toBe(2);
    expect(k.firstBadId(arena.i32(Int32Array.of(0, -1, 10)), 3, 10)).toBe(1);
    expect(k.firstBadId(arena.i32(Int32Array.of(0, 1, 2, -2147483648)), 4, 10)).toBe(3);
  });
});

describe("sigmoidColumn", () => {
  test("matches 1 / (1 + e^-x) on column 0 of strided rows, without overflow at ±100", () => {
    const arena = new Arena(k.scratchBase());
    const logits = [0, 1, -1, 3.5, -7.25, 20, -20, 100, -100, 88.5, -88.5];
    const stride = 4;
    const x = arena.f32(logits.length * stride, 12345);
    logits.forEach((v, r) => (x.view[r * stride] = v));
    const out = arena.f32(logits.length + 1);
    k.sigmoidColumn(x.ptr, stride, logits.length, out.ptr);
    logits.forEach((v, r) => {
      expect(Math.abs(out.view[r]! - 1 / (1 + Math.exp(-v))), `x=${v}`).toBeLessThan(1e-6);
      expect(out.view[r]! >= 0 && out.view[r]! <= 1, `x=${v}`).toBe(true);
    });
    expect(Number.isNaN(out.view[logits.length]!)).toBe(true);
  });
});
