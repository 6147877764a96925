/** Structured progress, as `onProgress` receives it: the same facts the CLI's progress lines show. */

/** A chunk of a data file was read (about twice a second). */
export interface ReadProgress {
  type: "read";
  /** Which split or table: "train", "valid", "test", "score" … */
  label: string;
  file: string;
  rows: number;
  /** Share of the bytes of all its files consumed (text formats; for Parquet, its finished files); null when unknown. */
  fraction: number | null;
  rowsPerSecond: number;
  etaSeconds: number | null;
}

/** Training steps of an epoch (about twice a second). */
export interface StepProgress {
  type: "step";
  /** The model being trained: a teacher's name, "student (KD, gating)", "gate" … */
  model: string;
  epoch: number;
  /** The epoch cap (training may stop earlier). */
  epochs: number;
  step: number;
  rows: number;
  totalRows: number;
  rowsPerSecond: number;
  etaSeconds: number;
  /** Mean training loss of the epoch so far. */
  loss: number;
}

/** One epoch of one model finished and was validated. */
export interface EpochProgress {
  type: "epoch";
  model: string;
  epoch: number;
  epochs: number;
  trainLoss: number;
  /** The validation metrics of the monitor (auc, logloss, kd …). */
  metrics: Record<string, number>;
  learningRate: number;
  rowsPerSecond: number;
  seconds: number;
  /** The monitor improved: these weights are the best so far. */
  improved: boolean;
}

/** A stage of the pipeline began. */
export interface StageProgress {
  type: "stage";
  stage: "data" | "teachers" | "students" | "export" | "checks";
  message: string;
}

/** A command that trains several models in turn (`experiment`) began its `index`-th of `total` trainings. */
export interface TrainingProgress {
  type: "training";
  /** 1-based. */
  index: number;
  total: number;
  model: string;
  /** Time left for all remaining trainings, from the mean time of those finished; null before the first ends. */
  etaSeconds: number | null;
}

export type ProgressEvent = ReadProgress | StepProgress | EpochProgress | StageProgress | TrainingProgress;
