import { reexportRun, type ReexportResult } from "../export/reexport";
import type { DenseQuantize, Quantize } from "../export/quantize";
import { evaluateRun as evaluate, type EvaluateResult } from "../pipeline/evaluate-run";
import { runSeededExperiment, type SeededExperimentRow } from "../pipeline/experiment-seeds";
import { checkSizeSweepConfig, sizeSweepBudgets } from "../pipeline/size-sweep";
import type { SizeSweep } from "../report/types";
import { distillRun as distillInto, readRunConfig, withBudget } from "../pipeline/distill-run";
import { runPipeline as run, trainStage, type RunReport } from "../pipeline/run";
import type { ConfigArgument } from "./train";
import { resolveConfig } from "./config";
import { loggerOf, useBackend, type CallOptions, type TrainOptions } from "./options";

export interface RunPipelineOptions extends TrainOptions {
  /** The run directory to create (written aside, moved into place when complete). */
  outDir: string;
  /** Replace an existing ctr-distill run in `outDir`; anything else there is refused, never touched. */
  overwrite?: boolean;
  /** Continue an interrupted or finished run of the same config in `outDir`, reusing its finished teachers. */
  resume?: boolean;
  skipBadLines?: boolean;
  /** Check the exported worker over HTTP under `wrangler dev` on this port (0: a free one); default: no check. */
  httpCheckPort?: number | null;
  /** The gzip size student.wasm must fit, in place of the config's `student.budgetBytes` (`--budget`). */
  budgetBytes?: number;
}

/**
 * The whole path, as `ctr-distill run`: feature map, teachers, ensemble, students, evaluation, export and the
 * WASM check. Resolves to the object `run --json` prints.
 */
export async function runPipeline(config: ConfigArgument, opts: RunPipelineOptions): Promise<RunReport> {
  const cfg = withBudget(resolveConfig(config), opts.budgetBytes);
  const backend = await useBackend(opts);
  return run({
    config: cfg,
    outDir: opts.outDir,
    log: loggerOf(opts),
    backend: backend.name,
    skipBadLines: opts.skipBadLines === true,
    resume: opts.resume === true,
    overwrite: opts.overwrite === true,
    httpCheckPort: opts.httpCheckPort ?? null,
  });
}

export interface TrainRunOptions extends TrainOptions {
  /** The run directory to create for `distillRun`: config.json, feature-map.json, the teachers' checkpoints. */
  outDir: string;
  overwrite?: boolean;
  /** Continue an interrupted run of the same config, reusing its finished teachers. */
  resume?: boolean;
  skipBadLines?: boolean;
}

/** What `train --json` prints: each pre-trained teacher's test metrics, and the run directory. */
export interface TrainRunResult {
  teachers: { model: string; auc: number; logloss: number; params: number }[];
  run: string;
}

/** Stage 1, as `ctr-distill train`: the feature map and the pre-trained teachers, saved for `distillRun`. */
export async function trainRun(config: ConfigArgument, opts: TrainRunOptions): Promise<TrainRunResult> {
  const cfg = resolveConfig(config);
  await useBackend(opts);
  const { teachers } = await trainStage({ config: cfg, outDir: opts.outDir, log: loggerOf(opts), skipBadLines: opts.skipBadLines === true, resume: opts.resume === true, overwrite: opts.overwrite === true });
  return { teachers: (teachers ?? []).map((t) => ({ model: t.name, auc: t.test.auc, logloss: t.test.logloss, params: t.params })), run: opts.outDir };
}

export interface DistillRunOptions extends TrainOptions {
  /** Check the exported worker over HTTP under `wrangler dev` on this port (0: a free one); default: no check. */
  httpCheckPort?: number | null;
  /** The gzip size student.wasm must fit, in place of the run config's `student.budgetBytes` (`--budget`). */
  budgetBytes?: number;
}

/** Stage 2, as `ctr-distill distill`: the students from the teachers a `trainRun` saved, their export and checks. */
export async function distillRun(runDir: string, opts: DistillRunOptions = {}): Promise<RunReport> {
  await readRunConfig(runDir); // refuses a folder that is not a run before anything else is said or done
  const backend = await useBackend(opts);
  return distillInto({ dir: runDir, log: loggerOf(opts), backend: backend.name, httpCheckPort: opts.httpCheckPort ?? null, ...(opts.budgetBytes === undefined ? {} : { budgetBytes: opts.budgetBytes }) });
}

export interface ExperimentOptions extends TrainOptions {
  /** The experiment directory to create. */
  outDir: string;
  /** Repeat over this many seeds (training.seed, +1, …); default 1. */
  seeds?: number;
  overwrite?: boolean;
  /**
   * The size sweep (`--size-sweep`): budgets in gzip bytes of student.wasm. At each, a KD student (the gated
   * ensemble, as the table's main arm) and a label-only student sized to fit it; default none.
   */
  sizeSweep?: readonly number[];
}

/** What `experiment --json` prints: the paper's table (mean over seeds), the Bayes bound of synthetic data, the reports. */
export interface ExperimentSummary {
  rows: SeededExperimentRow[];
  bayes: { auc: number; logloss: number } | null;
  /** With `sizeSweep`: each budget's students (or why none fits), the uncompressed KD student and the teachers. */
  sizeSweep?: SizeSweep;
  reports: string[];
}

/** The paper's table, as `ctr-distill experiment`: every teacher, the student without KD and from each ensemble. */
export async function runExperiment(config: ConfigArgument, opts: ExperimentOptions): Promise<ExperimentSummary> {
  const cfg = resolveConfig(config);
  const sizeSweep = sizeSweepBudgets(opts.sizeSweep ?? [], "runExperiment: 'sizeSweep'");
  if (sizeSweep.length > 0) checkSizeSweepConfig(cfg, "runExperiment: 'sizeSweep'");
  await useBackend(opts);
  return runSeededExperiment(cfg, opts.outDir, opts.seeds ?? 1, loggerOf(opts), { overwrite: opts.overwrite === true, sizeSweep });
}

/** Every model of a run directory (teachers, the tfjs student, student.wasm) on a labelled file, as `evaluate --json`. */
export async function evaluateRun(runDir: string, file: string, opts: TrainOptions = {}): Promise<EvaluateResult> {
  await readRunConfig(runDir);
  await useBackend(opts);
  return evaluate(runDir, file, { log: loggerOf(opts) });
}

export interface ExportRunOptions extends CallOptions {
  quantize?: Quantize;
  /** Dense-layer storage: "none" (f32, the default) or "int8"; with "int8" the run's student.onnx is removed. */
  quantizeDense?: DenseQuantize;
  /** Largest student.wasm in bytes. */
  budget?: number;
}

/** Rebuilds a run's student.wasm and student.onnx from its checkpoint, quantised or to a budget, as `ctr-distill export`. */
export async function exportRun(runDir: string, opts: ExportRunOptions = {}): Promise<ReexportResult> {
  return reexportRun(runDir, {
    ...(opts.quantize !== undefined ? { quantize: opts.quantize } : {}),
    ...(opts.quantizeDense !== undefined ? { quantizeDense: opts.quantizeDense } : {}),
    ...(opts.budget !== undefined ? { budget: opts.budget } : {}),
  });
}
