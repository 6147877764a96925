import { createHash } from "node:crypto";
import { beforeAll, describe, expect, test } from "vitest";
import { UserError } from "../../sdk/errors";
import { loadKernelsModule, loadScorerBase } from "../../sdk/export/compile";
import {
  activationQmax, denseInt8Row, int8DenseWeightsBytes, packInt8Dense, quantizeActivationRow, quantizeDenseChannels, type Int8DenseLayer,
} from "../../sdk/export/dense-int8";
import { exportStudentWasm } from "../../sdk/export/export-student";
import { JsScorer } from "../../sdk/export/js-scorer";
import { exportStudentOnnx } from "../../sdk/export/onnx";
import { DenseDtype, HeaderField, LayerField, LAYER_RECORD_BYTES, packStudent } from "../../sdk/export/pack";
import { dequantizedStudent, type DenseQuantize } from "../../sdk/export/quantize";
import type { DenseLayerWeights } from "../../sdk/export/student-weights";
import { appendDataSegment } from "../../sdk/export/wasm-patch";
import { instantiateBytes, webAssembly, type WasmMemory } from "../../sdk/export/wasm-api";
import { Scorer } from "../../sdk/runtime/scorer";
import { randomLayer, randomStudent, seeded } from "./fixtures/seeded";

/**
 * Int8 dense layers (quantizeDense "int8"): the weight and activation quantisers, the i32x4.dot_i16x8_s kernel
 * against its scalar reference and the plain-JS reference, the packed blob, and the exported scorer.
 */

type Quantise = (x: number, xStride: number, n: number, inDim: number, xq: number, xqStride: number, rowScales: number) => void;
type Dense = (
  xq: number, xqStride: number, sx: number, n: number, w: number, ws: number, bias: number, inDim: number, outPadded: number,
  y: number, yStride: number, relu: number,
) => void;

interface Kernels {
  memory: WasmMemory;
  scratchBase(): number;
  quantizeRowsF32x4: Quantise;
  quantizeRowsScalar: Quantise;
  denseInt8I16x8: Dense;
  denseInt8Scalar: Dense;
}

const SIZES = [0, 1, 3, 4, 5, 17, 64];
const MEMORY_PAGES = 96;
const FEATURE_MAP_ID = createHash("sha256").update("scorer-dense-int8 feature map").digest("hex");

const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;

let k: Kernels;

beforeAll(async () => {
  k = instantiateBytes(await loadKernelsModule()).exports as unknown as Kernels;
  const pages = k.memory.buffer.byteLength / 65536;
  if (pages < MEMORY_PAGES) k.memory.grow(MEMORY_PAGES - pages);
});

/** A bump allocator over the kernels module's memory; every block 16-aligned, each followed by a few spare bytes. */
class Arena {
  private at = k.scratchBase();
  alloc(bytes: number): number {
    const ptr = this.at;
    this.at = roundUp(this.at + bytes + 4, 16);
    if (this.at > MEMORY_PAGES * 65536) throw new Error("test arena overflow");
    return ptr;
  }
  /** `length` values of `Type`, filled with `fill` (NaN sentinels for floats) or copied from `data`. */
  f32(length: number, fill = Number.NaN): { ptr: number; view: Float32Array } {
    const ptr = this.alloc(length * 4);
    return { ptr, view: new Float32Array(k.memory.buffer, ptr, length).fill(fill) };
  }
  i16(length: number, fill = 0x5a5a): { ptr: number; view: Int16Array } {
    const ptr = this.alloc(length * 2);
    return { ptr, view: new Int16Array(k.memory.buffer, ptr, length).fill(fill) };
  }
  bytes(data: Uint8Array): number {
    const ptr = this.alloc(data.byteLength);
    new Uint8Array(k.memory.buffer, ptr, data.byteLength).set(data);
    return ptr;
  }
}

/** Index of the first element whose bits differ, or -1. */
function firstBitDifference(a: ArrayBufferView, b: ArrayBufferView): number {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (x.length !== y.length) return Math.min(x.length, y.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** Rows of x with varied magnitudes (one row all zero when n > 2), stride xStride, padding NaN. */
function randomRows(arena: Arena, rnd: () => number, n: number, inDim: number, xStride: number): { ptr: number; view: Float32Array } {
  const x = arena.f32(n * xStride);
  for (let r = 0; r < n; r++) {
    const magnitude = 10 ** ((r % 5) - 2);
    for (let i = 0; i < inDim; i++) x.view[r * xStride + i] = n > 2 && r === 2 ? 0 : rnd() * magnitude;
  }
  return x;
}

describe("activationQmax", () => {
  test("is 32767 up to 516 inputs, then the largest Q with inDim · Q · 127 < 2^31", () => {
    expect([1, 100, 516].map(activationQmax)).toEqual([32767, 32767, 32767]);
    for (const inDim of [517, 624, 1000, 4096, 1 << 20]) {
      const q = activationQmax(inDim);
      expect(inDim * q * 127).toBeLessThanOrEqual(2 ** 31 - 1);
      expect(inDim * (q + 1) * 127).toBeGreaterThan(2 ** 31 - 1);
    }
    expect(activationQmax(624)).toBe(27098);
    expect(activationQmax(1 << 20)).toBe(16);
  });
});

describe("quantizeDenseChannels", () => {
  test("scales each output channel by its own max|column| / 127, even across nine orders of magnitude", () => {
    const rnd = seeded(1);
    const inDim = 13;
    const magnitudes = [1e-5, 1e-3, 1, 1e2, 1e4];
    const outDim = magnitudes.length + 1;
    const weights = new Float32Array(inDim * outDim);
    for (let i = 0; i < inDim; i++) for (let j = 0; j < magnitudes.length; j++) weights[i * outDim + j] = rnd() * magnitudes[j]!;
    // The last channel is all zero: scale 0, codes 0.
    const q = quantizeDenseChannels({ inDim, outDim, weights, bias: new Float32Array(outDim), activation: "linear" });
    for (let j = 0; j < outDim; j++) {
      const column = Array.from({ length: inDim }, (_, i) => weights[i * outDim + j]!);
      const max = Math.max(...column.map(Math.abs));
      expect(q.scales[j]).toBe(Math.fround(max / 127));
      const codes = Array.from({ length: inDim }, (_, i) => q.codes[i * outDim + j]!);
      expect(Math.max(0, ...codes.map(Math.abs))).toBe(max === 0 ? 0 : 127);
      column.forEach((w, i) => expect(Math.abs(codes[i]! * q.scales[j]! - w)).toBeLessThanOrEqual(q.scales[j]! * 0.5 * (1 + 1e-6)));
    }
  });

  test("never uses -128: the most negative weight of a column is -127", () => {
    const weights = Float32Array.of(-2, 1, 0.5, -1);
    const q = quantizeDenseChannels({ inDim: 4, outDim: 1, weights, bias: new Float32Array(1), activation: "linear" });
    expect(Array.from(q.codes)).toEqual([-127, 64, 32, -64]);
  });
});

describe("quantizeActivationRow", () => {
  test("rounds ties to even, keeps ±Q at ±max|x|, and maps -0 to 0", () => {
    const Q = activationQmax(9);
    // max|x| = Q makes the multiplier exactly 1, so each x is rounded as it stands.
    const x = Float32Array.of(Q, -Q, 2.5, 3.5, -2.5, -3.5, 0.5, -0, 1.4999999);
    const q = new Int32Array(9);
    expect(quantizeActivationRow(x, 9, q)).toBe(1);
    expect(Array.from(q)).toEqual([Q, -Q, 2, 4, -2, -4, 0, 0, 1]);
  });

  test("gives an all-zero row codes 0 and scale 0 (no NaN from 0 · ∞)", () => {
    const q = new Int32Array(5).fill(7);
    expect(quantizeActivationRow(new Float32Array(5), 5, q)).toBe(0);
    expect(Array.from(q)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe("quantizeRowsF32x4", () => {
  test.each(SIZES)("equals quantizeRowsScalar and the JS quantiser bit for bit, pad included, for %i rows", (n) => {
    const rnd = seeded(100 + n);
    for (const inDim of [1, 2, 3, 4, 5, 7, 8, 9, 17, 64, 600]) {
      const arena = new Arena();
      const xStride = inDim + 3;
      const xqStride = roundUp(inDim + 2, 8); // room after the pad, to see that nothing is written there
      const x = randomRows(arena, rnd, n, inDim, xStride);
      const qSimd = arena.i16(n * xqStride);
      const qScalar = arena.i16(n * xqStride);
      const sSimd = arena.f32(n);
      const sScalar = arena.f32(n);
      k.quantizeRowsF32x4(x.ptr, xStride, n, inDim, qSimd.ptr, xqStride, sSimd.ptr);
      k.quantizeRowsScalar(x.ptr, xStride, n, inDim, qScalar.ptr, xqStride, sScalar.ptr);
      const label = `n=${n} inDim=${inDim}`;
      expect(firstBitDifference(qSimd.view, qScalar.view), label).toBe(-1);
      expect(firstBitDifference(sSimd.view, sScalar.view), label).toBe(-1);
      const codes = new Int32Array(inDim);
      let wrong = 0;
      for (let r = 0; r < n; r++) {
        const scale = quantizeActivationRow(x.view.subarray(r * xStride, r * xStride + inDim), inDim, codes);
        if (!Object.is(scale, sSimd.view[r])) wrong++;
        for (let i = 0; i < inDim; i++) if (codes[i] !== qSimd.view[r * xqStride + i]) wrong++;
        if (inDim % 2 === 1 && qSimd.view[r * xqStride + inDim] !== 0) wrong++; // the pad to an even count
        if (qSimd.view[r * xqStride + roundUp(inDim, 2)] !== 0x5a5a) wrong++; // nothing written past it
      }
      expect(wrong, label).toBe(0);
    }
  });
});

/** Quantises `layer`, places it packed in the arena; returns its pointers. */
function placeLayer(arena: Arena, layer: DenseLayerWeights): { q: Int8DenseLayer; outPadded: number; ws: number; w: number; bias: number } {
  const q = quantizeDenseChannels(layer);
  const outPadded = roundUp(layer.outDim, 4);
  const ws = arena.bytes(packInt8Dense(q, outPadded));
  const b = arena.f32(outPadded, 0);
  b.view.set(layer.bias);
  return { q, outPadded, ws, w: ws + outPadded * 4, bias: b.ptr };
}

/** Runs quantizeRowsF32x4 + `dense` over n rows of x; returns the output view (stride yStride, NaN sentinels). */
function runLayer(arena: Arena, dense: Dense, placed: ReturnType<typeof placeLayer>, x: { ptr: number }, xStride: number, n: number, inDim: number, yStride: number, relu: number): Float32Array {
  const xqStride = roundUp(inDim + 1, 8);
  const xq = arena.i16(n * xqStride);
  const sx = arena.f32(n);
  k.quantizeRowsF32x4(x.ptr, xStride, n, inDim, xq.ptr, xqStride, sx.ptr);
  const y = arena.f32(n * yStride + 4);
  dense(xq.ptr, xqStride, sx.ptr, n, placed.w, placed.ws, placed.bias, inDim, placed.outPadded, y.ptr, yStride, relu);
  return y.view;
}

describe("denseInt8I16x8", () => {
  test.each(SIZES)("equals denseInt8Scalar and the JS reference bit for bit, and the f32 product within the quantisation error, for %i rows", (n) => {
    const rnd = seeded(200 + n);
    for (const inDim of [1, 2, 3, 5, 8, 17, 33]) {
      for (const outDim of [1, 3, 4, 5, 8, 9, 17]) {
        for (const relu of [0, 1]) {
          const arena = new Arena();
          const layer = randomLayer(rnd, inDim, outDim, relu ? "relu" : "linear");
          const placed = placeLayer(arena, layer);
          const xStride = inDim + 3;
          const yStride = placed.outPadded + 4;
          const x = randomRows(arena, rnd, n, inDim, xStride);
          const ySimd = runLayer(arena, k.denseInt8I16x8, placed, x, xStride, n, inDim, yStride, relu);
          const yScalar = runLayer(arena, k.denseInt8Scalar, placed, x, xStride, n, inDim, yStride, relu);
          const label = `n=${n} in=${inDim} out=${outDim} relu=${relu}`;
          expect(firstBitDifference(ySimd, yScalar), label).toBe(-1);
          const codes = new Int32Array(inDim);
          const want = new Float32Array(outDim);
          let wrong = 0;
          let worst = 0;
          for (let r = 0; r < n; r++) {
            const row = x.view.subarray(r * xStride, r * xStride + inDim);
            denseInt8Row(placed.q, row, codes, want);
            for (let j = 0; j < placed.outPadded; j++) {
              const got = ySimd[r * yStride + j]!;
              if (j >= outDim) {
                if (!Object.is(got, 0)) wrong++; // padded channels: act(0 · 0 + 0)
                continue;
              }
              if (!Object.is(got, want[j])) wrong++;
              // Against f32: each weight is off by ≤ sw/2, each input by ≤ sx/2.
              let exact = layer.bias[j]!;
              let bound = 1e-6;
              const maxX = Math.max(...row.map(Math.abs));
              for (let i = 0; i < inDim; i++) {
                exact += row[i]! * layer.weights[i * outDim + j]!;
                bound += (Math.abs(row[i]!) * placed.q.scales[j]!) / 2 + (Math.abs(layer.weights[i * outDim + j]!) * maxX) / activationQmax(inDim) / 2;
              }
              if (relu) exact = Math.max(exact, 0);
              worst = Math.max(worst, Math.abs(got - exact) / bound);
            }
            if (!Number.isNaN(ySimd[r * yStride + placed.outPadded]!)) wrong++; // wrote past the row
          }
          expect(wrong, label).toBe(0);
          expect(worst, label).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  test("never wraps at the worst case of a wide layer: every input at max|x|, every code ±127", () => {
    for (const inDim of [516, 517, 1000, 4095]) {
      const arena = new Arena();
      const outDim = 4;
      // Channels: all +1, all -1, alternating, and a tiny one (its own scale: same codes, another magnitude).
      const weights = new Float32Array(inDim * outDim);
      for (let i = 0; i < inDim; i++) weights.set([1, -1, i % 2 ? 1 : -1, 1e-6], i * outDim);
      const layer: DenseLayerWeights = { inDim, outDim, weights, bias: Float32Array.of(0, 0, 0.5, 0), activation: "linear" };
      const placed = placeLayer(arena, layer);
      const x = arena.f32(inDim);
      x.view.fill(3);
      for (const dense of [k.denseInt8I16x8, k.denseInt8Scalar]) {
        const y = runLayer(arena, dense, placed, x, inDim, 1, inDim, 4, 0);
        const Q = activationQmax(inDim);
        const acc = inDim * Q * 127; // within an i32, by activationQmax
        expect(acc).toBeLessThan(2 ** 31);
        const sx = Math.fround(3 / Q);
        const value = (sign: number, sw: number) => Math.fround(Math.fround(sign * acc) * Math.fround(sx * Math.fround(sw / 127)));
        expect(y[0]).toBe(value(1, 1));
        expect(y[1]).toBe(value(-1, 1));
        expect(y[2]).toBe(Math.fround(((inDim % 2) * -Q * 127 * Math.fround(sx * Math.fround(1 / 127))) + 0.5));
        expect(y[3]).toBe(value(1, Math.fround(1e-6)));
        expect(Math.abs(y[0]! - 3 * inDim) / (3 * inDim)).toBeLessThan(1e-4);
        expect(Math.abs(y[3]! - 3e-6 * inDim) / (3e-6 * inDim)).toBeLessThan(1e-4);
      }
    }
  });

  test("keeps each channel's relative accuracy when channels differ by 10^8 in magnitude", () => {
    const rnd = seeded(7);
    const inDim = 37;
    const scales = [1e-4, 1e-2, 1, 1e2, 1e4];
    const outDim = scales.length;
    const weights = new Float32Array(inDim * outDim);
    for (let i = 0; i < inDim; i++) for (let j = 0; j < outDim; j++) weights[i * outDim + j] = rnd() * scales[j]!;
    const layer: DenseLayerWeights = { inDim, outDim, weights, bias: new Float32Array(outDim), activation: "linear" };
    const arena = new Arena();
    const placed = placeLayer(arena, layer);
    const n = 9;
    const x = randomRows(arena, rnd, n, inDim, inDim);
    const y = runLayer(arena, k.denseInt8I16x8, placed, x, inDim, n, inDim, 8, 0);
    for (let r = 0; r < n; r++) {
      if (r === 2) continue; // the all-zero row
      for (let j = 0; j < outDim; j++) {
        let exact = 0;
        let norm = 0;
        for (let i = 0; i < inDim; i++) {
          exact += x.view[r * inDim + i]! * weights[i * outDim + j]!;
          norm += Math.abs(x.view[r * inDim + i]! * weights[i * outDim + j]!);
        }
        // One scale for the whole tensor would leave the 1e-4 channel with codes of 0.
        expect(Math.abs(y[r * 8 + j]! - exact) / norm, `row ${r} channel ${j}`).toBeLessThan(0.02);
      }
    }
  });

  test("gives an all-zero row exactly act(bias)", () => {
    const arena = new Arena();
    const layer = randomLayer(seeded(9), 6, 5, "relu");
    layer.bias.set([0.25, -0.5, 0, 1, -0]);
    const placed = placeLayer(arena, layer);
    const x = arena.f32(6, 0);
    for (const dense of [k.denseInt8I16x8, k.denseInt8Scalar]) {
      const y = runLayer(arena, dense, placed, x, 6, 1, 6, 8, 1);
      expect(Array.from(y.subarray(0, 8))).toEqual([0.25, 0, 0, 1, 0, 0, 0, 0]);
    }
  });
});


function randomInputs(seed: number, n: number, S: number, totalRows: number): { ids: Int32Array; values: Float32Array } {
  const rnd = seeded(seed);
  return {
    ids: Int32Array.from({ length: n * S }, () => Math.floor(((rnd() + 1) / 2) * totalRows)),
    values: Float32Array.from({ length: n * S }, (_, i) => (i % S === S - 1 ? rnd() * 3 : i % 5 === 0 ? 0 : 1)),
  };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe("an exported student with int8 dense layers", () => {
  const n = 1500;

  test.each<["none" | "int8", number[] | undefined, number]>([
    ["none", undefined, 256],
    ["int8", undefined, 7],
    ["none", [1, 3, 1, 2, 1, 1], 5],
  ])("(%s embeddings, slots %j, maxBatch %i) matches the JS reference of the same arithmetic within 1e-5 (1e-6 for f32 ones), and the f32 student within 1e-2", async (quantize, slotCounts, maxBatch) => {
    const weights = randomStudent(17, 6, 8, 300, [37, 9], slotCounts);
    const S = slotCounts === undefined ? weights.numFields : slotCounts.reduce((a, b) => a + b, 0);
    const { ids, values } = randomInputs(18, n, S, weights.totalRows);
    const exported = await exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, quantize, quantizeDense: "int8", maxBatch });
    expect(exported).toMatchObject({ quantize, quantizeDense: "int8" });
    const scorer = Scorer.fromModule(new webAssembly.Module(exported.wasm));
    expect(scorer.info).toMatchObject({ quantize, quantizeDense: "int8", maxBatch });
    const got = scorer.score(ids, values, n);
    const table = dequantizedStudent(weights, quantize);
    // With f32 embeddings the JS reference is the kernels' arithmetic bit for bit up to the sigmoid; an int8 table's
    // reference is the dequantised one (code · scale, then · value, where the gather folds scale · value first), whose
    // last-bit differences can move an int16 code by one.
    expect(maxAbsDiff(got, new JsScorer(table, { quantizeDense: "int8" }).score(ids, values, n))).toBeLessThan(quantize === "none" ? 1e-6 : 1e-5);
    const drift = maxAbsDiff(got, new JsScorer(table).score(ids, values, n));
    expect(drift).toBeGreaterThan(0); // it really computes something else
    expect(drift).toBeLessThan(1e-2);
    expect(Math.max(...got) - Math.min(...got)).toBeGreaterThan(0.3);
  });

  test("takes about a quarter of the f32 dense bytes, under another model id; f32 blobs keep their bytes", async () => {
    const weights = randomStudent(23, 6, 8, 50, [64, 32]);
    const f32 = packStudent(weights, { featureMapId: FEATURE_MAP_ID });
    expect(packStudent(weights, { featureMapId: FEATURE_MAP_ID, quantizeDense: "none" }).blob).toEqual(f32.blob);
    const int8 = packStudent(weights, { featureMapId: FEATURE_MAP_ID, quantizeDense: "int8" });
    expect(int8.modelId).not.toBe(f32.modelId);
    const denseF32 = weights.layers.reduce((s, l) => s + l.inDim * roundUp(l.outDim, 4) * 4, 0);
    const denseInt8 = weights.layers.reduce((s, l) => s + int8DenseWeightsBytes(l.inDim, roundUp(l.outDim, 4)), 0);
    expect(denseInt8).toBeLessThan(denseF32 * 0.3);
    expect(f32.blob.byteLength - int8.blob.byteLength).toBe(denseF32 - denseInt8);
    const view = new DataView(int8.blob.buffer);
    expect(new DataView(f32.blob.buffer).getUint32(HeaderField.denseDtype, true)).toBe(DenseDtype.f32);
    expect(view.getUint32(HeaderField.denseDtype, true)).toBe(DenseDtype.int8ChannelScale);
    // Each layer's section is the packed scales and codes of its channels, then its f32 bias.
    weights.layers.forEach((layer, i) => {
      const rec = view.getUint32(HeaderField.layerTableOffset, true) + i * LAYER_RECORD_BYTES;
      const at = view.getUint32(rec + LayerField.weightsOffset, true);
      const bytes = view.getUint32(rec + LayerField.weightsBytes, true);
      const outPadded = roundUp(layer.outDim, 4);
      expect(bytes).toBe(int8DenseWeightsBytes(layer.inDim, outPadded));
      expect(int8.blob.subarray(at, at + bytes)).toEqual(packInt8Dense(quantizeDenseChannels(layer), outPadded));
      const biasAt = view.getUint32(rec + LayerField.biasOffset, true);
      expect(Array.from(new Float32Array(int8.blob.buffer, biasAt, layer.outDim))).toEqual(Array.from(layer.bias));
    });
  });

  test("is refused by a module when its dense type is unknown or its weights bytes are not its layout's", async () => {
    const weights = randomStudent(29, 6, 8);
    const base = await loadScorerBase();
    const modelBase = (instantiateBytes(base).exports.modelBase as () => number)() >>> 0;
    const load = (blob: Uint8Array) => Scorer.fromModule(new webAssembly.Module(appendDataSegment(base, modelBase, blob)));
    const { blob } = packStudent(weights, { featureMapId: FEATURE_MAP_ID, quantizeDense: "int8" });
    const view = new DataView(blob.buffer);
    view.setUint32(HeaderField.denseDtype, 0, true); // claims f32 panels over int8 bytes
    expect(() => load(blob)).toThrow(/inconsistent/);
    view.setUint32(HeaderField.denseDtype, 2, true);
    expect(() => load(blob)).toThrow(/dense-layer type is not supported by this module \(status 9\)/);
  });

  test("has no ONNX form: exportStudentOnnx refuses it with a UserError", () => {
    const weights = randomStudent(31, 6, 8);
    expect(() => exportStudentOnnx(weights, { quantizeDense: "int8" })).toThrow(UserError);
    expect(() => exportStudentOnnx(weights, { quantizeDense: "int8" })).toThrow(/'quantizeDense' "int8" has no ONNX form/);
    expect(exportStudentOnnx(weights, { quantizeDense: "none" })).toEqual(exportStudentOnnx(weights));
  });

  test("under a byte budget keeps the dense layers as asked and chooses only the embedding storage", async () => {
    const weights = randomStudent(37, 6, 8, 3000, [64, 32]);
    const size = async (quantize: "none" | "fp16" | "int8", quantizeDense: DenseQuantize) =>
      (await exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, quantize, quantizeDense })).wasm.byteLength;
    const int8None = await size("none", "int8");
    expect(int8None).toBeLessThan(await size("none", "none"));
    const pick = (budget: number, quantizeDense: DenseQuantize) => exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, budget, quantizeDense });
    expect(await pick(int8None, "int8")).toMatchObject({ quantize: "none", quantizeDense: "int8" });
    expect(await pick(int8None - 1, "int8")).toMatchObject({ quantize: "fp16", quantizeDense: "int8" });
    const smallest = await size("int8", "none");
    expect(await pick(smallest, "none")).toMatchObject({ quantize: "int8", quantizeDense: "none" });
    await expect(pick(smallest - 1, "none")).rejects.toThrow(/Dense layers in int8 \(quantizeDense "int8"\)/);
    await expect(exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, quantizeDense: "int4" as DenseQuantize })).rejects.toThrow(
      /'quantizeDense' must be one of none, int8, got "int4"/,
    );
  });
});
