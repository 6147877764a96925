import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DistillConfig, EnsembleKind, RunConfig } from "../config-types";
import { deriveSeed } from "../data/prng";
import { disposeData, prepareData, type PreparedData } from "../data/prepare";
import { fitStudentBudget } from "./student-budget";
import { distillStudent, type HintSource } from "../distill/distill";
import { buildEnsemble, type EnsembleLogits } from "../distill/ensemble";
import type { Logger } from "../log";
import { disposeModel } from "../models/model";
import { markBest } from "../report/best-row";
import { writeReport } from "../report/report-html";
import type { ExperimentReportData, ExperimentRow, ReportMeta } from "../report/types";
import { evaluateLogits, probabilities } from "../train/evaluate";
import { predictLogits } from "../train/step";
import { hintTargets } from "./hint-targets";
import { METRICS_FILE, writeMetricsJsonl } from "./metrics-jsonl";
import { reportMeta, studentRow, teacherRow } from "./report-rows";
import { saveStudentRun } from "./save-student";
import { compareOnTestRows } from "./paired-comparisons";
import { STUDENT_SEED_STREAM, studentRemap, trainPlainStudent, type StudentResult } from "./students";
import { teacherLogits, trainTeachers } from "./teachers";
import { TrainingCounter } from "./training-counter";

/** One distilled student of the table: which ensemble, with or without hint, stopped by what. */
export interface StudentVariant {
  ensemble: EnsembleKind;
  hint: boolean;
  earlyStop: DistillConfig["earlyStop"];
}

/** The paper's table: KD from each kind of ensemble, then the gated one with hint and with AUC stopping. */
export const EXPERIMENT_VARIANTS: readonly StudentVariant[] = [
  { ensemble: "best", hint: false, earlyStop: "kd-loss" },
  { ensemble: "mean", hint: false, earlyStop: "kd-loss" },
  { ensemble: "weighted", hint: false, earlyStop: "kd-loss" },
  { ensemble: "gating", hint: false, earlyStop: "kd-loss" },
  { ensemble: "gating", hint: true, earlyStop: "kd-loss" },
  { ensemble: "gating", hint: false, earlyStop: "auc" },
];

export interface ExperimentOptions {
  config: RunConfig;
  /** The folder written into (runSeededExperiment's partial folder, or any folder). */
  outDir: string;
  /** Where `outDir` ends up once complete (the partial folder is renamed): the rows' `dir` point there. Default `outDir`. */
  finalDir?: string;
  log: Logger;
  variants?: readonly StudentVariant[];
  /** Shared over seeds, for one overall count and ETA; default: this experiment's own. */
  counter?: TrainingCounter;
}

export interface ExperimentResult {
  /** Teachers, then students; `best` marks the highest validation AUC. */
  rows: ExperimentRow[];
  report: string;
  bayes: { auc: number; logloss: number } | null;
  meta: ReportMeta;
}

/** Seed stream of the paired bootstrap over test rows, apart from the models'. */
const BOOTSTRAP_SEED_STREAM = 3000;

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

/** How many models one experiment trains: every configured teacher, the student without KD, each variant. */
export function trainingsPerExperiment(config: RunConfig, variants: readonly StudentVariant[] = EXPERIMENT_VARIANTS): number {
  return config.teachers.length + 1 + variants.length;
}

export function experimentTitle(config: RunConfig, teachers: readonly string[]): string {
  return `ctr-distill experiment: ${teachers.join(", ")} → DNN student ${JSON.stringify(config.student.hiddenUnits)}`;
}

/**
 * `ctr-distill experiment`: the paper's table on one data set. Every teacher; the student without KD; the
 * student distilled from the best teacher, the mean, learned weights and the gated ensemble; the gated one
 * with hint and with AUC-based stopping. Each student is kept as a run directory (`students/<slug>/`, what
 * `score`, `serve`, `export` and `deploy` take). Writes experiment.json, metrics.jsonl and report.html into
 * `outDir` as it is (runSeededExperiment manages the output folder).
 */
export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const started = performance.now();
  const { config, outDir, log } = options;
  await mkdir(outDir, { recursive: true });
  const data = await prepareData(config.data, { seed: config.training.seed, log });
  try {
    // With student.budgetBytes, every student arm is sized as `run` sizes its student, before any trains.
    const sized = await fitStudentBudget(config, data.featureMap, data.train.layout, log);
    return await experimentOn(data, { ...options, config: sized.config }, started);
  } finally {
    disposeData(data);
  }
}

/** The experiment on prepared data (runExperiment disposes the data after it). */
async function experimentOn(data: PreparedData, options: ExperimentOptions, started: number): Promise<ExperimentResult> {
  const { config, outDir, log } = options;
  const variants = options.variants ?? EXPERIMENT_VARIANTS;
  const counter = options.counter ?? new TrainingCounter(trainingsPerExperiment(config, variants), log);
  const finalDir = options.finalDir ?? outDir;
  const teachers = await trainTeachers(config, data, outDir, log, false, (name) => counter.begin(name));
  const logits = teacherLogits(teachers);
  const rows: ExperimentRow[] = teachers.map(teacherRow);
  // Every model's test predictions by row name, for the paired comparisons on the same test rows.
  const testProbs = new Map(teachers.map((t) => [t.name, probabilities(t.logits.test)]));
  const curves: ExperimentReportData["curves"] = teachers.flatMap((t) => (t.trained === null ? [] : [{ name: t.name, history: t.trained.fit.history }]));
  const calibration: ExperimentReportData["calibration"] = [];

  /** Keeps a trained student as a run directory, adds its row and curve, and frees its weights. */
  const keep = async (student: StudentResult, v: StudentVariant | null): Promise<void> => {
    const slug = join(STUDENTS_DIR, studentSlug(v));
    await saveStudentRun(join(outDir, slug), studentConfig(config, v), data, student);
    rows.push(studentRow(student, data, v ?? { ensemble: null, hint: false, earlyStop: "auc" }, join(finalDir, slug)));
    curves.push({ name: student.name, history: student.fit.history });
    testProbs.set(student.name, probabilities(student.testLogits));
    disposeModel(student.model);
  };

  counter.begin("student (no KD)");
  const plain = await trainPlainStudent(config, data, log);
  await keep(plain, null);
  calibration.push({ name: plain.name, labels: data.test.labels, probs: testProbs.get(plain.name)! });

  const ensembles = new Map<EnsembleKind, EnsembleLogits>();
  let hint: HintSource | undefined;
  for (const v of variants) {
    const name = variantName(v);
    counter.begin(name);
    let ensemble = ensembles.get(v.ensemble);
    if (ensemble === undefined) {
      ensemble = await buildEnsemble(v.ensemble, logits, data, config.training, config.distill, log);
      ensembles.set(v.ensemble, ensemble);
    }
    if (v.hint && hint === undefined) hint = hintTargets(teachers, data);
    const trained = await distillStudent(
      { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows, remap: studentRemap(config, data), teacherTrain: ensemble.train, teacherValid: ensemble.valid, ...(v.hint ? { hint: hint! } : {}) },
      config.student,
      studentConfig(config, v).distill,
      config.training,
      log,
      name,
      // Common random numbers: every arm starts from the no-KD student's initialisation and batch order.
      STUDENT_SEED_STREAM,
    );
    const testLogits = predictLogits(trained.model, data.test);
    const student: StudentResult = { ...trained, name, ensemble: v.ensemble, testLogits, test: evaluateLogits(data.test.labels, testLogits) };
    log(`${name}: test AUC ${student.test.auc.toFixed(4)}, logloss ${student.test.logloss.toFixed(4)}`);
    await keep(student, v);
    if (v.ensemble === "gating" && !v.hint && v.earlyStop === "kd-loss") calibration.push({ name, labels: data.test.labels, probs: testProbs.get(name)! });
  }
  for (const t of teachers) if (t.trained !== null) disposeModel(t.trained.model);
  const best = teachers.reduce((a, b) => (b.valid.auc > a.valid.auc ? b : a));
  calibration.unshift({ name: best.name, labels: data.test.labels, probs: testProbs.get(best.name)! });

  log(`paired bootstrap of test AUC differences over ${data.test.n.toLocaleString("en-US")} test rows`);
  const marked = markBest(compareOnTestRows(rows, data.test.labels, testProbs, deriveSeed(config.training.seed, BOOTSTRAP_SEED_STREAM)));
  const meta = reportMeta(config, data, (performance.now() - started) / 1000);
  const gating = ensembles.get("gating");
  const report = join(outDir, "report.html");
  await writeReport(report, {
    title: experimentTitle(config, teachers.map((t) => t.name)),
    createdAt: new Date().toISOString(),
    command: "experiment",
    meta,
    rows: marked,
    curves,
    gate: gating?.perSampleValid === undefined ? null : { teachers: logits.names, perSampleValid: gating.perSampleValid },
    calibration,
    bayes: data.bayes ?? null,
  });
  await writeMetricsJsonl(join(outDir, METRICS_FILE), curves);
  const bayes = data.bayes ?? null;
  await writeFile(join(outDir, "experiment.json"), JSON.stringify({ rows: marked, bayes, meta }, null, 2) + "\n");
  return { rows: marked, report: join(finalDir, "report.html"), bayes, meta };
}
