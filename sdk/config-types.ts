/** The run configuration (DESIGN.md "Run configuration"), as validated by `parseConfig` in config.ts. */

import type { GateConfig } from "./distill/gate";

export type DataFormat = "csv" | "tsv" | "libsvm" | "parquet";

/** How one raw column becomes a field of the feature map (see sdk/runtime/feature-map.ts for encodings). */
export interface FeatureConfig {
  name: string;
  /**
   * categorical: vocabulary; hashed: hash buckets; numeric: one scaled row; quantile: buckets by quantiles;
   * sequence: multi-valued categorical (items split by `separator`), pooled.
   */
  type: "categorical" | "hashed" | "numeric" | "quantile" | "sequence";
  /** categorical / log-square vocabularies keep values seen at least this often in train (default 1). */
  minCount?: number;
  /** hashed: number of buckets (required); sequence: hash the items into this many buckets instead of a vocabulary. */
  buckets?: number;
  /** numeric: "none" | "standard" | "minmax" | "log-square" (Criteo's, becomes a vocabulary). */
  transform?: "none" | "standard" | "minmax" | "log-square";
  /** quantile: number of buckets (default 10). */
  quantiles?: number;
  /** sequence: the item separator (default "|"). */
  separator?: string;
  /** sequence: items kept, the last ones (default 8). */
  maxLength?: number;
  /** sequence: "mean" (default, FuxiCTR's masked average) or "sum" of the items' embeddings. */
  pooling?: "mean" | "sum";
  /**
   * sequence: built from 0/1 flag columns instead of one column: the items are the names of the flags that
   * are set (MovieLens' 19 genre columns become one `genres` sequence). Serving sends the items themselves.
   */
  flags?: string[];
  /** Column in the file when it differs from `name` (csv/tsv header name, or 0-based index as a string). */
  column?: string;
}

/** A seeded synthetic click log with planted interactions (sdk/data/synthetic.ts). */
export interface SyntheticConfig {
  seed: number;
  rows: { train: number; valid: number; test: number };
  /** Number of categorical fields. */
  fields: number;
  /** Vocabulary size of every field. */
  vocabSize: number;
  /** Number of planted interactions (each among `order` fields). */
  interactions: number;
  /** Fields per planted interaction: 2 (pairwise, default) or more (⟨u_i ⊙ u_j ⊙ u_k, 1⟩ for 3). */
  order?: number;
  /** Label noise: each label is flipped with this probability (default 0); the reported true CTR includes it. */
  noise?: number;
  /** Zipf exponent of value popularity (0 = uniform). */
  zipf: number;
  /** Base rate of clicks (sets the bias of the click function). */
  ctr: number;
}

export interface TeacherScoresConfig {
  /** One column per teacher (its name in reports is the column's). */
  columns: string[];
  /** How the columns are written: raw logits, or click probabilities (turned into logits, clipped at 1e-7). */
  kind: "logit" | "probability";
}

export interface DataConfig {
  train?: string;
  valid?: string;
  test?: string;
  /** Fractions for train/valid/test when only `train` is given; split deterministically by `training.seed`. */
  split?: [number, number, number];
  format: DataFormat;
  delimiter: string;
  header: boolean;
  /** Label column: a header name, or a 0-based index as a string for headerless files. */
  label: string;
  /** Binarise a numeric label column: 1 when the value is >= this (e.g. MovieLens rating >= 4), else 0. */
  labelThreshold?: number;
  /** Column names for headerless csv/tsv files, in file order. */
  columns?: string[];
  features: FeatureConfig[];
  synthetic?: SyntheticConfig;
  /** Logged scores of teachers trained elsewhere: columns of the data files, distilled without running them. */
  teacherScores?: TeacherScoresConfig;
  /** Side tables joined to every row by a key (user or item profiles); their columns become feature columns. */
  lookups?: LookupConfig[];
  /**
   * Where the train split's encoded rows are kept: "memory" (the default when absent), or "disk" for data
   * larger than memory: temporary files written block by block as the file streams, read back in shuffled
   * blocks each epoch (sdk/data/block-shuffle.ts). Labels, logged scores and the valid/test splits stay in
   * memory.
   */
  cache?: "memory" | "disk";
}

/**
 * A side table (csv/tsv, held in memory: profiles, not logs) joined to the data by a key. A row whose key is
 * not in the table gets missing values for the table's columns.
 */
export interface LookupConfig {
  file: string;
  /** The table's key column. */
  key: string;
  /** The data column matched against `key` (default: the same name). */
  on: string;
  /** Column names of a headerless file, in order; without them the first line is the header. */
  columns?: string[];
  delimiter: string;
}

export interface TeacherConfig {
  model: string;
  embeddingDim?: number;
  hiddenUnits?: number[];
  [hyperparameter: string]: unknown;
}

export interface StudentConfig {
  embeddingDim: number;
  hiddenUnits: number[];
}

export type EnsembleKind = "best" | "mean" | "weighted" | "gating";

export interface DistillConfig {
  ensemble: EnsembleKind;
  /** Weight of the hard-label BCE; 1 − alpha goes to the KD term. */
  alpha: number;
  temperature: number;
  /** "soft": BCE on σ(z/T) scaled by T²; "mse": squared error between logits. */
  kdLoss: "soft" | "mse";
  hint: boolean;
  /** β of the hint term β·mean‖v_t − W·v_s‖² (used when `hint`). */
  hintWeight: number;
  earlyStop: "auc" | "kd-loss";
  /** "pretrained": teachers trained first, then frozen (default); "joint": teachers and student in one loop. */
  teacherTraining: "pretrained" | "joint";
  /** The teacher gate of `ensemble: "gating"` (sdk/distill/gate.ts). */
  gate: GateConfig;
}

export interface TrainingConfig {
  batchSize: number;
  epochs: number;
  learningRate: number;
  seed: number;
  patience: number;
  /** Adam (default) or Adagrad, for dense parameters and (lazily) for embedding rows alike. */
  optimizer: "adam" | "adagrad";
}

export interface RunConfig {
  data: DataConfig;
  teachers: TeacherConfig[];
  student: StudentConfig;
  distill: DistillConfig;
  training: TrainingConfig;
}
