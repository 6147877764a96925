import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { ConfigPath } from "./config-error";

/**
 * The 1-based line of the key at `path` in a config file's text (JSON is YAML, so one parser serves both),
 * or of its nearest ancestor that is there (a missing key is reported at its parent).
 */
export function lineOf(text: string, path: ConfigPath): number | undefined {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter });
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (pair === undefined) break;
      offset = (isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number" && node.items[key] !== undefined) {
      node = node.items[key];
      offset = (node as { range?: [number, number, number] }).range?.[0] ?? offset;
    } else break;
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}
