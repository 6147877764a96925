import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadFeatureMap } from "../data/feature-map-io";
import { UserError } from "../errors";
import type { FeatureMap } from "../runtime/feature-map";

/** A run directory's model.json as read (its fields are checked by whoever uses them). */
export type RunModelJson = Record<string, unknown> & { id?: unknown; featureMapId?: unknown; config?: unknown; sizes?: Record<string, unknown> };

/** A run directory's model.json and feature-map.json, refused unless they belong to the same run. */
export async function readRunModel(dir: string): Promise<{ model: RunModelJson; featureMap: FeatureMap }> {
  let model: RunModelJson;
  try {
    model = JSON.parse(await readFile(join(dir, "model.json"), "utf8")) as RunModelJson;
  } catch {
    throw new UserError(`${dir}: not a run directory (no readable model.json)`);
  }
  const featureMap = await loadFeatureMap(join(dir, "feature-map.json"));
  if (model.featureMapId !== featureMap.id) throw new UserError(`${dir}: model.json and feature-map.json belong to different runs`);
  return { model, featureMap };
}
