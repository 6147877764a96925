import * as tf from "@tensorflow/tfjs-core";
import type { RunConfig } from "../config-types";
import type { PreparedData } from "../data/prepare";
import { describePaths } from "../data/readers/file-set";
import type { ExperimentRow, ReportMeta, SplitSummary } from "../report/types";
import { evaluateLogits } from "../train/evaluate";
import { predictLogits } from "../train/step";
import { denseFlopsPerRow } from "./flops";
import type { StudentResult } from "./students";
import type { TeacherResult } from "./teachers";

/** How a student was trained, as the table shows it. */
export type StudentSettings = Pick<ExperimentRow, "ensemble" | "hint" | "earlyStop">;

/** A teacher's row: its validation and test metrics (it has no run directory of its own). */
export function teacherRow(t: TeacherResult): ExperimentRow {
  return {
    name: t.name,
    kind: "teacher",
    ensemble: null,
    hint: false,
    earlyStop: "auc",
    auc: t.test.auc,
    logloss: t.test.logloss,
    validAuc: t.valid.auc,
    validLogloss: t.valid.logloss,
    params: t.params,
    flopsPerRow: t.trained === null ? 0 : denseFlopsPerRow(t.trained.model),
    dir: null,
    best: false,
  };
}

/** A student's row, its validation metrics measured here (StudentResult carries the test split's). */
export function studentRow(s: StudentResult, data: PreparedData, settings: StudentSettings, dir: string | null): ExperimentRow {
  const valid = evaluateLogits(data.valid.labels, predictLogits(s.model, data.valid));
  return {
    name: s.name,
    kind: "student",
    ...settings,
    auc: s.test.auc,
    logloss: s.test.logloss,
    validAuc: valid.auc,
    validLogloss: valid.logloss,
    params: s.params,
    flopsPerRow: denseFlopsPerRow(s.model),
    dir,
    best: false,
  };
}

function splitSummary(labels: Float32Array): SplitSummary {
  let positives = 0;
  for (const y of labels) positives += y;
  return { rows: labels.length, positiveRate: labels.length === 0 ? NaN : positives / labels.length };
}

/** The report's setup: where the data came from, its splits, the seed, the backend that trained, the time. */
export function reportMeta(config: RunConfig, data: PreparedData, seconds: number): ReportMeta {
  const d = config.data;
  return {
    data: d.synthetic !== undefined ? "synthetic" : { train: describePaths(d.train ?? ""), valid: d.valid === undefined ? null : describePaths(d.valid), test: d.test === undefined ? null : describePaths(d.test), split: Array.isArray(d.split) ? d.split : null },
    splits: { train: splitSummary(data.train.labels), valid: splitSummary(data.valid.labels), test: splitSummary(data.test.labels) },
    seeds: [config.training.seed],
    backend: tf.getBackend(),
    seconds,
    config,
  };
}
