import { join } from "node:path";
import type { RunConfig } from "../config-types";
import type { PreparedData } from "../data/prepare";
import type { TeacherLogits } from "../distill/ensemble";
import type { Logger } from "../log";
import { saveCheckpoint } from "../train/checkpoint";
import { evaluateLogits, type Metrics } from "../train/evaluate";
import { predictLogits } from "../train/step";
import { trainOnLabels, type TrainedModel } from "../train/train-teacher";

export interface TeacherResult extends TrainedModel {
  name: string;
  /** Logits on every split, in row order. */
  logits: { train: Float32Array; valid: Float32Array; test: Float32Array };
  valid: Metrics;
  test: Metrics;
}

function splitLogits(trained: TrainedModel, data: PreparedData) {
  const of = (ds: PreparedData["train"]) => predictLogits(trained.model, ds.ids, ds.values, ds.n, ds.numFields);
  return { train: of(data.train), valid: of(data.valid), test: of(data.test) };
}

/** Trains every teacher of the config on labels, saves its checkpoint under `outDir/teachers/`. */
export async function trainTeachers(config: RunConfig, data: PreparedData, outDir: string, log: Logger): Promise<TeacherResult[]> {
  const results: TeacherResult[] = [];
  for (const [i, teacher] of config.teachers.entries()) {
    const { model: name, ...hyperparameters } = teacher;
    const trained = trainOnLabels(name, hyperparameters, { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows }, config.training, log, `config.teachers[${i}]`, i + 1);
    const logits = splitLogits(trained, data);
    const result = { ...trained, name, logits, valid: evaluateLogits(data.valid.labels, logits.valid), test: evaluateLogits(data.test.labels, logits.test) };
    await saveCheckpoint(trained.model, join(outDir, "teachers", `${i}-${name}`), {
      hyperparameters,
      featureMapId: data.featureMap.id,
      extra: { valid: result.valid, test: result.test, bestEpoch: trained.fit.bestEpoch },
    });
    log(`${name}: test AUC ${result.test.auc.toFixed(4)}, logloss ${result.test.logloss.toFixed(4)}`);
    results.push(result);
  }
  return results;
}

export function teacherLogits(teachers: TeacherResult[]): TeacherLogits {
  return {
    names: teachers.map((t) => t.name),
    train: teachers.map((t) => t.logits.train),
    valid: teachers.map((t) => t.logits.valid),
    validAuc: teachers.map((t) => t.valid.auc),
  };
}
