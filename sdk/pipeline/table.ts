import { describeComparison, describeInterval, formatDifference } from "../report/format-difference";
import { headlineStudent } from "../report/report-comparisons";
import { describeCapacity } from "../report/report-size-sweep";
import type { PairedDifference, ReportRow, SizeSweep } from "../report/types";
import type { RunReport } from "./run";

/** Right-aligned numeric columns, left-aligned first column. */
function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
}

/** The run's results as a plain-text table: every model on the test split, beside the Bayes-optimal bound. */
export function formatRunTable(report: RunReport): string {
  const rows: string[][] = [["model", "kind", "test AUC", "test logloss", "params"]];
  for (const t of report.teachers) rows.push([t.model, "teacher", t.auc.toFixed(4), t.logloss.toFixed(4), t.params.toLocaleString("en-US")]);
  for (const s of report.students) rows.push([s.name, "student", s.auc.toFixed(4), s.logloss.toFixed(4), s.params.toLocaleString("en-US")]);
  if (report.bayes !== null) rows.push(["Bayes-optimal (true CTR)", "bound", report.bayes.auc.toFixed(4), report.bayes.logloss.toFixed(4), "-"]);
  const lines = [pad(rows), ""];
  lines.push(`WASM scorer vs tfjs student: ${report.wasm.rows} test rows, max |Δ| = ${report.wasm.maxAbsDiff.toExponential(2)} (student.wasm ${report.wasm.bytes.toLocaleString("en-US")} bytes)`);
  if (report.http !== null)
    lines.push(`worker (wrangler dev, 127.0.0.1): POST /v1/score ${report.http.rows} rows → HTTP ${report.http.status}, max |Δ| vs Node = ${report.http.maxAbsDiff.toExponential(2)}`);
  lines.push(`backend ${report.backend}; artifact ${report.artifact} (model ${report.modelId.slice(0, 16)}…); ${report.seconds.toFixed(1)} s`);
  return lines.join("\n");
}

/** A comparison cell: the difference and its interval, "≈" where the interval includes 0; blank where none. */
function differenceCell(d: PairedDifference | undefined): string {
  return d === undefined ? "" : `${formatDifference(d)}${d.withinNoise ? " ≈" : "  "}`;
}

/**
 * The paper's table: every teacher and student on the validation and test splits, with params and serving
 * FLOPs; `*` marks the best by validation AUC, whose run directory the last line names. Where the rows carry
 * paired comparisons, two more columns give each student's test AUC minus the best teacher's and minus the
 * no-KD student's with their 95% intervals, and a line states the gated student's against the best teacher.
 */
export function formatExperimentTable(rows: ReportRow[], bayes: { auc: number; logloss: number } | null): string {
  const spread = (mean: number, std: number | undefined, seeds: number | undefined) => (seeds !== undefined && seeds > 1 && std !== undefined ? `${mean.toFixed(4)} ± ${std.toFixed(4)}` : mean.toFixed(4));
  const compared = rows.some((r) => r.vsBestTeacher !== undefined || r.vsNoKd !== undefined);
  const extra = (r: ReportRow | null) => (compared ? (r === null ? ["-", "-"] : [differenceCell(r.vsBestTeacher), differenceCell(r.vsNoKd)]) : []);
  const cells: string[][] = [["  model", "kind", "valid AUC", "test AUC", "test logloss", "params", "FLOPs/row", ...(compared ? ["− best teacher", "− no KD"] : [])]];
  for (const r of rows)
    cells.push([`${r.best ? "* " : "  "}${r.name}`, r.kind, spread(r.validAuc, r.validAucStd, r.seeds), spread(r.auc, r.aucStd, r.seeds), spread(r.logloss, r.loglossStd, r.seeds), r.params.toLocaleString("en-US"), r.flopsPerRow.toLocaleString("en-US"), ...extra(r)]);
  if (bayes !== null) cells.push(["  Bayes-optimal (true CTR)", "bound", "-", bayes.auc.toFixed(4), bayes.logloss.toFixed(4), "-", "-", ...extra(null)]);
  const notes: string[] = [];
  if (compared) {
    const sample = rows.find((r) => r.vsBestTeacher ?? r.vsNoKd)!;
    notes.push(`− best teacher, − no KD: test AUC difference [${describeInterval((sample.vsBestTeacher ?? sample.vsNoKd)!)}]; ≈: the interval includes 0 (within noise)`);
    const headline = headlineStudent(rows);
    if (headline?.vsBestTeacher !== undefined) notes.push(describeComparison(headline.name, "best teacher", headline.vsBestTeacher));
  }
  const best = rows.find((r) => r.best);
  if (best !== undefined) notes.push(`* best by validation AUC${best.dir === null ? "" : `; its run directory: ${best.dir}`}`);
  return [pad(cells), ...notes].join("\n");
}

/**
 * The size sweep as a plain-text table: per budget, the capacity the budget chose, the predicted gzip bound and
 * both students' actual gzip sizes, their test AUC and logloss, and the KD student's AUC minus the label-only one's
 * with its 95% interval; an unreachable budget says the least reachable one. Then the reference lines of the plot.
 */
export function formatSizeSweepTable(sweep: SizeSweep): string {
  const metric = (v: number, std: number | undefined) => (sweep.seeds > 1 && std !== undefined ? `${v.toFixed(4)} ± ${std.toFixed(4)}` : v.toFixed(4));
  const bytes = (v: number) => Math.round(v).toLocaleString("en-US");
  const cells: string[][] = [["budget (gzip B)", "capacity", "predicted ≤", "gzip KD / no KD", "AUC KD", "AUC no KD", "KD − no KD", "logloss KD", "logloss no KD"]];
  const notes: string[] = [];
  for (const p of sweep.points) {
    if (!p.reachable) {
      cells.push([bytes(p.budgetBytes), "unreachable", `≥ ${bytes(p.smallestGzipBytes)}`, "-", "-", "-", "-", "-", "-"]);
      notes.push(`${bytes(p.budgetBytes)} B: ${p.reason}`);
      continue;
    }
    cells.push([
      bytes(p.budgetBytes),
      describeCapacity(p.capacity),
      bytes(p.predicted.gzipBytesAtMost),
      `${bytes(p.kd.gzipBytes)} / ${bytes(p.noKd.gzipBytes)}`,
      metric(p.kd.auc, p.kd.aucStd),
      metric(p.noKd.auc, p.noKd.aucStd),
      p.kd.vsNoKd === undefined ? "" : differenceCell(p.kd.vsNoKd).trimEnd(),
      metric(p.kd.logloss, p.kd.loglossStd),
      metric(p.noKd.logloss, p.noKd.loglossStd),
    ]);
  }
  const u = sweep.uncompressed;
  const over = sweep.seeds > 1 ? `, means over ${sweep.seeds} seeds` : "";
  return [
    `size sweep: KD from the ${sweep.ensemble} ensemble and label-only, each student fitted to the budget${over}`,
    pad(cells),
    ...notes,
    `uncompressed KD student (${u.name}): test AUC ${metric(u.auc, u.aucStd)}, logloss ${metric(u.logloss, u.loglossStd)}, student.wasm ${bytes(u.gzipBytes)} bytes gzip, whole embedding (${bytes(sweep.fullEmbeddingRows)} rows), f32`,
    `teachers' test AUC: ${sweep.teachers.map((t) => `${t.name} ${t.auc.toFixed(4)}`).join(", ")}`,
  ].join("\n");
}
