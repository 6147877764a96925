import { createHash } from "node:crypto";
import { beforeAll, describe, expect, test } from "vitest";
import { loadScorerBase } from "../../sdk/export/compile";
import { exportStudentWasm } from "../../sdk/export/export-student";
import { JsScorer } from "../../sdk/export/js-scorer";
import type { StudentWeights } from "../../sdk/export/student-weights";
import { webAssembly } from "../../sdk/export/wasm-api";
import { SectionId, concatBytes, encodeModule, encodeU32Leb, readMemoryLimits } from "../../sdk/export/wasm-patch";
import { BLOB_BYTES_AT, BLOB_HEADER_BYTES, BLOB_MODEL_ID_AT, modelIdOf } from "../../sdk/runtime/model-id";
import { Scorer, ScorerError } from "../../sdk/runtime/scorer";

/** The loader's refusals, and the module's raw ABI answering bad calls with a status instead of a trap. */

const FEATURE_MAP_ID = createHash("sha256").update("scorer-loader").digest("hex");

/** A tiny student: F = 2, D = 3, 5 rows, 6 → 4 relu → 1. */
function tinyStudent(): StudentWeights {
  const ramp = (n: number, scale: number) => Float32Array.from({ length: n }, (_, i) => ((i % 7) - 3) * scale);
  return {
    numFields: 2,
    embeddingDim: 3,
    totalRows: 5,
    embedding: ramp(15, 0.1),
    layers: [
      { inDim: 6, outDim: 4, weights: ramp(24, 0.05), bias: ramp(4, 0.01), activation: "relu" },
      { inDim: 4, outDim: 1, weights: ramp(4, 0.3), bias: Float32Array.of(0.1), activation: "linear" },
    ],
  };
}

/** Signed LEB128 of a small non-negative integer (below 8192): the immediate of `i32.const`. */
function smallSleb(value: number): Uint8Array {
  return value < 64 ? Uint8Array.of(value) : Uint8Array.of(0x80 | (value & 0x7f), value >> 7);
}

/**
 * A hand-written module exporting `memory` and, as () => i32 constants, the given functions (a negative
 * constant: a function that traps); `data`, when
 * given, is placed at address 0 of memory by an active data segment.
 */
function fakeModule(functions: Record<string, number>, data?: Uint8Array): Uint8Array {
  const names = Object.keys(functions);
  const str = (s: string) => concatBytes([encodeU32Leb(s.length), new TextEncoder().encode(s)]);
  const vec = (items: Uint8Array[]) => concatBytes([encodeU32Leb(items.length), ...items]);
  const body = (value: number) => {
    // No locals; i32.const value, or `unreachable` (a trap) for a negative value; end.
    const code = value < 0 ? Uint8Array.of(0x00, 0x00, 0x0b) : concatBytes([Uint8Array.of(0x00, 0x41), smallSleb(value), Uint8Array.of(0x0b)]);
    return concatBytes([encodeU32Leb(code.length), code]);
  };
  const segment = (bytes: Uint8Array) => concatBytes([Uint8Array.of(0x00, 0x41, 0x00, 0x0b), encodeU32Leb(bytes.length), bytes]); // active, at i32.const 0
  return encodeModule([
    { id: SectionId.type, payload: vec([Uint8Array.of(0x60, 0x00, 0x01, 0x7f)]) },
    { id: SectionId.function, payload: vec(names.map(() => Uint8Array.of(0))) },
    { id: SectionId.memory, payload: vec([Uint8Array.of(0x00, 0x01)]) },
    {
      id: SectionId.export,
      payload: vec([
        concatBytes([str("memory"), Uint8Array.of(0x02, 0x00)]),
        ...names.map((name, i) => concatBytes([str(name), Uint8Array.of(0x00), encodeU32Leb(i)])),
      ]),
    },
    { id: SectionId.code, payload: vec(names.map((n) => body(functions[n]!))) },
    ...(data ? [{ id: SectionId.data, payload: vec([segment(data)]) }] : []),
  ]);
}

/** A 256-byte blob (a bare header) whose id field holds its true model id, as the exporter writes it. */
function headerOnlyBlob(): Uint8Array {
  const blob = new Uint8Array(BLOB_HEADER_BYTES);
  new DataView(blob.buffer).setUint32(BLOB_BYTES_AT, BLOB_HEADER_BYTES, true);
  blob.set(new TextEncoder().encode(modelIdOf(blob)), BLOB_MODEL_ID_AT);
  return blob;
}

const ABI_FUNCTIONS = ["abiVersion", "modelBase", "init", "maxBatch", "numFields", "idsPtr", "valuesPtr", "outputPtr", "modelIdPtr", "featureMapIdPtr", "score", "errorIndex"];

interface RawAbi {
  memory: { buffer: ArrayBuffer };
  init(): number;
  score(n: number): number;
  errorIndex(): number;
  idsPtr(): number;
  maxBatch(): number;
}

let wasm: Uint8Array;

beforeAll(async () => {
  wasm = (await exportStudentWasm(tinyStudent(), { featureMapId: FEATURE_MAP_ID, maxBatch: 8 })).wasm;
});

describe("Scorer loader", () => {
  test("refuses a module that is not a scorer", () => {
    const module = new webAssembly.Module(fakeModule({ somethingElse: 1 }));
    expect(() => Scorer.fromModule(module)).toThrow(ScorerError);
    expect(() => Scorer.fromModule(module)).toThrow(/not a ctr-distill scorer \(no 'abiVersion' export\)/);
  });

  test("refuses a module that speaks another ABI version", () => {
    const fake = fakeModule(Object.fromEntries(ABI_FUNCTIONS.map((n) => [n, n === "abiVersion" ? 2 : 0])));
    expect(() => Scorer.fromModule(new webAssembly.Module(fake))).toThrow(/ABI version 2, this loader speaks 1/);
  });

  test("refuses a module whose init reports a status, quoting it", () => {
    const fake = fakeModule(Object.fromEntries(ABI_FUNCTIONS.map((n) => [n, n === "abiVersion" ? 1 : n === "init" ? 6 : 0])));
    let error: unknown;
    try {
      Scorer.fromModule(new webAssembly.Module(fake));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScorerError);
    expect((error as ScorerError).status).toBe(6);
    expect((error as Error).message).toMatch(/out of memory .* \(status 6\)/);
  });

  test("turns a trap while the module reads its model into a ScorerError", () => {
    const fake = fakeModule(Object.fromEntries(ABI_FUNCTIONS.map((n) => [n, n === "abiVersion" ? 1 : n === "init" ? -1 : 0])));
    expect(() => Scorer.fromModule(new webAssembly.Module(fake))).toThrow(ScorerError);
    expect(() => Scorer.fromModule(new webAssembly.Module(fake))).toThrow(/trapped while reading its model .*unreachable/);
  });

  test("refuses a module whose init succeeds over a memory that holds no blob, and one whose blob hashes to another id", () => {
    const constants: Record<string, number> = { abiVersion: 1, numFields: 3, modelIdPtr: BLOB_MODEL_ID_AT };
    const fake = (data?: Uint8Array) => fakeModule(Object.fromEntries(ABI_FUNCTIONS.map((n) => [n, constants[n] ?? 0])), data);
    expect(() => Scorer.fromModule(new webAssembly.Module(fake()))).toThrow(/model blob does not lie inside its memory/);
    const blob = headerOnlyBlob();
    blob[100] = 0x66; // inside the model-id field: the id no longer names the blob
    expect(() => Scorer.fromModule(new webAssembly.Module(fake(blob)))).toThrow(/weights do not match its model id/);
  });

  test("reads numSlots when the module exports it, and takes one slot per field when it does not (older modules)", () => {
    const constants: Record<string, number> = { abiVersion: 1, numFields: 3, modelIdPtr: BLOB_MODEL_ID_AT };
    const abi = (extra: Record<string, number>) => fakeModule({ ...Object.fromEntries(ABI_FUNCTIONS.map((n) => [n, constants[n] ?? 0])), ...extra }, headerOnlyBlob());
    expect(Scorer.fromModule(new webAssembly.Module(abi({}))).info).toMatchObject({ numFields: 3, numSlots: 3 });
    expect(Scorer.fromModule(new webAssembly.Module(abi({ numSlots: 5 }))).info).toMatchObject({ numFields: 3, numSlots: 5 });
  });

  test("refuses the bare scorer-base module: it holds no model", async () => {
    const base = await loadScorerBase();
    expect(() => Scorer.fromModule(new webAssembly.Module(base))).toThrow(/holds no model/);
  });

  test("refuses bytes that are not WebAssembly, from fromBytes", async () => {
    await expect(Scorer.fromBytes(Uint8Array.of(1, 2, 3))).rejects.toThrow(/not a valid WebAssembly module/);
  });

  test("grows memory for the scratch space of a large maxBatch and scores across the growth", async () => {
    const student = tinyStudent();
    const big = await exportStudentWasm(student, { featureMapId: FEATURE_MAP_ID, maxBatch: 65536 });
    const pagesBefore = readMemoryLimits(big.wasm).minPages;
    const scorer = Scorer.fromModule(new webAssembly.Module(big.wasm));
    expect(scorer.info.maxBatch).toBe(65536);
    const n = 70000; // two chunks, the first a full 65536 rows
    const ids = Int32Array.from({ length: n * 2 }, (_, i) => (i * 7) % 5);
    const values = Float32Array.from({ length: n * 2 }, (_, i) => (i % 3) - 0.5);
    const got = scorer.score(ids, values, n);
    const want = new JsScorer(student).score(ids, values, n);
    expect(got.reduce((worst, g, r) => Math.max(worst, Math.abs(g - want[r]!)), 0)).toBeLessThan(1e-5);
    expect(pagesBefore).toBeLessThan(20); // the scratch (several MiB) came from memory.grow, not the module
  });

  test("loads an exported student from bytes", async () => {
    const scorer = await Scorer.fromBytes(wasm);
    expect(scorer.info.maxBatch).toBe(8);
    expect(scorer.info.numFields).toBe(2);
    expect(scorer.score(Int32Array.of(0, 4, 1, 2), Float32Array.of(1, 1, 0.5, 2), 2).length).toBe(2);
  });
});

describe("scorer module ABI", () => {
  const raw = (): RawAbi => new webAssembly.Instance(new webAssembly.Module(wasm), {}).exports as unknown as RawAbi;

  test("returns status 7 for n < 0 or n > maxBatch, and 0 for n = 0", () => {
    const m = raw();
    expect(m.init()).toBe(0);
    expect(m.init()).toBe(0);
    expect(m.score(-1)).toBe(7);
    expect(m.score(m.maxBatch() + 1)).toBe(7);
    expect(m.score(0)).toBe(0);
  });

  test("returns status 8 and the flat index of the first bad id, never trapping on huge ids", () => {
    const m = raw();
    expect(m.init()).toBe(0);
    const ids = new Int32Array(m.memory.buffer, m.idsPtr() >>> 0, 8 * 2);
    ids.fill(0);
    ids[5] = 0x7fffffff;
    ids[9] = -5;
    expect(m.score(8)).toBe(8);
    expect(m.errorIndex()).toBe(5);
    ids[5] = 4;
    expect(m.score(8)).toBe(8);
    expect(m.errorIndex()).toBe(9);
    expect(m.score(4)).toBe(0); // the bad id lies beyond the rows asked for
  });
});
