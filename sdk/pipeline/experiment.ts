import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EnsembleKind, RunConfig } from "../config-types";
import { deriveSeed } from "../data/prng";
import { disposeData, prepareData, type PreparedData } from "../data/prepare";
import type { HintSource } from "../distill/distill";
import { buildEnsemble, type EnsembleLogits } from "../distill/ensemble";
import type { Logger } from "../log";
import { disposeModel } from "../models/model";
import { markBest } from "../report/best-row";
import { writeReport } from "../report/report-html";
import type { ExperimentReportData, ExperimentRow, ReportMeta, SizeSweep } from "../report/types";
import { probabilities } from "../train/evaluate";
import { hintTargets } from "./hint-targets";
import { METRICS_FILE, writeMetricsJsonl } from "./metrics-jsonl";
import { compareOnTestRows } from "./paired-comparisons";
import { reportMeta, studentRow, teacherRow } from "./report-rows";
import { saveStudentRun } from "./save-student";
import { planSizeSweep, runSizeSweep, sweepTrainings, SWEEP_VARIANT, tableArmIsUncompressed, type SizeSweepInputs, type SweepPlan } from "./size-sweep";
import { distillArm, STUDENTS_DIR, studentConfig, studentSlug, variantName, type StudentVariant } from "./student-arms";
import { fitStudentBudget } from "./student-budget";
import { trainPlainStudent, type StudentResult } from "./students";
import { teacherLogits, trainTeachers } from "./teachers";
import { TrainingCounter } from "./training-counter";

export { STUDENTS_DIR, studentConfig, studentSlug, variantName, type StudentVariant } from "./student-arms";

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
  /** The size sweep's budgets, gzip bytes of student.wasm (size-sweep.ts; sizeSweepBudgets checks them); default none. */
  sizeSweep?: readonly number[];
}

export interface ExperimentResult {
  /** Teachers, then students; `best` marks the highest validation AUC. */
  rows: ExperimentRow[];
  report: string;
  bayes: { auc: number; logloss: number } | null;
  meta: ReportMeta;
  /** With `sizeSweep`: test AUC and logloss against student.wasm's size, KD and label-only. */
  sizeSweep?: SizeSweep;
}

/** Seed stream of the paired bootstrap over test rows, apart from the models'. */
const BOOTSTRAP_SEED_STREAM = 3000;

/** How many models one experiment trains: every configured teacher, the student without KD, each variant, the size sweep's students. */
export function trainingsPerExperiment(config: RunConfig, variants: readonly StudentVariant[] = EXPERIMENT_VARIANTS, sizeSweep: readonly number[] = []): number {
  return config.teachers.length + 1 + variants.length + sweepTrainings(config, variants, sizeSweep.length);
}

export function experimentTitle(config: RunConfig, teachers: readonly string[]): string {
  return `ctr-distill experiment: ${teachers.join(", ")} → DNN student ${JSON.stringify(config.student.hiddenUnits)}`;
}

/**
 * `ctr-distill experiment`: the paper's table on one data set. Every teacher; the student without KD; the
 * student distilled from the best teacher, the mean, learned weights and the gated ensemble; the gated one
 * with hint and with AUC-based stopping. Each student is kept as a run directory (`students/<slug>/`, what
 * `score`, `serve`, `export` and `deploy` take). With `sizeSweep`, then the size sweep (size-sweep.ts) from the
 * same teachers. Writes experiment.json, metrics.jsonl and report.html into `outDir` as it is
 * (runSeededExperiment manages the output folder).
 */
export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const started = performance.now();
  const { config, outDir, log } = options;
  const variants = options.variants ?? EXPERIMENT_VARIANTS;
  const budgets = options.sizeSweep ?? [];
  const counter = options.counter ?? new TrainingCounter(trainingsPerExperiment(config, variants, budgets), log);
  await mkdir(outDir, { recursive: true });
  const data = await prepareData(config.data, { seed: config.training.seed, log });
  try {
    // With student.budgetBytes, every student arm is sized as `run` sizes its student, before any trains;
    // so is each budget of the sweep, so that an unreachable one is said now, not after the table.
    const sized = await fitStudentBudget(config, data.featureMap, data.train.layout, log);
    const plans = budgets.length === 0 ? null : await planSizeSweep(config, budgets, data, log);
    counter.drop(2 * (plans ?? []).filter((p) => "unreachable" in p).length);
    return await experimentOn(data, { ...options, config: sized.config, variants, counter }, started, plans === null ? null : { config, plans });
  } finally {
    disposeData(data);
  }
}

/** The experiment on prepared data (runExperiment disposes the data after it); `sweep` the size sweep's budgets, planned on the config as given. */
async function experimentOn(
  data: PreparedData,
  options: ExperimentOptions & Required<Pick<ExperimentOptions, "variants" | "counter">>,
  started: number,
  sweep: { config: RunConfig; plans: SweepPlan[] } | null,
): Promise<ExperimentResult> {
  const { config, outDir, log, variants, counter } = options;
  const finalDir = options.finalDir ?? outDir;
  const teachers = await trainTeachers(config, data, outDir, log, false, (name) => counter.begin(name));
  const logits = teacherLogits(teachers);
  const rows: ExperimentRow[] = teachers.map(teacherRow);
  // Every model's test predictions by row name, for the paired comparisons on the same test rows.
  const testProbs = new Map(teachers.map((t) => [t.name, probabilities(t.logits.test)]));
  const curves: ExperimentReportData["curves"] = teachers.flatMap((t) => (t.trained === null ? [] : [{ name: t.name, history: t.trained.fit.history }]));
  const calibration: ExperimentReportData["calibration"] = [];

  /** The table's main arm, when the size sweep takes it for its uncompressed KD student. */
  let tableArm: SizeSweepInputs["tableArm"] = null;
  const armIsReference = sweep !== null && tableArmIsUncompressed(sweep.config, variants);

  /** Keeps a trained student as a run directory, adds its row and curve, and frees its weights. */
  const keep = async (student: StudentResult, v: StudentVariant | null): Promise<void> => {
    const slug = join(STUDENTS_DIR, studentSlug(v));
    const artifact = await saveStudentRun(join(outDir, slug), studentConfig(config, v), data, student);
    rows.push(studentRow(student, data, v ?? { ensemble: null, hint: false, earlyStop: "auc" }, join(finalDir, slug)));
    curves.push({ name: student.name, history: student.fit.history });
    testProbs.set(student.name, probabilities(student.testLogits));
    if (armIsReference && v !== null && studentSlug(v) === studentSlug(SWEEP_VARIANT)) {
      const s = { name: student.name, auc: student.test.auc, logloss: student.test.logloss, params: student.params, wasmBytes: artifact.wasm.byteLength, gzipBytes: artifact.gzipBytes, dir: join(finalDir, slug) };
      tableArm = { row: s, testProbs: testProbs.get(student.name)! };
    }
    disposeModel(student.model);
  };

  counter.begin("student (no KD)");
  const plain = await trainPlainStudent(config, data, log);
  await keep(plain, null);
  calibration.push({ name: plain.name, labels: data.test.labels, probs: testProbs.get(plain.name)! });

  const ensembles = new Map<EnsembleKind, EnsembleLogits>();
  const ensembleOf = async (kind: EnsembleKind): Promise<EnsembleLogits> => {
    let ensemble = ensembles.get(kind);
    if (ensemble === undefined) {
      ensemble = await buildEnsemble(kind, logits, data, config.training, config.distill, log);
      ensembles.set(kind, ensemble);
    }
    return ensemble;
  };
  let hint: HintSource | undefined;
  for (const v of variants) {
    const name = variantName(v);
    counter.begin(name);
    const ensemble = await ensembleOf(v.ensemble);
    if (v.hint && hint === undefined) hint = hintTargets(teachers, data);
    await keep(await distillArm(config, data, ensemble, v, hint, log, name), v);
    if (studentSlug(v) === studentSlug(SWEEP_VARIANT)) calibration.push({ name, labels: data.test.labels, probs: testProbs.get(name)! });
  }
  for (const t of teachers) if (t.trained !== null) disposeModel(t.trained.model);

  // The size sweep distils from the main arm's ensemble of the same (frozen) teachers: they are not trained again.
  const sizeSweep =
    sweep === null
      ? undefined
      : await runSizeSweep({
          config: sweep.config,
          plans: sweep.plans,
          data,
          ensemble: await ensembleOf(SWEEP_VARIANT.ensemble),
          teachers: teachers.map((t) => ({ name: t.name, auc: t.test.auc, logloss: t.test.logloss })),
          tableArm,
          outDir,
          finalDir,
          log,
          counter,
          bootstrapSeed: deriveSeed(config.training.seed, BOOTSTRAP_SEED_STREAM),
        });
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
    ...(sizeSweep === undefined ? {} : { sizeSweep }),
  });
  await writeMetricsJsonl(join(outDir, METRICS_FILE), curves);
  const bayes = data.bayes ?? null;
  const sweepField = sizeSweep === undefined ? {} : { sizeSweep };
  await writeFile(join(outDir, "experiment.json"), JSON.stringify({ rows: marked, bayes, meta, ...sweepField }, null, 2) + "\n");
  return { rows: marked, report: join(finalDir, "report.html"), bayes, meta, ...sweepField };
}
