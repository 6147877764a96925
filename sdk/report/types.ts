import type { EpochRecord } from "../train/fit";

/** One line of the paper's experiment table (DESIGN.md `experiment --json`). */
export interface ExperimentRow {
  name: string;
  kind: "teacher" | "student";
  ensemble: null | "best" | "mean" | "weighted" | "gating";
  hint: boolean;
  earlyStop: "auc" | "kd-loss";
  auc: number;
  logloss: number;
  params: number;
  /** Multiply-adds ×2 of one row's forward pass at serving time (embedding lookups excluded). */
  flopsPerRow: number;
}

/** Everything report.html shows; inline SVG only, nothing fetched. */
export interface ExperimentReportData {
  title: string;
  createdAt: string;
  rows: ExperimentRow[];
  /** Per trained model: its epochs (train loss, validation metrics such as auc, logloss, kd). */
  curves: { name: string; history: EpochRecord[] }[];
  /** The teacher gate's weights on the validation rows, row-major [n, M]; null without a gating run. */
  gate: { teachers: string[]; perSampleValid: Float32Array } | null;
  /** Test-split predictions of selected models, for the calibration plot. */
  calibration: { name: string; labels: Float32Array; probs: Float32Array }[];
  bayes: { auc: number; logloss: number } | null;
}
