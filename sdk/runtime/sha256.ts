import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";

/**
 * SHA-256 in plain JavaScript (@noble/hashes, bundled): the same synchronous digest in Node, browsers, Deno,
 * Bun and Workers, with no runtime crypto API, so that every loader verifies its artifacts the same way.
 */

/** sha256 (lowercase hex) of the UTF-8 bytes of `text`. */
export function sha256HexOfText(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** sha256 (lowercase hex) of `parts` concatenated, hashed in place (no copy of large views). */
export function sha256HexOfParts(parts: readonly Uint8Array[]): string {
  const hash = sha256.create();
  for (const part of parts) hash.update(part);
  return bytesToHex(hash.digest());
}
