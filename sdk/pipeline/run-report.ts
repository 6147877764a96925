import { join } from "node:path";
import type { RunConfig } from "../config-types";
import type { PreparedData } from "../data/prepare";
import type { EnsembleLogits } from "../distill/ensemble";
import { markBest } from "../report/best-row";
import { writeReport } from "../report/report-html";
import type { ExperimentReportData } from "../report/types";
import { probabilities } from "../train/evaluate";
import { METRICS_FILE, writeMetricsJsonl } from "./metrics-jsonl";
import { reportMeta, studentRow, teacherRow } from "./report-rows";
import type { StudentResult } from "./students";
import type { TeacherResult } from "./teachers";

export interface RunReportInputs {
  config: RunConfig;
  data: PreparedData;
  teachers: TeacherResult[];
  /** The student without KD (not kept: the run's artifact is the distilled one). */
  plain: StudentResult;
  student: StudentResult;
  ensemble: EnsembleLogits;
  /** The folder written into. */
  dir: string;
  /** Where that folder ends up (the distilled student's run directory, as the table names it). */
  runDir: string;
  seconds: number;
}

/** `run`'s report.html (every model's row and training curves) and metrics.jsonl (one line per model epoch). */
export async function writeRunReport(r: RunReportInputs): Promise<void> {
  const { config, data, teachers, plain, student } = r;
  const rows = markBest([
    ...teachers.map(teacherRow),
    studentRow(plain, data, { ensemble: null, hint: false, earlyStop: "auc" }, null),
    studentRow(student, data, { ensemble: student.ensemble, hint: config.distill.hint, earlyStop: config.distill.earlyStop }, r.runDir),
  ]);
  // Teachers loaded from a checkpoint (`distill`) carry no history; logged ones were never trained here.
  const curves: ExperimentReportData["curves"] = [
    ...teachers.flatMap((t) => (t.trained === null ? [] : [{ name: t.name, history: t.trained.fit.history }])),
    { name: plain.name, history: plain.fit.history },
    { name: student.name, history: student.fit.history },
  ].filter((c) => c.history.length > 0);
  const best = teachers.reduce((a, b) => (b.valid.auc > a.valid.auc ? b : a));
  const labels = data.test.labels;
  await writeReport(join(r.dir, "report.html"), {
    title: `ctr-distill run: ${teachers.map((t) => t.name).join(", ")} → ${student.name}`,
    createdAt: new Date().toISOString(),
    command: "run",
    meta: reportMeta(config, data, r.seconds),
    rows,
    curves,
    gate: r.ensemble.perSampleValid === undefined ? null : { teachers: teachers.map((t) => t.name), perSampleValid: r.ensemble.perSampleValid },
    calibration: [
      { name: best.name, labels, probs: probabilities(best.logits.test) },
      { name: plain.name, labels, probs: probabilities(plain.testLogits) },
      { name: student.name, labels, probs: probabilities(student.testLogits) },
    ],
    bayes: data.bayes ?? null,
  });
  await writeMetricsJsonl(join(r.dir, METRICS_FILE), curves);
}
