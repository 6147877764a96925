import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DistillConfig, EnsembleKind, RunConfig } from "../config-types";
import { disposeData, prepareData, type PreparedData } from "../data/prepare";
import { distillStudent } from "../distill/distill";
import { buildEnsemble, type EnsembleLogits } from "../distill/ensemble";
import type { Logger } from "../log";
import { writeReport } from "../report/report-html";
import type { ExperimentReportData, ExperimentRow } from "../report/types";
import { evaluateLogits, probabilities } from "../train/evaluate";
import { predictLogits, type SideInput } from "../train/step";
import type { TrainedModel } from "../train/train-teacher";
import { denseFlopsPerRow } from "./flops";
import { bestTeacher, hintTargets } from "./hint-targets";
import { trainPlainStudent } from "./students";
import { teacherLogits, trainTeachers } from "./teachers";

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
  outDir: string;
  log: Logger;
  variants?: readonly StudentVariant[];
}

export interface ExperimentResult {
  rows: ExperimentRow[];
  report: string;
  bayes: { auc: number; logloss: number } | null;
}

/** Seed streams of the experiment's students (teachers use 1..M, the run's students 1000+). */
const VARIANT_SEED_STREAM = 2000;

export function variantName(v: StudentVariant): string {
  return `student KD ${v.ensemble}${v.hint ? " + hint" : ""}${v.earlyStop === "auc" ? " (stop: AUC)" : ""}`;
}

function studentRow(name: string, trained: TrainedModel, v: StudentVariant | null, test: { auc: number; logloss: number }): ExperimentRow {
  return {
    name,
    kind: "student",
    ensemble: v?.ensemble ?? null,
    hint: v?.hint ?? false,
    earlyStop: v?.earlyStop ?? "auc",
    auc: test.auc,
    logloss: test.logloss,
    params: trained.params,
    flopsPerRow: denseFlopsPerRow(trained.model),
  };
}

/**
 * `ctr-distill experiment`: the paper's table on one data set. Every teacher; the student without KD; the
 * student distilled from the best teacher, the mean, learned weights and the gated ensemble; the gated one
 * with hint and with AUC-based stopping. Writes experiment.json and report.html to `outDir`.
 */
export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const { config, outDir, log } = options;
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const data = await prepareData(config.data, { seed: config.training.seed, log });
  try {
    return await experimentOn(data, options);
  } finally {
    disposeData(data);
  }
}

/** The experiment on prepared data (runExperiment disposes the data after it). */
async function experimentOn(data: PreparedData, options: ExperimentOptions): Promise<ExperimentResult> {
  const { config, outDir, log } = options;
  const teachers = await trainTeachers(config, data, outDir, log);
  const logits = teacherLogits(teachers);
  const rows: ExperimentRow[] = teachers.map((t) => ({
    name: t.name,
    kind: "teacher",
    ensemble: null,
    hint: false,
    earlyStop: "auc",
    auc: t.test.auc,
    logloss: t.test.logloss,
    params: t.params,
    flopsPerRow: t.trained === null ? 0 : denseFlopsPerRow(t.trained.model),
  }));
  const curves: ExperimentReportData["curves"] = teachers.flatMap((t) => (t.trained === null ? [] : [{ name: t.name, history: t.trained.fit.history }]));
  const calibration: ExperimentReportData["calibration"] = [];

  const plain = trainPlainStudent(config, data, log);
  rows.push(studentRow("student (no KD)", plain, null, plain.test));
  curves.push({ name: "student (no KD)", history: plain.fit.history });
  calibration.push({ name: "student (no KD)", labels: data.test.labels, probs: probabilities(plain.testLogits) });

  const ensembles = new Map<EnsembleKind, EnsembleLogits>();
  let hint: SideInput | undefined;
  for (const [i, v] of (options.variants ?? EXPERIMENT_VARIANTS).entries()) {
    let ensemble = ensembles.get(v.ensemble);
    if (ensemble === undefined) {
      ensemble = buildEnsemble(v.ensemble, logits, data, config.training, config.distill.gate, log);
      ensembles.set(v.ensemble, ensemble);
    }
    if (v.hint && hint === undefined) hint = hintTargets(bestTeacher(teachers), data);
    const name = variantName(v);
    const trained = distillStudent(
      { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows, teacherTrain: ensemble.train, teacherValid: ensemble.valid, ...(v.hint ? { hintTrain: hint! } : {}) },
      config.student,
      { ...config.distill, ensemble: v.ensemble, hint: v.hint, earlyStop: v.earlyStop },
      config.training,
      log,
      name,
      VARIANT_SEED_STREAM + i,
    );
    const testLogits = predictLogits(trained.model, data.test);
    const test = evaluateLogits(data.test.labels, testLogits);
    log(`${name}: test AUC ${test.auc.toFixed(4)}, logloss ${test.logloss.toFixed(4)}`);
    rows.push(studentRow(name, trained, v, test));
    curves.push({ name, history: trained.fit.history });
    if (v.ensemble === "gating" && !v.hint && v.earlyStop === "kd-loss") calibration.push({ name, labels: data.test.labels, probs: probabilities(testLogits) });
  }
  const best = teachers.reduce((a, b) => (b.valid.auc > a.valid.auc ? b : a));
  calibration.unshift({ name: best.name, labels: data.test.labels, probs: probabilities(best.logits.test) });

  const gating = ensembles.get("gating");
  const reportData: ExperimentReportData = {
    title: `ctr-distill experiment: ${teachers.map((t) => t.name).join(", ")} → DNN student ${JSON.stringify(config.student.hiddenUnits)}`,
    createdAt: new Date().toISOString(),
    rows,
    curves,
    gate: gating?.perSampleValid === undefined ? null : { teachers: logits.names, perSampleValid: gating.perSampleValid },
    calibration,
    bayes: data.bayes ?? null,
  };
  const report = join(outDir, "report.html");
  await writeReport(report, reportData);
  await writeFile(join(outDir, "experiment.json"), JSON.stringify({ rows, bayes: data.bayes ?? null }, null, 2) + "\n");
  return { rows, report, bayes: data.bayes ?? null };
}
