import { beforeAll, describe, expect, test } from "vitest";
import { loadScorerBase } from "../../sdk/export/compile";
import { webAssembly, type WasmMemory } from "../../sdk/export/wasm-api";
import {
  SectionId, WasmFormatError, appendDataSegment, concatBytes, dataSegmentCount, encodeI32Leb, encodeModule,
  encodeU32Leb, parseSections, readMemoryLimits, readU32Leb,
} from "../../sdk/export/wasm-patch";

/** The hand-written wasm section rewriter. */

const PAGE = 65536;
const memoryExport = concatBytes([Uint8Array.of(1, 6), new TextEncoder().encode("memory"), Uint8Array.of(0x02, 0x00)]);

/** A module with only a memory (min 1, optional max) exported, plus the given extra sections. */
function memoryModule(maxPages: number | null, extra: { id: number; payload: Uint8Array }[] = []): Uint8Array {
  const limits = maxPages === null ? Uint8Array.of(0x00, 0x01) : Uint8Array.of(0x01, 0x01, maxPages);
  const sections = [
    { id: SectionId.memory, payload: concatBytes([Uint8Array.of(1), limits]) },
    { id: SectionId.export, payload: memoryExport },
    ...extra,
  ];
  return encodeModule(sections.sort((a, b) => order(a.id) - order(b.id)));
}
const order = (id: number) => (id === SectionId.dataCount ? 9.5 : id);

function instanceMemory(wasm: Uint8Array): Uint8Array {
  const memory = new webAssembly.Instance(new webAssembly.Module(wasm), {}).exports.memory as WasmMemory;
  return new Uint8Array(memory.buffer);
}

let base: Uint8Array;
beforeAll(async () => {
  base = await loadScorerBase();
});

describe("LEB128", () => {
  test.each([0, 1, 63, 64, 127, 128, 16383, 16384, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1])("round-trips u32 %i", (v) => {
    const bytes = encodeU32Leb(v);
    expect(readU32Leb(bytes, 0)).toEqual({ value: v, next: bytes.length });
  });

  test("writes signed LEB128 as i32.const expects it", () => {
    expect([...encodeI32Leb(0)]).toEqual([0x00]);
    expect([...encodeI32Leb(-1)]).toEqual([0x7f]);
    expect([...encodeI32Leb(63)]).toEqual([0x3f]);
    expect([...encodeI32Leb(64)]).toEqual([0xc0, 0x00]);
    expect([...encodeI32Leb(65536)]).toEqual([0x80, 0x80, 0x04]);
    expect([...encodeI32Leb(2 ** 31)]).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]); // u32 2^31 is i32 -2^31
  });

  test("refuses values outside u32 and LEBs longer than 5 bytes", () => {
    expect(() => encodeU32Leb(-1)).toThrow(WasmFormatError);
    expect(() => encodeU32Leb(2 ** 32)).toThrow(WasmFormatError);
    expect(() => readU32Leb(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01), 0)).toThrow(/longer than 5 bytes/);
    expect(() => readU32Leb(Uint8Array.of(0x80), 0)).toThrow(/unexpected end/);
  });
});

describe("parseSections / encodeModule", () => {
  test("round-trip the compiled scorer byte for byte", () => {
    const sections = parseSections(base);
    expect(sections.map((s) => s.id)).toContain(SectionId.code);
    expect(encodeModule(sections)).toEqual(base);
  });

  test("refuse bytes that are not a module, or whose section runs past the end", () => {
    expect(() => parseSections(Uint8Array.of(1, 2, 3, 4, 1, 0, 0, 0))).toThrow(/bad magic/);
    const truncated = base.slice(0, base.length - 1);
    expect(() => parseSections(truncated)).toThrow(/runs past the end/);
  });
});

describe("appendDataSegment", () => {
  test("keeps the scorer valid, adds one segment after its own and raises the memory minimum", () => {
    const data = Uint8Array.from({ length: 3 * PAGE + 5 }, (_, i) => (i * 7) & 0xff);
    const offset = 2 * PAGE;
    const patched = appendDataSegment(base, offset, data);
    expect(webAssembly.validate(patched)).toBe(true);
    expect(readMemoryLimits(patched).minPages).toBe(6);
    const before = dataSegmentCount(parseSections(base).find((s) => s.id === SectionId.data)!.payload);
    expect(dataSegmentCount(parseSections(patched).find((s) => s.id === SectionId.data)!.payload)).toBe(before + 1);
    expect(Buffer.compare(instanceMemory(patched).subarray(offset, offset + data.length), data)).toBe(0);
    // The module's own static data is untouched: its export still answers.
    const exports = new webAssembly.Instance(new webAssembly.Module(patched), {}).exports as { abiVersion(): number };
    expect(exports.abiVersion()).toBe(1);
  });

  test("creates a data section when the module has none", () => {
    const wasm = memoryModule(null);
    expect(webAssembly.validate(wasm)).toBe(true);
    const patched = appendDataSegment(wasm, 100, Uint8Array.of(9, 8, 7));
    expect(webAssembly.validate(patched)).toBe(true);
    expect([...instanceMemory(patched).subarray(100, 103)]).toEqual([9, 8, 7]);
  });

  test("counts the new segment in the data-count section", () => {
    const passive = concatBytes([Uint8Array.of(1, 0x01, 3), new TextEncoder().encode("abc")]);
    const wasm = memoryModule(null, [
      { id: SectionId.dataCount, payload: Uint8Array.of(1) },
      { id: SectionId.data, payload: passive },
    ]);
    expect(webAssembly.validate(wasm)).toBe(true);
    const patched = appendDataSegment(wasm, 16, Uint8Array.of(1, 2));
    expect(webAssembly.validate(patched)).toBe(true);
    expect(readU32Leb(parseSections(patched).find((s) => s.id === SectionId.dataCount)!.payload, 0).value).toBe(2);
  });

  test("keeps a declared maximum, and refuses data that would not fit under it", () => {
    const wasm = memoryModule(3);
    const patched = appendDataSegment(wasm, PAGE, new Uint8Array(PAGE));
    expect(readMemoryLimits(patched)).toEqual({ flags: 1, minPages: 2, maxPages: 3 });
    expect(() => appendDataSegment(wasm, 3 * PAGE, Uint8Array.of(1))).toThrow(/maximum 3 pages is below the 4 pages needed/);
  });

  test("refuses a module without a memory of its own", () => {
    const wasm = encodeModule([{ id: SectionId.type, payload: Uint8Array.of(0) }]);
    expect(() => appendDataSegment(wasm, 0, Uint8Array.of(1))).toThrow(/defines no memory/);
  });
});
