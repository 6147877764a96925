import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { UserError } from "../errors";
import { validateFeatureMap, type FeatureMap } from "../runtime/feature-map";
import { Scorer } from "../runtime/scorer";
import { validateModelMeta } from "../../worker/model-meta";

/** The files of a run directory that a worker is built from. */
export const MODEL_FILES = { wasm: "student.wasm", featureMap: "feature-map.json", model: "model.json" } as const;

type ModelFile = keyof typeof MODEL_FILES;

/** A run directory's three serving files, read once and checked against each other. */
export interface ModelFiles {
  /** The run directory, absolute. */
  dir: string;
  modelId: string;
  featureMap: FeatureMap;
  /** The bytes exactly as read and checked: a bundle copies these, never the files again. */
  bytes: Record<ModelFile, Uint8Array>;
}

async function readBytes(dir: string, file: ModelFile): Promise<Uint8Array> {
  const path = join(dir, MODEL_FILES[file]);
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    throw new UserError(`${path}: not found; a run directory holds ${Object.values(MODEL_FILES).join(", ")}`);
  }
}

/** Runs a check of one file; whatever it throws becomes a UserError naming the file. */
async function checked<T>(dir: string, file: ModelFile, check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (e) {
    const name = MODEL_FILES[file];
    const message = (e as Error).message;
    throw new UserError(`${join(dir, name)}: ${message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message}`);
  }
}

/** The JSON of a file's bytes. */
function parseJson(bytes: Uint8Array): unknown {
  return JSON.parse(new TextDecoder().decode(bytes));
}

/**
 * Reads `student.wasm`, `feature-map.json` and `model.json` and refuses them, with a UserError, unless the
 * worker would accept them: the feature map and model.json valid, model.json's featureMapId the map's id,
 * and the ids compiled into student.wasm those of the map and of model.json (the checks of worker/app.ts
 * `loadModel`, made before anything is copied or started).
 */
export async function readModelFiles(modelDir: string): Promise<ModelFiles> {
  const dir = resolve(modelDir);
  const bytes = { wasm: await readBytes(dir, "wasm"), featureMap: await readBytes(dir, "featureMap"), model: await readBytes(dir, "model") };
  const featureMap = await checked(dir, "featureMap", () => validateFeatureMap(parseJson(bytes.featureMap)));
  const model = await checked(dir, "model", () => validateModelMeta(parseJson(bytes.model)));
  if (model.featureMapId !== featureMap.id)
    throw new UserError(`${dir}: model.json was trained on feature map ${model.featureMapId.slice(0, 12)}…, feature-map.json is ${featureMap.id.slice(0, 12)}…; the files belong to different runs`);
  const scorer = await checked(dir, "wasm", async () => {
    const s = await Scorer.fromBytes(bytes.wasm);
    s.checkFeatureMap(featureMap);
    return s;
  });
  if (scorer.info.modelId !== model.id)
    throw new UserError(`${dir}: student.wasm is model ${scorer.info.modelId.slice(0, 12)}…, model.json says ${model.id.slice(0, 12)}…; the files belong to different runs`);
  return { dir, modelId: model.id, featureMap, bytes };
}
