import type { EnsembleKind, RunConfig } from "../config-types";
import type { Quantize } from "../export/quantize";
import type { CompactEmbeddingSpec } from "../runtime/embedding-remap";
import type { EpochRecord } from "../train/fit";

/** One line of the paper's experiment table (DESIGN.md `experiment --json`, extended). */
export interface ExperimentRow {
  name: string;
  kind: "teacher" | "student";
  ensemble: null | "best" | "mean" | "weighted" | "gating";
  hint: boolean;
  earlyStop: "auc" | "kd-loss";
  /** Test split. */
  auc: number;
  logloss: number;
  /** Validation split: what the best row is chosen by, so that the test split stays a fair estimate. */
  validAuc: number;
  validLogloss: number;
  params: number;
  /** Multiply-adds ×2 of one row's forward pass at serving time (embedding lookups excluded). */
  flopsPerRow: number;
  /** A student's run directory (what `score`, `serve`, `export` and `deploy` take); null where none was kept (teachers, `run`'s student without KD). */
  dir: string | null;
  /** The row with the highest validation AUC (one row per table; see bestByValidation). */
  best: boolean;
  /** An experiment's students: test AUC minus that of the teacher with the highest validation AUC. */
  vsBestTeacher?: PairedDifference;
  /** An experiment's distilled students: test AUC minus that of the student without KD. */
  vsNoKd?: PairedDifference;
}

/**
 * A student's test AUC minus a baseline's, paired so that what both share cancels: over the same test rows
 * (one seed) or the same seeds (every arm of a seed has the same initialisation and batch order).
 */
export interface PairedDifference {
  /** The baseline row's name; where seeds pick different best teachers, their names joined with " / ". */
  baseline: string;
  /** Test AUC of this row minus the baseline's: on the test split (one seed), or the mean over seeds. */
  diff: number;
  /** The 95% confidence interval of `diff`. */
  low: number;
  high: number;
  /**
   * "bootstrap": percentile interval of a paired bootstrap over the test rows (one seed);
   * "seeds": Student-t interval on the per-seed differences (two or more seeds).
   */
  method: "bootstrap" | "seeds";
  /** Bootstrap resamples, or seeds, the interval rests on. */
  samples: number;
  /** The interval includes 0: the difference is within noise. */
  withinNoise: boolean;
}

/** A row averaged over seeds: the means in ExperimentRow's fields, their sample standard deviations here. */
export interface SeededExperimentRow extends ExperimentRow {
  seeds: number;
  aucStd: number;
  loglossStd: number;
  validAucStd: number;
  validLoglossStd: number;
  /** Each seed's run directory of this student, in seed order (`dir` is the first's); empty for teachers. */
  dirs: string[];
}

/** A row of a report: one run's, or averaged over seeds (with the spread fields). */
export type ReportRow = ExperimentRow & Partial<Omit<SeededExperimentRow, keyof ExperimentRow>>;

/** One student of the size sweep: its test metrics and the size of its student.wasm. */
export interface SizeSweepStudent {
  name: string;
  /** Test split (over seeds: the means, with the standard deviations beside). */
  auc: number;
  logloss: number;
  aucStd?: number;
  loglossStd?: number;
  params: number;
  wasmBytes: number;
  /** student.wasm's gzip size, as model.json records it (over seeds: the mean). */
  gzipBytes: number;
  /** Its run directory (over seeds: the first seed's). */
  dir: string | null;
}

/** What the budget chose: the student's embedding and its storage. */
export interface SizeSweepCapacity {
  /** `student.embedding` as sized: its kind, and the keep (prune) or buckets (hash) that fit. */
  embedding: CompactEmbeddingSpec;
  /** Rows of the student's embedding table (SizeSweep.fullEmbeddingRows uncompressed). */
  embeddingRows: number;
  quantize: Quantize;
}

/** One budget of the sweep: both students fitted to it, or why none fits. */
export type SizeSweepPoint =
  | {
      /** The gzip size student.wasm must fit. */
      budgetBytes: number;
      reachable: true;
      /** The size formula's prediction: student.wasm exactly, its gzip at most. */
      predicted: { wasmBytes: number; gzipBytesAtMost: number };
      capacity: SizeSweepCapacity;
      /** Distilled from SizeSweep.ensemble, as the table's main arm: test AUC against the label-only student's and the uncompressed KD student's. */
      kd: SizeSweepStudent & { vsNoKd?: PairedDifference; vsUncompressed?: PairedDifference };
      /** Trained on labels alone, as the table's student without KD. */
      noKd: SizeSweepStudent;
    }
  | {
      budgetBytes: number;
      reachable: false;
      /** The gzip bound of the smallest student (keep or buckets 1): the least budget that is reachable. */
      smallestGzipBytes: number;
      reason: string;
    };

/**
 * `experiment --size-sweep`: the size trade-off. At each budget a KD student (from the table's gated
 * ensemble, as its main arm) and a label-only student, both fitted to it, with the arms' common random numbers.
 */
export interface SizeSweep {
  ensemble: EnsembleKind;
  /** In ascending budget. */
  points: SizeSweepPoint[];
  /** The KD student with the feature map's whole embedding, f32: the size the sweep compresses from. */
  uncompressed: SizeSweepStudent;
  /** Rows of the whole embedding (the feature map's). */
  fullEmbeddingRows: number;
  /** Each teacher's test metrics: the plot's reference lines. */
  teachers: { name: string; auc: number; logloss: number }[];
  /** Seeds the numbers are means over (1: one run's). */
  seeds: number;
}

/** A split's size and click rate. */
export interface SplitSummary {
  rows: number;
  positiveRate: number;
}

/** What a reader needs to reproduce or judge the table: data, config, splits, seeds, backend, wall time. */
export interface ReportMeta {
  /** The configured files, or "synthetic" (its generator settings are in `config.data.synthetic`). */
  data: "synthetic" | { train: string; valid: string | null; test: string | null; split: [number, number, number] | null };
  /** Of the first seed when there are several (a `split` config draws its rows by seed). */
  splits: { train: SplitSummary; valid: SplitSummary; test: SplitSummary };
  /** training.seed of each run the rows come from. */
  seeds: number[];
  /** The tfjs backend the models trained on. */
  backend: string;
  /** Wall time in seconds. */
  seconds: number;
  /** The validated configuration (the first seed's when there are several). */
  config: RunConfig;
}

/** Everything report.html shows; inline SVG only, nothing fetched. */
export interface ExperimentReportData {
  title: string;
  createdAt: string;
  /** The command that wrote the report. */
  command: "experiment" | "run";
  meta: ReportMeta;
  rows: ReportRow[];
  /** Per trained model: its epochs (train loss, validation metrics such as auc, logloss, kd). */
  curves: { name: string; history: EpochRecord[] }[];
  /** The teacher gate's weights on the validation rows, row-major [n, M]; null without a gating run. */
  gate: { teachers: string[]; perSampleValid: Float32Array } | null;
  /** Test-split predictions of selected models, for the calibration plot. */
  calibration: { name: string; labels: Float32Array; probs: Float32Array }[];
  bayes: { auc: number; logloss: number } | null;
  /** `experiment --size-sweep`: test AUC against student.wasm's gzip size, KD and label-only. */
  sizeSweep?: SizeSweep;
  /** A combined report over seeds: links to each seed's own report (its curves, gate and calibration). */
  seedReports?: { seed: number; href: string }[];
}
