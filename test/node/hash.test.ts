import { describe, expect, it } from "vitest";
import { hash32 } from "../../sdk/runtime/hash";

describe("hash32", () => {
  it("matches the published FNV-1a 32-bit test vectors", () => {
    expect(hash32("")).toBe(0x811c9dc5);
    expect(hash32("a")).toBe(0xe40c292c);
    expect(hash32("foobar")).toBe(0xbf9cf968);
  });

  it("hashes the UTF-8 bytes of non-ASCII text, surrogate pairs included", () => {
    const utf8 = (s: string) => {
      let h = 0x811c9dc5;
      for (const b of Buffer.from(s, "utf8")) h = Math.imul(h ^ b, 0x01000193);
      return h >>> 0;
    };
    for (const s of ["é", "日本", "a😀b", "\u07ff\u0800"]) expect(hash32(s)).toBe(utf8(s));
  });
});
