import type { DistillConfig, EnsembleKind, RunConfig } from "../config-types";
import type { PreparedData } from "../data/prepare";
import { distillStudent, type HintSource } from "../distill/distill";
import type { EnsembleLogits } from "../distill/ensemble";
import type { Logger } from "../log";
import { evaluateLogits } from "../train/evaluate";
import { predictLogits } from "../train/step";
import { STUDENT_SEED_STREAM, studentRemap, type StudentResult } from "./students";

/** One distilled student of the table: which ensemble, with or without hint, stopped by what. */
export interface StudentVariant {
  ensemble: EnsembleKind;
  hint: boolean;
  earlyStop: DistillConfig["earlyStop"];
}

/** Where the experiment keeps its students' run directories. */
export const STUDENTS_DIR = "students";

export function variantName(v: StudentVariant): string {
  return `student KD ${v.ensemble}${v.hint ? " + hint" : ""}${v.earlyStop === "auc" ? " (stop: AUC)" : ""}`;
}

/** A student's run-directory name: `no-kd` without KD, else `kd-<ensemble>[-hint][-stop-auc]`. */
export function studentSlug(v: StudentVariant | null): string {
  return v === null ? "no-kd" : `kd-${v.ensemble}${v.hint ? "-hint" : ""}${v.earlyStop === "auc" ? "-stop-auc" : ""}`;
}

/**
 * The config a student's run directory stores: the experiment's, with the distillation this student had.
 * The student without KD learned from labels alone (α = 1 leaves no KD term) and stopped on validation AUC.
 */
export function studentConfig(config: RunConfig, v: StudentVariant | null): RunConfig {
  const distill: DistillConfig = v === null ? { ...config.distill, alpha: 1, hint: false, earlyStop: "auc" } : { ...config.distill, ...v };
  return { ...config, distill };
}

/**
 * One distilled arm: the student of `config` trained from `ensemble` as `v` says, evaluated on the test split.
 * Common random numbers: every arm starts from the no-KD student's initialisation and batch order.
 */
export async function distillArm(config: RunConfig, data: PreparedData, ensemble: EnsembleLogits, v: StudentVariant, hint: HintSource | undefined, log: Logger, name: string): Promise<StudentResult> {
  const trained = await distillStudent(
    { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows, remap: studentRemap(config, data), teacherTrain: ensemble.train, teacherValid: ensemble.valid, ...(v.hint ? { hint: hint! } : {}) },
    config.student,
    studentConfig(config, v).distill,
    config.training,
    log,
    name,
    STUDENT_SEED_STREAM,
  );
  const testLogits = predictLogits(trained.model, data.test);
  const student: StudentResult = { ...trained, name, ensemble: v.ensemble, testLogits, test: evaluateLogits(data.test.labels, testLogits) };
  log(`${name}: test AUC ${student.test.auc.toFixed(4)}, logloss ${student.test.logloss.toFixed(4)}`);
  return student;
}
