import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { studentHyperparameters } from "../distill/distill";
import { UserError } from "../errors";
import { randomSource } from "../layers/random";
import type { CtrModel } from "../models/model";
import { buildModel } from "../models/zoo";
import type { FeatureMap } from "../runtime/feature-map";
import { compactRemapOf, type CompactEmbeddingSpec } from "../runtime/embedding-remap";
import { loadCheckpointInto, readCheckpointManifest } from "../train/checkpoint";

export interface SavedModel {
  name: string;
  kind: "teacher" | "student";
  dir: string;
  model: CtrModel;
}

/** Rebuilds the model a checkpoint was saved from and loads its weights (checked by sha256). */
export async function loadSavedModel(dir: string, featureMap: FeatureMap, kind: SavedModel["kind"]): Promise<SavedModel> {
  const manifest = await readCheckpointManifest(dir);
  if (manifest.featureMapId !== featureMap.id) throw new UserError(`${dir}: checkpoint was trained with another feature map`);
  // A student's compact embedding is rebuilt from the spec it was trained with (save-student.ts keeps it).
  const remap = kind === "student" ? compactRemapOf(featureMap, manifest.hyperparameters.embedding as CompactEmbeddingSpec | undefined) : undefined;
  const ctx = { numFields: featureMap.features.length, totalRows: featureMap.totalRows, rng: randomSource(0), remap };
  const hyperparameters = kind === "student" ? studentHyperparameters(manifest.hyperparameters as { embeddingDim: number; hiddenUnits: number[] }) : manifest.hyperparameters;
  const model = buildModel(manifest.model, hyperparameters, ctx, `${dir}/checkpoint.json`);
  await loadCheckpointInto(model, dir);
  return { name: kind === "student" ? "student" : manifest.model, kind, dir, model };
}

/** Every teacher checkpoint of a run directory (`teachers/<i>-<name>/`), in training order. */
export async function loadTeachers(runDir: string, featureMap: FeatureMap): Promise<SavedModel[]> {
  let entries: string[];
  try {
    entries = (await readdir(join(runDir, "teachers"))).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  } catch {
    return [];
  }
  const out: SavedModel[] = [];
  for (const e of entries) out.push(await loadSavedModel(join(runDir, "teachers", e), featureMap, "teacher"));
  return out;
}
