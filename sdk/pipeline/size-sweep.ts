import { join } from "node:path";
import type { RunConfig } from "../config-types";
import type { PreparedData } from "../data/prepare";
import type { EnsembleLogits } from "../distill/ensemble";
import { UserError } from "../errors";
import type { Logger } from "../log";
import { pairedBootstrapAuc } from "../metrics/paired-interval";
import { disposeModel } from "../models/model";
import type { SizeSweep, SizeSweepPoint, SizeSweepStudent } from "../report/types";
import { probabilities } from "../train/evaluate";
import { withBudget } from "./distill-run";
import { BOOTSTRAP_RESAMPLES, difference } from "./paired-comparisons";
import { saveStudentRun } from "./save-student";
import { distillArm, STUDENTS_DIR, studentConfig, studentSlug, type StudentVariant } from "./student-arms";
import { fitStudentBudget, StudentBudgetUnreachableError, type BudgetFit } from "./student-budget";
import { studentRemap, trainPlainStudent, type StudentResult } from "./students";
import type { TrainingCounter } from "./training-counter";

/**
 * `experiment --size-sweep` (API: `sizeSweep`): the size trade-off, measured. For each budget, before any model
 * trains, the student is sized to it as `student.budgetBytes` sizes `run`'s (student-budget.ts); a budget no
 * student reaches is recorded as such. After the table, the same teachers' gated ensemble distils one student
 * per budget, and one learns from labels alone, both with the table's common random numbers; each is kept as a
 * run directory, so its actual student.wasm and gzip size are measured, not predicted.
 */

/** The table's main arm, which the sweep's KD students train as: the gated ensemble, no hint, stopped by KD loss. */
export const SWEEP_VARIANT: StudentVariant = { ensemble: "gating", hint: false, earlyStop: "kd-loss" };

/** Where the sweep keeps a budget's two students (`students/size-<bytes>/{no-kd,kd-gating}`), or the uncompressed one (`size-full`). */
export function sweepDir(budget: number | "full"): string {
  return join(STUDENTS_DIR, `size-${budget}`);
}

/** The budgets of a sweep: each an integer ≥ 1 (gzip bytes), returned ascending and each once. `where` names the option. */
export function sizeSweepBudgets(budgets: readonly unknown[], where: string): number[] {
  const bad = budgets.find((b) => !(typeof b === "number" && Number.isSafeInteger(b) && b >= 1));
  if (bad !== undefined) throw new UserError(`${where}: every budget must be an integer ≥ 1 (gzip bytes of student.wasm), got ${JSON.stringify(bad)}`);
  return [...new Set(budgets as number[])].sort((a, b) => a - b);
}

/** Refuses, before anything is read or trained, a student that budgets cannot size (student.embedding kind "full" or "qr"). */
export function checkSizeSweepConfig(config: RunConfig, where: string): void {
  const kind = config.student.embedding?.kind ?? "prune";
  if (kind !== "prune" && kind !== "hash") throw new UserError(`${where}: sizes the student by student.embedding kind "prune" (the default) or "hash"; this config's is ${JSON.stringify(kind)}`);
}

/** One budget, planned before any training: the student's config sized to it and the fit, or why no student fits. */
export type SweepPlan = { budgetBytes: number; config: RunConfig; fit: BudgetFit } | { budgetBytes: number; unreachable: StudentBudgetUnreachableError };

/** Sizes the student to each budget (`config` as given, its own budget, if any, replaced); an unreachable one is logged and kept as such. */
export async function planSizeSweep(config: RunConfig, budgets: readonly number[], data: Pick<PreparedData, "featureMap" | "train">, log: Logger): Promise<SweepPlan[]> {
  const plans: SweepPlan[] = [];
  for (const budgetBytes of budgets) {
    try {
      const { config: sized, fit } = await fitStudentBudget(withBudget(config, budgetBytes), data.featureMap, data.train.layout, log);
      plans.push({ budgetBytes, config: sized, fit: fit! });
    } catch (e) {
      if (!(e instanceof StudentBudgetUnreachableError)) throw e;
      log(`size sweep: ${unreachableReason(e)}; that budget is skipped`);
      plans.push({ budgetBytes, unreachable: e });
    }
  }
  return plans;
}

function unreachableReason(e: StudentBudgetUnreachableError): string {
  return `no student fits ${e.budgetBytes.toLocaleString("en-US")} bytes gzip; the smallest reachable is ${e.smallest.gzipBytesAtMost.toLocaleString("en-US")} (student.wasm ${e.smallest.wasmBytes.toLocaleString("en-US")} bytes)`;
}

/** The config's student has the feature map's whole embedding, unsized: the table's main arm is then the uncompressed reference. */
function wholeEmbedding(config: RunConfig): boolean {
  const e = config.student.embedding;
  return config.student.budgetBytes === undefined && (e === undefined || (e.kind === "full" && (e.fields ?? []).length === 0));
}

/** Whether the table's own arm of SWEEP_VARIANT is the uncompressed KD student (else the sweep trains one). */
export function tableArmIsUncompressed(config: RunConfig, variants: readonly StudentVariant[]): boolean {
  return wholeEmbedding(config) && variants.some((v) => studentSlug(v) === studentSlug(SWEEP_VARIANT));
}

/** Trainings the sweep adds to an experiment: two per budget, and the uncompressed KD student where the table has none. */
export function sweepTrainings(config: RunConfig, variants: readonly StudentVariant[], budgets: number): number {
  return budgets === 0 ? 0 : 2 * budgets + (tableArmIsUncompressed(config, variants) ? 0 : 1);
}

export interface SizeSweepInputs {
  /** The experiment's config as given (not sized to its own budget). */
  config: RunConfig;
  plans: readonly SweepPlan[];
  data: PreparedData;
  /** The table's ensemble of kind SWEEP_VARIANT.ensemble. */
  ensemble: EnsembleLogits;
  teachers: SizeSweep["teachers"];
  /** The table's own uncompressed main arm (tableArmIsUncompressed), or null for the sweep to train one. */
  tableArm: { row: SizeSweepStudent; testProbs: Float32Array } | null;
  /** Where the students are written, and where that folder ends up (the rows' `dir`). */
  outDir: string;
  finalDir: string;
  log: Logger;
  counter: TrainingCounter;
  /** Seed of the paired bootstrap of the KD students' differences. */
  bootstrapSeed: number;
}

/** The sweep's students, trained and kept: one KD and one label-only student per reachable budget, compared on the test rows. */
export async function runSizeSweep(inputs: SizeSweepInputs): Promise<SizeSweep> {
  const { config, data, ensemble, log, counter } = inputs;
  const budgetName = (b: number) => `≤ ${b.toLocaleString("en-US")} B`;

  /** Keeps a trained student as a run directory (its export checked against its budget's fit) and frees its weights. */
  const keep = async (student: StudentResult, v: StudentVariant | null, dir: string, trained: RunConfig, stored: RunConfig, fit: BudgetFit | null) => {
    const rel = join(dir, studentSlug(v));
    const artifact = await saveStudentRun(join(inputs.outDir, rel), studentConfig(trained, v), data, student, { budgetFit: fit }, studentConfig(stored, v));
    disposeModel(student.model);
    const row: SizeSweepStudent = { name: student.name, auc: student.test.auc, logloss: student.test.logloss, params: student.params, wasmBytes: artifact.wasm.byteLength, gzipBytes: artifact.gzipBytes, dir: join(inputs.finalDir, rel) };
    return { row, testProbs: probabilities(student.testLogits), quantize: artifact.quantize };
  };

  /** The KD student with the whole embedding, when the table has none (its arm is sized, or not trained). */
  const trainReference = async () => {
    const whole: RunConfig = { ...config, student: { embeddingDim: config.student.embeddingDim, hiddenUnits: config.student.hiddenUnits } };
    const name = `student KD ${SWEEP_VARIANT.ensemble}, uncompressed`;
    counter.begin(name);
    return keep(await distillArm(whole, data, ensemble, SWEEP_VARIANT, undefined, log, name), SWEEP_VARIANT, sweepDir("full"), whole, whole, null);
  };
  const reference = inputs.tableArm ?? (await trainReference());

  const points: SizeSweepPoint[] = [];
  const preds: Float32Array[] = [reference.testProbs];
  const pairs: { point: number; kd: number; noKd: number }[] = [];
  for (const plan of inputs.plans) {
    if ("unreachable" in plan) {
      points.push({ budgetBytes: plan.budgetBytes, reachable: false, smallestGzipBytes: plan.unreachable.smallest.gzipBytesAtMost, reason: unreachableReason(plan.unreachable) });
      continue;
    }
    const dir = sweepDir(plan.budgetBytes);
    const stored = withBudget(config, plan.budgetBytes);
    const noKdName = `student (no KD) ${budgetName(plan.budgetBytes)}`;
    counter.begin(noKdName);
    const plain = await trainPlainStudent(plan.config, data, log);
    const noKd = await keep({ ...plain, name: noKdName }, null, dir, plan.config, stored, plan.fit);
    const kdName = `student KD ${SWEEP_VARIANT.ensemble} ${budgetName(plan.budgetBytes)}`;
    counter.begin(kdName);
    const kd = await keep(await distillArm(plan.config, data, ensemble, SWEEP_VARIANT, undefined, log, kdName), SWEEP_VARIANT, dir, plan.config, stored, plan.fit);
    log(`size sweep ${budgetName(plan.budgetBytes)}: student.wasm ${kd.row.gzipBytes.toLocaleString("en-US")} bytes gzip; test AUC KD ${kd.row.auc.toFixed(4)}, label-only ${noKd.row.auc.toFixed(4)}`);
    pairs.push({ point: points.length, kd: preds.push(kd.testProbs) - 1, noKd: preds.push(noKd.testProbs) - 1 });
    points.push({
      budgetBytes: plan.budgetBytes,
      reachable: true,
      predicted: plan.fit.predicted,
      capacity: { embedding: plan.fit.embedding, embeddingRows: studentRemap(plan.config, data)?.totalRows ?? data.featureMap.totalRows, quantize: kd.quantize },
      kd: kd.row,
      noKd: noKd.row,
    });
  }

  // The KD student at each budget against the label-only one and the uncompressed one, paired on the same test rows.
  if (pairs.length > 0) {
    const intervals = pairedBootstrapAuc(data.test.labels, preds, pairs.flatMap((p) => [[p.kd, p.noKd] as const, [p.kd, 0] as const]), { resamples: BOOTSTRAP_RESAMPLES, seed: inputs.bootstrapSeed });
    pairs.forEach((p, k) => {
      const point = points[p.point]!;
      if (!point.reachable) return;
      point.kd.vsNoKd = difference(point.noKd.name, intervals[2 * k]!, "bootstrap", BOOTSTRAP_RESAMPLES);
      point.kd.vsUncompressed = difference(reference.row.name, intervals[2 * k + 1]!, "bootstrap", BOOTSTRAP_RESAMPLES);
    });
  }
  return { ensemble: ensemble.kind, points, uncompressed: reference.row, fullEmbeddingRows: data.featureMap.totalRows, teachers: inputs.teachers, seeds: 1 };
}
