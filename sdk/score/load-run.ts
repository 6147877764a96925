import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseConfig } from "../config";
import type { RunConfig } from "../config-types";
import { loadFeatureMap } from "../data/feature-map-io";
import { UserError } from "../errors";
import type { FeatureMap } from "../runtime/feature-map";

/** The serving part of a run directory, loaded and cross-checked. */
export interface LoadedRun {
  dir: string;
  config: RunConfig;
  featureMap: FeatureMap;
  wasm: Uint8Array;
  modelId: string;
}

export async function loadRunDirectory(dir: string): Promise<LoadedRun> {
  let model: { id?: unknown; featureMapId?: unknown; config?: unknown };
  try {
    model = JSON.parse(await readFile(join(dir, "model.json"), "utf8")) as typeof model;
  } catch {
    throw new UserError(`${dir}: not a run directory (no readable model.json)`);
  }
  const featureMap = await loadFeatureMap(join(dir, "feature-map.json"));
  if (model.featureMapId !== featureMap.id) throw new UserError(`${dir}: model.json and feature-map.json belong to different runs`);
  let wasm: Uint8Array;
  try {
    wasm = new Uint8Array(await readFile(join(dir, "student.wasm")));
  } catch {
    throw new UserError(`${dir}: no student.wasm`);
  }
  return { dir, config: parseConfig(model.config, `${dir}/model.json:config`), featureMap, wasm, modelId: String(model.id) };
}
