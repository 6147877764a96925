import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunConfig } from "../config-types";
import { saveFeatureMap } from "../data/feature-map-io";
import { disposeData, prepareData, type PreparedData } from "../data/prepare";
import { beginStage, type Logger } from "../log";
import { probabilities } from "../train/evaluate";
import { writeOutputFolder } from "./output-folder";
import { RUN_CONFIG_FILE, saveStudentRun } from "./save-student";
import { fitStudentBudget } from "./student-budget";
import { writeRunReport } from "./run-report";
import { checkWasmAgreement, httpSelfCheck, type HttpCheck, type WasmAgreement } from "./checks";
import { trainDistilledStudent, trainJointStudent, trainPlainStudent } from "./students";
import { trainTeachers, type TeacherResult } from "./teachers";

export interface RunOptions {
  config: RunConfig;
  outDir: string;
  log: Logger;
  backend: string;
  skipBadLines?: boolean;
  /** Continue an interrupted (or finished) run of the same config in `outDir`, reusing its finished teachers. */
  resume?: boolean;
  /** Replace an existing ctr-distill run in `outDir` (anything else there is refused, never touched). */
  overwrite?: boolean;
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


type TrainStageOptions = Pick<RunOptions, "config" | "outDir" | "log" | "skipBadLines" | "resume" | "overwrite">;

/** Stage 1 into `outDir` as it is: prepares the data, saves config and feature map, trains the pre-trained teachers. */
async function trainInto(options: TrainStageOptions): Promise<{ data: PreparedData; teachers: TeacherResult[] | null }> {
  const { config, outDir, log } = options;
  const resume = options.resume === true;
  beginStage(log, "data", `data: reading and fitting the feature map`);
  const data = await prepareData(config.data, { seed: config.training.seed, skipBadLines: options.skipBadLines ?? false, log });
  await writeFile(join(outDir, RUN_CONFIG_FILE), JSON.stringify(config, null, 2) + "\n");
  await saveFeatureMap(join(outDir, "feature-map.json"), data.featureMap);
  if (config.distill.teacherTraining !== "joint") beginStage(log, "teachers", `teachers: ${config.teachers.map((t) => t.model).join(", ") || "logged scores only"}`);
  const teachers = config.distill.teacherTraining === "joint" ? null : await trainTeachers(config, data, outDir, log, resume);
  return { data, teachers };
}

/**
 * Stage 1 (`train`): a new run directory (written aside and moved into place, see output-folder.ts) with the
 * config, the feature map and the pre-trained teachers. The data stays prepared for the caller to dispose.
 */
export async function trainStage(options: TrainStageOptions): Promise<{ data: PreparedData; teachers: TeacherResult[] | null }> {
  return writeOutputFolder(options.outDir, { kind: "run", config: options.config, resume: options.resume, overwrite: options.overwrite }, (dir) => trainInto({ ...options, outDir: dir }));
}

/**
 * Stage 2 (`distill`): the students (without KD, and from the configured ensemble, or jointly with the
 * teachers), the student's checkpoint, the export, report.html and metrics.jsonl, and the export's check
 * against the tfjs student.
 */
export async function distillStage(
  options: Omit<RunOptions, "httpCheckPort">,
  data: PreparedData,
  pretrained: TeacherResult[] | null,
  /** For report.html: when the command began, and where `outDir` ends up (default: now, `outDir`). */
  at: { startedAt?: number; runDir?: string } = {},
): Promise<RunReport> {
  const started = performance.now();
  const { outDir, log } = options;
  // With student.budgetBytes, the student's embedding is sized before any student trains.
  const { config, fit: budgetFit } = await fitStudentBudget(options.config, data.featureMap, data.train.layout, log);
  beginStage(log, "students", `students: without KD, then distilled (${config.distill.teacherTraining === "joint" ? "jointly with the teachers" : `ensemble ${config.distill.ensemble}`})`);
  const plain = await trainPlainStudent(config, data, log);
  const { teachers, student, ensemble } = pretrained === null ? await trainJointStudent(config, data, log) : { teachers: pretrained, ...(await trainDistilledStudent(config, data, pretrained, log)) };

  beginStage(log, "export", "export: student.wasm and student.onnx");
  const artifact = await saveStudentRun(outDir, config, data, student, { budgetFit }, options.config);
  log(`exported ${join(at.runDir ?? outDir, "student.wasm")} (${artifact.wasm.byteLength.toLocaleString("en-US")} bytes, model ${artifact.modelId.slice(0, 12)}…)`);
  await writeRunReport({ config, data, teachers, plain, student, ensemble, dir: outDir, runDir: at.runDir ?? outDir, seconds: (performance.now() - (at.startedAt ?? started)) / 1000 });
  beginStage(log, "checks", "checks: the WASM scorer against the tfjs student");
  const wasm = await checkWasmAgreement(artifact.wasm, data.featureMap, data.test, probabilities(student.testLogits));
  log(`WASM scorer vs tfjs student on ${wasm.rows} test rows: max |Δ| = ${wasm.maxAbsDiff.toExponential(2)}`);
  return {
    teachers: teachers.map((t) => ({ model: t.name, auc: t.test.auc, logloss: t.test.logloss, params: t.params })),
    students: [plain, student].map((s) => ({ name: s.name, ensemble: s.ensemble, auc: s.test.auc, logloss: s.test.logloss, params: s.params })),
    artifact: at.runDir ?? outDir,
    modelId: artifact.modelId,
    backend: options.backend,
    bayes: data.bayes ?? null,
    ensembleWeights: Object.fromEntries(teachers.map((t, i) => [t.name, ensemble.weights[i]!])),
    wasm: { ...wasm, bytes: artifact.wasm.byteLength },
    http: null, // by the caller, on the finished run directory (httpSelfCheck)
    seconds: (performance.now() - started) / 1000,
  };
}

/** The whole path: data → teachers → ensemble → students → evaluation → export → WASM and HTTP checks. */
export async function runPipeline(options: RunOptions): Promise<RunReport> {
  const started = performance.now();
  const report = await writeOutputFolder(options.outDir, { kind: "run", config: options.config, resume: options.resume, overwrite: options.overwrite }, async (dir) => {
    const { data, teachers } = await trainInto({ ...options, outDir: dir });
    try {
      return await distillStage({ ...options, outDir: dir }, data, teachers, { startedAt: started, runDir: options.outDir });
    } finally {
      disposeData(data);
    }
  });
  // After the move into place: a failed HTTP check leaves a complete run directory, and says so.
  const http = options.httpCheckPort === null ? null : await httpSelfCheck(options.outDir, options.httpCheckPort, options.log);
  return { ...report, artifact: options.outDir, http, seconds: (performance.now() - started) / 1000 };
}
