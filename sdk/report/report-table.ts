import { formatCount, formatMetric } from "./format";
import { escapeHtml } from "./html-escape";
import type { ExperimentReportData, ExperimentRow, ReportRow } from "./types";

const ENSEMBLE_LABEL: Record<NonNullable<ExperimentRow["ensemble"]>, string> = {
  best: "best teacher",
  mean: "mean",
  weighted: "learned weights",
  gating: "gating",
};

const DASH = "–";

function cell(text: string, className?: string): string {
  return `<td${className ? ` class="${className}"` : ""}>${text}</td>`;
}

/** A metric, with "± std" when the row is a mean over several seeds. */
function withSpread(mean: number, std: number | undefined, seeds: number | undefined): string {
  return seeds !== undefined && seeds > 1 && std !== undefined ? `${formatMetric(mean)} ± ${formatMetric(std)}` : formatMetric(mean);
}

/**
 * The paper's table as HTML: every teacher and student on the validation and test splits, the best row by
 * validation AUC highlighted, mean ± std over seeds where the rows are averaged, Bayes bound last.
 */
export function renderExperimentTable(rows: readonly ReportRow[], bayes: ExperimentReportData["bayes"]): string {
  const seeds = Math.max(1, ...rows.map((r) => r.seeds ?? 1));
  const head =
    "<thead><tr>" +
    ["model", "kind", "ensemble", "hint", "early stop"].map((h) => `<th scope="col">${h}</th>`).join("") +
    ["valid AUC", "valid logloss", "test AUC", "test logloss", "params", "FLOPs/row"].map((h) => `<th scope="col" class="num">${h}</th>`).join("") +
    "</tr></thead>";
  const body = rows.map((r) => {
    const validAuc = withSpread(r.validAuc, r.validAucStd, r.seeds) + (r.best ? `<span class="badge">best</span>` : "");
    return (
      `<tr${r.best ? ` class="best"` : ""}>` +
      `<th scope="row" class="name">${escapeHtml(r.name)}</th>` +
      cell(escapeHtml(r.kind)) +
      cell(r.ensemble === null ? DASH : escapeHtml(ENSEMBLE_LABEL[r.ensemble] ?? String(r.ensemble))) +
      cell(r.kind === "teacher" ? DASH : r.hint ? "yes" : "no") +
      cell(r.kind === "teacher" ? DASH : escapeHtml(r.earlyStop === "kd-loss" ? "KD loss" : r.earlyStop === "auc" ? "AUC" : String(r.earlyStop))) +
      cell(validAuc, "num auc") +
      cell(withSpread(r.validLogloss, r.validLoglossStd, r.seeds), "num") +
      cell(withSpread(r.auc, r.aucStd, r.seeds), "num") +
      cell(withSpread(r.logloss, r.loglossStd, r.seeds), "num") +
      cell(formatCount(r.params), "num") +
      cell(formatCount(r.flopsPerRow), "num") +
      "</tr>"
    );
  });
  if (rows.length === 0) body.push(`<tr><td colspan="11" class="note">no models</td></tr>`);
  if (bayes !== null)
    body.push(
      `<tr class="bound"><th scope="row" class="name">Bayes-optimal (true CTR)</th>` +
        cell("bound") + cell(DASH) + cell(DASH) + cell(DASH) + cell(DASH, "num") + cell(DASH, "num") +
        cell(formatMetric(bayes.auc), "num") + cell(formatMetric(bayes.logloss), "num") + cell(DASH, "num") + cell(DASH, "num") +
        "</tr>",
    );
  const caption =
    "<caption>AUC and logloss on the validation and test splits" +
    (seeds > 1 ? `, mean ± sample standard deviation over ${seeds} seeds` : "") +
    ". The best model is chosen by validation AUC (the test split plays no part in the choice) and highlighted. " +
    "FLOPs/row: multiply-adds × 2 of one row's forward pass at serving time, embedding lookups excluded." +
    (bayes !== null ? " The Bayes-optimal row scores the true click probabilities of the synthetic test split: no model can beat it." : "") +
    "</caption>";
  return `<div class="table-wrap"><table>${caption}${head}<tbody>${body.join("")}</tbody></table></div>` + runDirectories(rows);
}

/** Where the students were kept: the run directories `score`, `serve`, `export` and `deploy` take. */
function runDirectories(rows: readonly ReportRow[]): string {
  const kept = rows.filter((r) => r.dir !== null);
  if (kept.length === 0) return "";
  const items = kept.map((r) => {
    const dirs = r.dirs !== undefined && r.dirs.length > 1 ? r.dirs : [r.dir!];
    const paths = dirs.map((d) => `<code>${escapeHtml(d)}</code>`).join(", ");
    return `<li>${r.best ? "<strong>" : ""}${escapeHtml(r.name)}${r.best ? "</strong> (best)" : ""}: ${paths}</li>`;
  });
  const example = kept.find((r) => r.best) ?? kept[0]!;
  return (
    `<p class="note">Run directories of the students (each serves with <code>ctr-distill serve --model ${escapeHtml(example.dir!)}</code>, ` +
    `and takes <code>score</code>, <code>export</code> and <code>deploy</code> alike):</p><ul class="run-dirs">${items.join("")}</ul>`
  );
}
