import { existsSync } from "node:fs";
import { join } from "node:path";
import type { RunConfig } from "../config-types";
import type { RowDataset } from "../data/dataset";
import { canonicalJson } from "../data/feature-map-io";
import type { PreparedData } from "../data/prepare";
import type { TeacherLogits } from "../distill/ensemble";
import { UserError } from "../errors";
import type { Logger } from "../log";
import { countParams } from "../models/model";
import { readCheckpointManifest, saveCheckpoint } from "../train/checkpoint";
import { evaluateLogits, type Metrics } from "../train/evaluate";
import { predictLogits } from "../train/step";
import type { FitResult } from "../train/fit";
import { trainOnLabels, type TrainedModel } from "../train/train-teacher";
import { loadSavedModel } from "./load-models";

/** A teacher as the ensemble sees it: its logits on every split; `trained` is null for logged scores. */
export interface TeacherResult {
  name: string;
  trained: TrainedModel | null;
  params: number;
  logits: { train: Float32Array; valid: Float32Array; test: Float32Array };
  valid: Metrics;
  test: Metrics;
}

function withMetrics(name: string, trained: TrainedModel | null, logits: TeacherResult["logits"], data: PreparedData): TeacherResult {
  return { name, trained, params: trained?.params ?? 0, logits, valid: evaluateLogits(data.valid.labels, logits.valid), test: evaluateLogits(data.test.labels, logits.test) };
}

/** A trained teacher's logits and metrics on every split. */
export function teacherResultOf(name: string, trained: TrainedModel, data: PreparedData): TeacherResult {
  const of = (ds: RowDataset) => predictLogits(trained.model, ds);
  return withMetrics(name, trained, { train: of(data.train), valid: of(data.valid), test: of(data.test) }, data);
}

/**
 * A finished teacher checkpoint from an earlier, interrupted run of the same configuration (`--resume`):
 * same model, hyperparameters, training settings and feature map. Anything else is trained again.
 */
async function resumableTeacher(dir: string, name: string, hyperparameters: Record<string, unknown>, config: RunConfig, data: PreparedData): Promise<TrainedModel | null> {
  if (!existsSync(join(dir, "checkpoint.json"))) return null;
  const manifest = await readCheckpointManifest(dir);
  const same =
    manifest.model === name &&
    manifest.featureMapId === data.featureMap.id &&
    canonicalJson(manifest.hyperparameters) === canonicalJson(hyperparameters) &&
    canonicalJson(manifest.extra.training) === canonicalJson(config.training);
  if (!same) return null;
  const { model } = await loadSavedModel(dir, data.featureMap, "teacher");
  return { model, params: countParams(model), fit: manifest.extra.fit as FitResult };
}

/** Trains every teacher of the config on labels, saves its checkpoint under `outDir/teachers/` (null: not saved). */
async function trainConfiguredTeachers(config: RunConfig, data: PreparedData, outDir: string | null, log: Logger, resume: boolean, beforeEach?: (name: string) => void): Promise<TeacherResult[]> {
  const results: TeacherResult[] = [];
  for (const [i, teacher] of config.teachers.entries()) {
    const { model: name, ...hyperparameters } = teacher;
    const dir = outDir === null ? null : join(outDir, "teachers", `${i}-${name}`);
    const resumed = resume && dir !== null ? await resumableTeacher(dir, name, hyperparameters, config, data) : null;
    if (resumed !== null) {
      log(`${name}: resumed from ${dir}`);
      results.push(teacherResultOf(name, resumed, data));
      continue;
    }
    beforeEach?.(name);
    const trained = await trainOnLabels(name, hyperparameters, { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows }, config.training, log, `config.teachers[${i}]`, i + 1);
    const result = teacherResultOf(name, trained, data);
    if (dir !== null)
      await saveCheckpoint(trained.model, dir, {
        hyperparameters,
        featureMapId: data.featureMap.id,
        extra: { valid: result.valid, test: result.test, training: config.training, fit: trained.fit },
      });
    log(`${name}: test AUC ${result.test.auc.toFixed(4)}, logloss ${result.test.logloss.toFixed(4)}`);
    results.push(result);
  }
  return results;
}

/** Column k of a split's logged teacher scores. */
function scoreColumn(ds: RowDataset, k: number, dim: number, split: string, name: string): Float32Array {
  if (ds.scores === undefined) throw new UserError(`data.teacherScores: the ${split} split carries no column '${name}'`);
  const out = new Float32Array(ds.n);
  for (let i = 0; i < ds.n; i++) out[i] = ds.scores[i * dim + k]!;
  return out;
}

/** Teachers trained elsewhere, known only by their logged scores (data.teacherScores). */
export function loggedTeachers(config: RunConfig, data: PreparedData, log: Logger): TeacherResult[] {
  const columns = config.data.teacherScores?.columns ?? [];
  return columns.map((name, k) => {
    const of = (ds: RowDataset, split: string) => scoreColumn(ds, k, columns.length, split, name);
    const result = withMetrics(name, null, { train: of(data.train, "train"), valid: of(data.valid, "valid"), test: of(data.test, "test") }, data);
    log(`logged teacher ${name}: test AUC ${result.test.auc.toFixed(4)}, logloss ${result.test.logloss.toFixed(4)}`);
    return result;
  });
}

/**
 * The run's teachers: those trained here from `config.teachers`, then those logged in the data.
 * `beforeEach` hears of each teacher about to be trained (a command's progress count).
 */
export async function trainTeachers(config: RunConfig, data: PreparedData, outDir: string | null, log: Logger, resume = false, beforeEach?: (name: string) => void): Promise<TeacherResult[]> {
  const teachers = [...(await trainConfiguredTeachers(config, data, outDir, log, resume, beforeEach)), ...loggedTeachers(config, data, log)];
  if (teachers.length === 0) throw new UserError("config.teachers: no teachers (give models to train, or data.teacherScores)");
  return teachers;
}

export function teacherLogits(teachers: TeacherResult[]): TeacherLogits {
  return {
    names: teachers.map((t) => t.name),
    train: teachers.map((t) => t.logits.train),
    valid: teachers.map((t) => t.logits.valid),
    validAuc: teachers.map((t) => t.valid.auc),
  };
}
