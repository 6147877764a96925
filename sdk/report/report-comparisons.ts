import { describeComparison, describeInterval, formatDifference } from "./format-difference";
import { escapeHtml } from "./html-escape";
import type { PairedDifference, ReportRow } from "./types";

/** The gated student distilled with KD-loss stopping, without hint: the paper's headline arm. */
export function headlineStudent<R extends ReportRow>(rows: readonly R[]): R | undefined {
  return rows.find((r) => r.kind === "student" && r.ensemble === "gating" && !r.hint && r.earlyStop === "kd-loss");
}

function differenceCell(d: PairedDifference | undefined): string {
  if (d === undefined) return `<td class="num">–</td>`;
  return `<td class="num">${escapeHtml(formatDifference(d))}${d.withinNoise ? ` <span class="badge">within noise</span>` : ""}</td>`;
}

/**
 * The students' paired comparisons, or "" where the rows carry none: a line for the gated student against
 * the best teacher, then each student's test AUC minus the best teacher's and minus the no-KD student's.
 */
export function renderComparisons(rows: readonly ReportRow[]): string {
  const students = rows.filter((r) => r.vsBestTeacher !== undefined || r.vsNoKd !== undefined);
  if (students.length === 0) return "";
  const sample = (students[0]!.vsBestTeacher ?? students[0]!.vsNoKd)!;
  const how =
    sample.method === "seeds"
      ? `Student-t intervals on the per-seed differences over ${sample.samples} seeds`
      : `percentile intervals of a paired bootstrap over the test rows (${sample.samples} resamples, both models scored on the same resampled rows)`;
  const lead =
    `Test AUC of each student minus the best teacher's (by validation AUC) and minus the student's without KD, with 95% ${how}. ` +
    "Every student arm starts from the same initialisation and sees the same batch order, so the differences are not initialisation noise. " +
    "An interval that includes 0 is within noise.";
  const headline = headlineStudent(rows);
  const statement = headline?.vsBestTeacher === undefined ? "" : `<p><strong>${escapeHtml(describeComparison(headline.name, "best teacher", headline.vsBestTeacher))}</strong></p>`;
  const body = students.map((r) => `<tr><th scope="row" class="name">${escapeHtml(r.name)}</th>${differenceCell(r.vsBestTeacher)}${differenceCell(r.vsNoKd)}</tr>`).join("");
  return (
    `<p class="lead">${escapeHtml(lead)}</p>${statement}` +
    `<div class="table-wrap"><table><caption>Differences of test AUC [interval] (${escapeHtml(describeInterval(sample))}).</caption>` +
    `<thead><tr><th scope="col">student</th><th scope="col" class="num">− best teacher</th><th scope="col" class="num">− no KD</th></tr></thead>` +
    `<tbody>${body}</tbody></table></div>`
  );
}
