import type { RunConfig } from "../config-types";
import { prepareData as prepare, type PreparedData } from "../data/prepare";
import type { EnsembleLogits } from "../distill/ensemble";
import { UserError } from "../errors";
import { beginStage } from "../log";
import type { Artifact } from "../pipeline/artifact";
import { writeOutputFolder } from "../pipeline/output-folder";
import { saveStudentRun } from "../pipeline/save-student";
import { trainDistilledStudent, trainJointStudent, trainPlainStudent, type StudentResult } from "../pipeline/students";
import { trainTeachers as trainAll, type TeacherResult } from "../pipeline/teachers";
import type { DenseQuantize, Quantize } from "../export/quantize";
import { resolveConfig, type RunConfigInput } from "./config";
import { loggerOf, useBackend, type CallOptions, type TrainOptions } from "./options";

export type ConfigArgument = RunConfigInput | RunConfig | string;

/** Reads the data of a config, fits the feature map on its train split and encodes every split. */
export async function prepareData(config: ConfigArgument, opts: CallOptions & { skipBadLines?: boolean } = {}): Promise<PreparedData> {
  const cfg = resolveConfig(config);
  const log = loggerOf(opts);
  beginStage(log, "data", "data: reading and fitting the feature map");
  return prepare(cfg.data, { seed: cfg.training.seed, skipBadLines: opts.skipBadLines === true, log });
}

/**
 * Trains the config's teachers on labels (and adds the teachers logged in the data, `data.teacherScores`).
 * Nothing is written to disk; `runPipeline` keeps checkpoints in its run directory.
 */
export async function trainTeachers(config: ConfigArgument, data: PreparedData, opts: TrainOptions = {}): Promise<TeacherResult[]> {
  const cfg = resolveConfig(config);
  await useBackend(opts);
  const log = loggerOf(opts);
  beginStage(log, "teachers", `teachers: ${cfg.teachers.map((t) => t.model).join(", ") || "logged scores only"}`);
  return trainAll(cfg, data, null, log);
}

export interface DistillOptions extends TrainOptions {
  /** Also train the student on labels alone, the baseline KD must beat (default false). */
  baseline?: boolean;
}

export interface DistillResult {
  /** The distilled student: its tfjs model, training history, test logits and metrics. */
  student: StudentResult;
  /** The teachers' ensemble it was distilled from, with each teacher's (mean) weight. */
  ensemble: EnsembleLogits;
  /** The teachers: those given, or with `teacherTraining: "joint"` those trained with the student. */
  teachers: TeacherResult[];
  /** With `baseline`: the student trained on labels alone. */
  baseline: StudentResult | null;
}

/**
 * Distils the student from the teachers' ensemble (`distill.ensemble`: best, mean, weighted or the gate), with
 * the config's α, temperature, KD loss, hint and early stopping. With `distill.teacherTraining: "joint"`, omit
 * `teachers`: they are trained together with the student.
 */
export async function distill(config: ConfigArgument, data: PreparedData, teachers: TeacherResult[] | undefined, opts: DistillOptions = {}): Promise<DistillResult> {
  const cfg = resolveConfig(config);
  await useBackend(opts);
  const log = loggerOf(opts);
  const joint = cfg.distill.teacherTraining === "joint";
  if (joint === (teachers !== undefined))
    throw new UserError(joint ? "distill: with distill.teacherTraining \"joint\" the teachers are trained here; pass no teachers" : "distill: pass the teachers (from trainTeachers), or set distill.teacherTraining to \"joint\"");
  beginStage(log, "students", `students: distilled (${joint ? "jointly with the teachers" : `ensemble ${cfg.distill.ensemble}`})`);
  const baseline = opts.baseline === true ? await trainPlainStudent(cfg, data, log) : null;
  if (teachers === undefined) return { ...(await trainJointStudent(cfg, data, log)), baseline };
  return { ...(await trainDistilledStudent(cfg, data, teachers, log)), teachers, baseline };
}

export interface ExportStudentOptions extends CallOptions {
  /** The run directory to create: feature-map.json, student.wasm, student.onnx, model.json, config.json, student/. */
  outDir: string;
  /** Replace an existing ctr-distill run in `outDir`; anything else there is refused. */
  overwrite?: boolean;
  /** Embedding storage: "none" (f32), "fp16" or "int8"; default f32, or with `budget` the least lossy that fits. */
  quantize?: Quantize;
  /** Dense-layer storage: "none" (f32, the default) or "int8" (per-channel int8 weights; no student.onnx is written). */
  quantizeDense?: DenseQuantize;
  /** Largest student.wasm in bytes. */
  budget?: number;
}

/** What `exportStudent` wrote. */
export interface ExportedRun extends Artifact {
  /** The feature map the student.wasm expects, as written to feature-map.json. */
  featureMap: PreparedData["featureMap"];
}

/**
 * Writes a servable run directory for a trained student (written aside and moved into place when complete):
 * what `openRun`, `ctr-distill serve|score|deploy` and the worker take.
 */
export async function exportStudent(config: ConfigArgument, data: PreparedData, student: StudentResult, opts: ExportStudentOptions): Promise<ExportedRun> {
  const cfg = resolveConfig(config);
  const log = loggerOf(opts);
  beginStage(log, "export", `export: ${opts.outDir}`);
  const artifact = await writeOutputFolder(opts.outDir, { kind: "run", config: cfg, overwrite: opts.overwrite }, (dir) => saveStudentRun(dir, cfg, data, student, { quantize: opts.quantize, quantizeDense: opts.quantizeDense, budget: opts.budget }));
  return { ...artifact, dir: opts.outDir, featureMap: data.featureMap };
}
