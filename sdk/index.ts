/**
 * `ctr-distill`: the trainer SDK (Node). Configs, data and feature maps, teachers, ensemble distillation with
 * teacher gating, the whole pipeline and the experiment table, evaluation, export and scoring. Every call
 * returns typed results (the objects the CLI's `--json` prints), throws typed errors (`UserError` with the
 * CLI's message, `AbortError`), reports through `logger`/`onProgress` and stops on `signal`; none prints or exits.
 */
export { resolveConfig, type RunConfigInput } from "./api/config";
export { prepareData, trainTeachers, distill, exportStudent, type ConfigArgument, type DistillOptions, type DistillResult, type ExportStudentOptions, type ExportedRun } from "./api/train";
export {
  runPipeline,
  trainRun,
  distillRun,
  runExperiment,
  evaluateRun,
  exportRun,
  type RunPipelineOptions,
  type TrainRunOptions,
  type TrainRunResult,
  type DistillRunOptions,
  type ExperimentOptions,
  type ExperimentSummary,
  type ExportRunOptions,
} from "./api/pipeline";
export { openRun, type OpenedRun, type ScoreFileCallOptions, type ScoreFileToOptions } from "./api/open-run";
export type { ScoredBatch } from "./score/score-file";
export type { ScoreOutput } from "./score/score-output";
export type { CallOptions, TrainOptions } from "./api/options";
export { listModels } from "./models/zoo";
export { generateSynthetic, type SyntheticData, type SyntheticSplit } from "./data/synthetic";
export { UserError, DataError, AbortError } from "./errors";
export { BACKEND_ORDER, type BackendName } from "./backend";
export type { ProgressEvent, ReadProgress, StepProgress, EpochProgress, StageProgress, TrainingProgress } from "./progress-events";
export type { RunConfig, DataConfig, FeatureConfig, TeacherConfig, StudentConfig, DistillConfig, TrainingConfig, SyntheticConfig, TeacherScoresConfig, LookupConfig, EnsembleKind, DataFormat } from "./config-types";
export type { GateConfig } from "./distill/gate";
export type { PreparedData } from "./data/prepare";
export type { TeacherResult } from "./pipeline/teachers";
export type { StudentResult } from "./pipeline/students";
export type { EnsembleLogits } from "./distill/ensemble";
export type { RunReport } from "./pipeline/run";
export type { EvaluateResult } from "./pipeline/evaluate-run";
export type { SeededExperimentRow } from "./pipeline/experiment-seeds";
export type { SizeSweep, SizeSweepPoint, SizeSweepStudent, SizeSweepCapacity, PairedDifference } from "./report/types";
export type { ReexportResult } from "./export/reexport";
export type { DenseQuantize, Quantize } from "./export/quantize";
export type { Metrics } from "./train/evaluate";
export type { EpochRecord, FitResult } from "./train/fit";
export type { LoadedRun } from "./score/load-run";
export { Scorer, ScorerError, ScoreOverflowError, RowEncoder, EncodeError, validateFeatureMap, FeatureMapError, type FeatureMap, type FeatureSpec, type ScorerInfo } from "./runtime/index";
