import { sha256HexOfText } from "./sha256";

/** JSON with object keys sorted at every level and no whitespace: the form that `featureMapId` hashes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  // An array of strings (a vocabulary: most of a large map) has no keys to sort: JSON.stringify writes it as is.
  if (Array.isArray(value)) return value.every((v) => typeof v === "string") ? JSON.stringify(value) : `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

/** sha256 (hex) of the canonical JSON of a feature map without its `id`: the id the map must carry. */
export function featureMapId(map: object): string {
  const { id: _ignored, ...rest } = map as { id?: unknown };
  return sha256HexOfText(canonicalJson(rest));
}
