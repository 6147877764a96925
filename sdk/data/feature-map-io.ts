import { readFile, writeFile } from "node:fs/promises";
import { UserError } from "../errors";
import { FeatureMapError, validateFeatureMap, type FeatureMap } from "../runtime/feature-map";
import { canonicalJson, featureMapId } from "../runtime/feature-map-id";

/** The id functions live in the runtime (every loader recomputes the id); re-exported for the SDK's callers. */
export { canonicalJson, featureMapId };

/** Writes the map as indented JSON; the id must already match the content (it is the artifact's checksum). */
export async function saveFeatureMap(path: string, map: FeatureMap): Promise<void> {
  const id = featureMapId(map);
  if (map.id !== id) throw new Error(`saveFeatureMap: map id ${map.id} does not match its content (${id})`);
  await writeFile(path, JSON.stringify(map, null, 2) + "\n");
}

/** Reads and validates a map; refuses bad JSON, a wrong format or version, and an id that does not match. */
export async function loadFeatureMap(path: string): Promise<FeatureMap> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === "ENOENT" ? `feature map not found: ${path}` : `cannot read feature map ${path}: ${code ?? String(e)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  try {
    return validateFeatureMap(doc);
  } catch (e) {
    if (e instanceof FeatureMapError) throw new UserError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Refuses a data set whose columns lack a feature of the map. */
export function checkSchema(map: FeatureMap, columns: readonly string[]): void {
  const have = new Set(columns);
  const missing = map.features.map((f) => f.name).filter((n) => !have.has(n));
  if (missing.length > 0)
    throw new UserError(
      `data does not match feature map ${map.id.slice(0, 12)}…: missing column${missing.length > 1 ? "s" : ""} ${missing.map((n) => `'${n}'`).join(", ")}`,
    );
}
