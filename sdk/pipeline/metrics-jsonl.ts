import { writeFile } from "node:fs/promises";
import type { ExperimentReportData } from "../report/types";

/** Per-epoch metrics of every model of a run or experiment, one JSON object a line. */
export const METRICS_FILE = "metrics.jsonl";

/** One line per model epoch: model, epoch, train loss, validation metrics, learning rate, rows/s, seconds. */
export function metricsLines(curves: ExperimentReportData["curves"]): string {
  const lines = curves.flatMap((c) =>
    c.history.map((e) => JSON.stringify({ model: c.name, epoch: e.epoch, trainLoss: e.trainLoss, valid: e.metrics, learningRate: e.learningRate, rowsPerSecond: e.rowsPerSecond, seconds: e.seconds })),
  );
  return lines.map((l) => l + "\n").join("");
}

export async function writeMetricsJsonl(path: string, curves: ExperimentReportData["curves"]): Promise<void> {
  await writeFile(path, metricsLines(curves));
}
