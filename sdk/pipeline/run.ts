import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunConfig } from "../config-types";
import { saveFeatureMap } from "../data/feature-map-io";
import { disposeData, prepareData, type PreparedData } from "../data/prepare";
import { studentWeightsOf } from "../distill/student-weights";
import type { Logger } from "../log";
import { saveCheckpoint } from "../train/checkpoint";
import { probabilities } from "../train/evaluate";
import { writeArtifact } from "./artifact";
import { checkHttp, checkWasmAgreement, type HttpCheck, type WasmAgreement } from "./checks";
import { trainDistilledStudent, trainJointStudent, trainPlainStudent } from "./students";
import { trainTeachers, type TeacherResult } from "./teachers";

export interface RunOptions {
  config: RunConfig;
  outDir: string;
  log: Logger;
  backend: string;
  skipBadLines?: boolean;
  /** Keep the run directory and reuse the teachers an interrupted run of the same config finished. */
  resume?: boolean;
  /** Port for the end-to-end HTTP check through `wrangler dev`; null skips the check. */
  httpCheckPort: number | null;
}

/** `run --json`'s object (DESIGN.md), with the checks of the thin path added. */
export interface RunReport {
  teachers: { model: string; auc: number; logloss: number; params: number }[];
  students: { name: string; ensemble: string | null; auc: number; logloss: number; params: number }[];
  artifact: string;
  modelId: string;
  backend: string;
  bayes: { auc: number; logloss: number } | null;
  ensembleWeights: Record<string, number>;
  wasm: WasmAgreement & { bytes: number };
  http: HttpCheck | null;
  seconds: number;
}

/** The run configuration as resolved, kept in the run directory for the later stages (`distill --run`). */
export const RUN_CONFIG_FILE = "config.json";

/** Stage 1 (`train`): prepares the data, saves config and feature map, trains the pre-trained teachers. */
export async function trainStage(options: Pick<RunOptions, "config" | "outDir" | "log" | "skipBadLines" | "resume">): Promise<{ data: PreparedData; teachers: TeacherResult[] | null }> {
  const { config, outDir, log } = options;
  const resume = options.resume === true;
  if (!resume) await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const data = await prepareData(config.data, { seed: config.training.seed, skipBadLines: options.skipBadLines ?? false, log });
  await writeFile(join(outDir, RUN_CONFIG_FILE), JSON.stringify(config, null, 2) + "\n");
  await saveFeatureMap(join(outDir, "feature-map.json"), data.featureMap);
  const teachers = config.distill.teacherTraining === "joint" ? null : await trainTeachers(config, data, outDir, log, resume);
  return { data, teachers };
}

/**
 * Stage 2 (`distill`): the students (without KD, and from the configured ensemble, or jointly with the
 * teachers), the student's checkpoint, the export and its checks against the tfjs student and over HTTP.
 */
export async function distillStage(options: RunOptions, data: PreparedData, pretrained: TeacherResult[] | null): Promise<RunReport> {
  const started = performance.now();
  const { config, outDir, log } = options;
  const plain = trainPlainStudent(config, data, log);
  const { teachers, student, ensemble } = pretrained === null ? trainJointStudent(config, data, log) : { teachers: pretrained, ...trainDistilledStudent(config, data, pretrained, log) };

  await saveCheckpoint(student.model, join(outDir, "student"), {
    hyperparameters: { embeddingDim: config.student.embeddingDim, hiddenUnits: config.student.hiddenUnits },
    featureMapId: data.featureMap.id,
    extra: { test: student.test, ensemble: ensemble.kind },
  });
  const weights = studentWeightsOf(student.model, config.student, data.train.layout);
  const artifact = await writeArtifact({ outDir, featureMap: data.featureMap, weights, config, params: student.params, metrics: { test: student.test } });
  log(`exported ${outDir}/student.wasm (${artifact.wasm.byteLength.toLocaleString("en-US")} bytes, model ${artifact.modelId.slice(0, 12)}…)`);
  const wasm = await checkWasmAgreement(artifact.wasm, data.featureMap, data.test, probabilities(student.testLogits));
  log(`WASM scorer vs tfjs student on ${wasm.rows} test rows: max |Δ| = ${wasm.maxAbsDiff.toExponential(2)}`);
  let http: HttpCheck | null = null;
  if (options.httpCheckPort !== null) {
    log(`starting the worker under wrangler dev on 127.0.0.1:${options.httpCheckPort} …`);
    http = await checkHttp(outDir, artifact.wasm, data.featureMap, options.httpCheckPort);
    log(`POST /v1/score: ${http.rows} rows, HTTP ${http.status}, max |Δ| vs Node = ${http.maxAbsDiff.toExponential(2)}; worker stopped`);
  }
  return {
    teachers: teachers.map((t) => ({ model: t.name, auc: t.test.auc, logloss: t.test.logloss, params: t.params })),
    students: [plain, student].map((s) => ({ name: s.name, ensemble: s.ensemble, auc: s.test.auc, logloss: s.test.logloss, params: s.params })),
    artifact: outDir,
    modelId: artifact.modelId,
    backend: options.backend,
    bayes: data.bayes ?? null,
    ensembleWeights: Object.fromEntries(teachers.map((t, i) => [t.name, ensemble.weights[i]!])),
    wasm: { ...wasm, bytes: artifact.wasm.byteLength },
    http,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The whole path: data → teachers → ensemble → students → evaluation → export → WASM and HTTP checks. */
export async function runPipeline(options: RunOptions): Promise<RunReport> {
  const started = performance.now();
  const { data, teachers } = await trainStage(options);
  try {
    const report = await distillStage(options, data, teachers);
    return { ...report, seconds: (performance.now() - started) / 1000 };
  } finally {
    disposeData(data);
  }
}
