import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseConfig } from "../config";
import type { RunConfig } from "../config-types";
import { UserError } from "../errors";
import { readRunModel } from "../pipeline/run-model";
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
  const { model, featureMap } = await readRunModel(dir);
  let wasm: Uint8Array;
  try {
    wasm = new Uint8Array(await readFile(join(dir, "student.wasm")));
  } catch {
    throw new UserError(`${dir}: no student.wasm`);
  }
  return { dir, config: parseConfig(model.config, `${dir}/model.json:config`), featureMap, wasm, modelId: String(model.id) };
}
