import type { RunConfig } from "../config-types";
import type { PreparedData } from "../data/prepare";
import { distillStudent, studentHyperparameters } from "../distill/distill";
import { buildEnsemble, staticEnsemble, type EnsembleLogits } from "../distill/ensemble";
import { trainJointly } from "../distill/joint";
import type { Logger } from "../log";
import { compactRemapOf, type EmbeddingRemap } from "../runtime/embedding-remap";
import { evaluateLogits, type Metrics } from "../train/evaluate";
import { predictLogits } from "../train/step";
import { trainOnLabels, type TrainedModel } from "../train/train-teacher";
import { hintTargets } from "./hint-targets";
import { teacherLogits, teacherResultOf, type TeacherResult } from "./teachers";

export interface StudentResult extends TrainedModel {
  name: string;
  ensemble: EnsembleLogits["kind"] | null;
  testLogits: Float32Array;
  test: Metrics;
}

/**
 * Seed stream of every student, apart from the teachers' (1..M): each arm of a comparison (no KD, each
 * ensemble, hint, stopping rule) gets the same initialisation and batch order for a training.seed, so that
 * the differences between arms are not initialisation noise (common random numbers).
 */
export const STUDENT_SEED_STREAM = 1000;

function evaluated(trained: TrainedModel, data: PreparedData, name: string, ensemble: StudentResult["ensemble"]): StudentResult {
  const t = data.test;
  const testLogits = predictLogits(trained.model, t);
  return { ...trained, name, ensemble, testLogits, test: evaluateLogits(t.labels, testLogits) };
}

/** The student's compact embedding under `student.embedding`, or undefined when it keeps the feature map's rows. */
export function studentRemap(config: Pick<RunConfig, "student">, data: Pick<PreparedData, "featureMap">): EmbeddingRemap | undefined {
  return compactRemapOf(data.featureMap, config.student.embedding);
}

/** The student trained on labels alone: the baseline KD must beat. */
export async function trainPlainStudent(config: RunConfig, data: PreparedData, log: Logger): Promise<StudentResult> {
  const trained = await trainOnLabels("DNN", studentHyperparameters(config.student), { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows, remap: studentRemap(config, data) }, config.training, log, "config.student", STUDENT_SEED_STREAM);
  return evaluated(trained, data, "student (no KD)", null);
}

/** The student distilled from the configured ensemble of the (frozen) teachers. */
export async function trainDistilledStudent(config: RunConfig, data: PreparedData, teachers: TeacherResult[], log: Logger): Promise<{ student: StudentResult; ensemble: EnsembleLogits }> {
  const ensemble = await buildEnsemble(config.distill.ensemble, teacherLogits(teachers), data, config.training, config.distill, log);
  const hint = config.distill.hint ? { hint: hintTargets(teachers, data) } : {};
  if (hint.hint !== undefined) log(`hint: the last hidden layer of ${hint.hint.teacher} (${hint.hint.dim} units)`);
  const name = `student (KD, ${ensemble.kind})`;
  const trained = await distillStudent(
    { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows, remap: studentRemap(config, data), teacherTrain: ensemble.train, teacherValid: ensemble.valid, ...hint },
    config.student,
    config.distill,
    config.training,
    log,
    name,
    STUDENT_SEED_STREAM,
  );
  return { student: evaluated(trained, data, name, ensemble.kind), ensemble };
}

/** Teachers and student trained in one loop (`distill.teacherTraining: "joint"`). */
export async function trainJointStudent(config: RunConfig, data: PreparedData, log: Logger): Promise<{ teachers: TeacherResult[]; student: StudentResult; ensemble: EnsembleLogits }> {
  const joint = await trainJointly(config, data, log);
  const teachers = joint.teachers.map((t) => teacherResultOf(t.name, t.trained, data));
  const logits = teacherLogits(teachers);
  const ensemble = staticEnsemble("mean", logits, config.distill);
  return { teachers, student: evaluated(joint.student, data, "student (KD, mean, joint)", "mean"), ensemble };
}
