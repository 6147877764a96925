/**
 * A small rewriter of WebAssembly binaries (spec: https://webassembly.github.io/spec/core/binary/):
 * LEB128, section walking, and the one edit the exporter needs: append an active data segment, raise
 * the memory's minimum to cover it, and keep the data-count section in step.
 */

/** `\0asm`: the first four bytes of every module. */
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d] as const;
/** The binary format version this rewriter reads and writes. */
const WASM_VERSION = [0x01, 0x00, 0x00, 0x00] as const;
/** Bytes of the preamble (magic + version). */
const PREAMBLE_BYTES = 8;
/** Bytes in a page of linear memory. */
export const WASM_PAGE_BYTES = 65536;
/** Pages of the largest 32-bit memory. */
const MAX_PAGES = 65536;

/** Section ids. */
export const SectionId = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13,
} as const;

/** Where each known section must sit: the order the spec requires (data count before code; tag after memory). */
const SECTION_ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

/** Opcode `i32.const`. */
const I32_CONST = 0x41;
/** Opcode `end` (closes a constant expression). */
const END = 0x0b;
/** Data segment kind: active, memory 0, offset expression follows. */
const DATA_ACTIVE_MEMORY0 = 0x00;
/** Limits flag: a maximum follows the minimum (other flags, shared and 64-bit memories, are refused). */
const LIMITS_HAS_MAX = 0x01;

/** A module that this rewriter cannot read or cannot patch. */
export class WasmFormatError extends Error {
  override name = "WasmFormatError";
}

/** One section: its id and its payload (a view into the parsed bytes, not a copy). */
export interface WasmSection {
  id: number;
  payload: Uint8Array;
}

/** Memory limits of the module's only memory. */
export interface MemoryLimits {
  flags: number;
  minPages: number;
  maxPages: number | null;
}

/** Reads an unsigned LEB128 u32 at `pos`; returns the value and the position after it. */
export function readU32Leb(bytes: Uint8Array, pos: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    if (pos >= bytes.length) throw new WasmFormatError(`readU32Leb: unexpected end of bytes at ${pos}`);
    const byte = bytes[pos++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) {
      if (value > 0xffffffff) throw new WasmFormatError(`readU32Leb: value at ${pos - 1} exceeds u32`);
      return { value, next: pos };
    }
    shift += 7;
  }
  throw new WasmFormatError(`readU32Leb: LEB128 longer than 5 bytes before ${pos}`);
}

/** Unsigned LEB128 of a u32. */
export function encodeU32Leb(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new WasmFormatError(`encodeU32Leb: expected an integer in [0, 2^32), got ${value}`);
  const out: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return Uint8Array.from(out);
}

/** Signed LEB128 of an i32 (what `i32.const` takes); u32 values above 2^31 are written as their i32. */
export function encodeI32Leb(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff)
    throw new WasmFormatError(`encodeI32Leb: expected a 32-bit integer, got ${value}`);
  let v = value | 0;
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return Uint8Array.from(out);
  }
}

/** Splits a module into its sections, in order. */
export function parseSections(wasm: Uint8Array): WasmSection[] {
  if (wasm.length < PREAMBLE_BYTES || WASM_MAGIC.some((b, i) => wasm[i] !== b))
    throw new WasmFormatError("parseSections: not a WebAssembly module (bad magic)");
  if (WASM_VERSION.some((b, i) => wasm[4 + i] !== b))
    throw new WasmFormatError("parseSections: unsupported WebAssembly binary version");
  const sections: WasmSection[] = [];
  let pos = PREAMBLE_BYTES;
  while (pos < wasm.length) {
    const id = wasm[pos]!;
    const { value: size, next } = readU32Leb(wasm, pos + 1);
    if (next + size > wasm.length) throw new WasmFormatError(`parseSections: section ${id} at ${pos} runs past the end`);
    sections.push({ id, payload: wasm.subarray(next, next + size) });
    pos = next + size;
  }
  return sections;
}

/** Joins sections back into a module (the inverse of `parseSections`, byte for byte for canonical LEBs). */
export function encodeModule(sections: readonly WasmSection[]): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.from([...WASM_MAGIC, ...WASM_VERSION])];
  for (const s of sections) parts.push(Uint8Array.of(s.id), encodeU32Leb(s.payload.length), s.payload);
  return concatBytes(parts);
}

/** Reads the limits of the module's only (defined, 32-bit) memory. */
export function readMemoryLimits(wasm: Uint8Array): MemoryLimits {
  const memory = parseSections(wasm).find((s) => s.id === SectionId.memory);
  if (!memory) throw new WasmFormatError("readMemoryLimits: the module defines no memory (an imported memory cannot be patched)");
  return parseMemoryPayload(memory.payload).limits;
}

function parseMemoryPayload(payload: Uint8Array): { limits: MemoryLimits; end: number } {
  const count = readU32Leb(payload, 0);
  if (count.value !== 1) throw new WasmFormatError(`memory section: expected exactly 1 memory, found ${count.value}`);
  let pos = count.next;
  const flags = payload[pos++];
  if (flags === undefined) throw new WasmFormatError("memory section: truncated limits");
  if (flags !== 0 && flags !== LIMITS_HAS_MAX)
    throw new WasmFormatError(`memory section: limits flags 0x${flags.toString(16)} (shared or 64-bit memory) are not supported`);
  const min = readU32Leb(payload, pos);
  pos = min.next;
  let maxPages: number | null = null;
  if (flags & LIMITS_HAS_MAX) {
    const max = readU32Leb(payload, pos);
    maxPages = max.value;
    pos = max.next;
  }
  return { limits: { flags, minPages: min.value, maxPages }, end: pos };
}

function encodeMemoryPayload(limits: MemoryLimits): Uint8Array {
  const parts = [encodeU32Leb(1), Uint8Array.of(limits.flags), encodeU32Leb(limits.minPages)];
  if (limits.maxPages !== null) parts.push(encodeU32Leb(limits.maxPages));
  return concatBytes(parts);
}

/** Number of segments in a data section payload. */
export function dataSegmentCount(payload: Uint8Array): number {
  return readU32Leb(payload, 0).value;
}

/**
 * Returns a copy of `wasm` with `data` placed at byte `offset` of memory 0 by a new active data segment,
 * the memory's minimum raised to cover it (refused when a declared maximum is too small), and the
 * data-count section, when there is one, counting the new segment.
 */
export function appendDataSegment(wasm: Uint8Array, offset: number, data: Uint8Array): Uint8Array {
  if (!Number.isInteger(offset) || offset < 0) throw new WasmFormatError(`appendDataSegment: 'offset' must be a non-negative integer, got ${offset}`);
  const end = offset + data.length;
  const pagesNeeded = Math.ceil(end / WASM_PAGE_BYTES);
  if (pagesNeeded > MAX_PAGES) throw new WasmFormatError(`appendDataSegment: ${end} bytes do not fit in a 32-bit memory`);
  const sections = parseSections(wasm).map((s) => ({ ...s }));

  const memory = sections.find((s) => s.id === SectionId.memory);
  if (!memory) throw new WasmFormatError("appendDataSegment: the module defines no memory (an imported memory cannot be patched)");
  const { limits, end: memoryEnd } = parseMemoryPayload(memory.payload);
  if (memoryEnd !== memory.payload.length) throw new WasmFormatError("appendDataSegment: trailing bytes in the memory section");
  if (limits.maxPages !== null && limits.maxPages < pagesNeeded)
    throw new WasmFormatError(`appendDataSegment: memory maximum ${limits.maxPages} pages is below the ${pagesNeeded} pages needed`);
  memory.payload = encodeMemoryPayload({ ...limits, minPages: Math.max(limits.minPages, pagesNeeded) });

  const segment = concatBytes([
    Uint8Array.of(DATA_ACTIVE_MEMORY0, I32_CONST),
    encodeI32Leb(offset),
    Uint8Array.of(END),
    encodeU32Leb(data.length),
    data,
  ]);
  const dataSection = sections.find((s) => s.id === SectionId.data);
  if (dataSection) {
    const count = readU32Leb(dataSection.payload, 0);
    dataSection.payload = concatBytes([encodeU32Leb(count.value + 1), dataSection.payload.subarray(count.next), segment]);
  } else {
    insertInOrder(sections, { id: SectionId.data, payload: concatBytes([encodeU32Leb(1), segment]) });
  }

  const dataCount = sections.find((s) => s.id === SectionId.dataCount);
  if (dataCount) dataCount.payload = encodeU32Leb(readU32Leb(dataCount.payload, 0).value + 1);
  return encodeModule(sections);
}

/** Inserts a known section after the last section that must precede it (custom sections stay put). */
function insertInOrder(sections: WasmSection[], section: WasmSection): void {
  const rank = SECTION_ORDER[section.id]!;
  let at = 0;
  sections.forEach((s, i) => {
    const r = SECTION_ORDER[s.id];
    if (r !== undefined && r < rank) at = i + 1;
  });
  sections.splice(at, 0, section);
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
