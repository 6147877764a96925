import { formatCount, formatMetric } from "./format";
import { escapeHtml } from "./html-escape";
import type { ExperimentReportData, ExperimentRow } from "./types";

const ENSEMBLE_LABEL: Record<NonNullable<ExperimentRow["ensemble"]>, string> = {
  best: "best teacher",
  mean: "mean",
  weighted: "learned weights",
  gating: "gating",
};

const DASH = "–";

/** Indices of the rows with the highest finite AUC (all of them on a tie). */
export function bestAucRows(rows: readonly ExperimentRow[]): Set<number> {
  const finite = rows.map((r) => r.auc).filter(Number.isFinite);
  if (finite.length === 0) return new Set();
  const best = Math.max(...finite);
  return new Set(rows.flatMap((r, i) => (r.auc === best ? [i] : [])));
}

function cell(text: string, className?: string): string {
  return `<td${className ? ` class="${className}"` : ""}>${text}</td>`;
}

/** The paper's table as HTML: every teacher and student on the test split, best AUC highlighted, Bayes bound last. */
export function renderExperimentTable(rows: readonly ExperimentRow[], bayes: ExperimentReportData["bayes"]): string {
  const best = bestAucRows(rows);
  const head =
    "<thead><tr>" +
    ["model", "kind", "ensemble", "hint", "early stop"].map((h) => `<th scope="col">${h}</th>`).join("") +
    ["test AUC", "test logloss", "params", "FLOPs/row"].map((h) => `<th scope="col" class="num">${h}</th>`).join("") +
    "</tr></thead>";
  const body = rows.map((r, i) => {
    const isBest = best.has(i);
    const auc = formatMetric(r.auc) + (isBest ? `<span class="badge">best</span>` : "");
    return (
      `<tr${isBest ? ` class="best"` : ""}>` +
      `<th scope="row" class="name">${escapeHtml(r.name)}</th>` +
      cell(escapeHtml(r.kind)) +
      cell(r.ensemble === null ? DASH : escapeHtml(ENSEMBLE_LABEL[r.ensemble] ?? String(r.ensemble))) +
      cell(r.kind === "teacher" ? DASH : r.hint ? "yes" : "no") +
      cell(r.kind === "teacher" ? DASH : escapeHtml(r.earlyStop === "kd-loss" ? "KD loss" : r.earlyStop === "auc" ? "AUC" : String(r.earlyStop))) +
      cell(auc, "num auc") +
      cell(formatMetric(r.logloss), "num") +
      cell(formatCount(r.params), "num") +
      cell(formatCount(r.flopsPerRow), "num") +
      "</tr>"
    );
  });
  if (rows.length === 0) body.push(`<tr><td colspan="9" class="note">no models</td></tr>`);
  if (bayes !== null)
    body.push(
      `<tr class="bound"><th scope="row" class="name">Bayes-optimal (true CTR)</th>` +
        cell("bound") + cell(DASH) + cell(DASH) + cell(DASH) +
        cell(formatMetric(bayes.auc), "num auc") + cell(formatMetric(bayes.logloss), "num") + cell(DASH, "num") + cell(DASH, "num") +
        "</tr>",
    );
  const caption =
    "<caption>AUC and logloss on the test split; the best model AUC is highlighted. FLOPs/row: multiply-adds × 2 of one row's forward pass at serving time, embedding lookups excluded." +
    (bayes !== null ? " The Bayes-optimal row scores the true click probabilities of the synthetic data: no model can beat it." : "") +
    "</caption>";
  return `<div class="table-wrap"><table>${caption}${head}<tbody>${body.join("")}</tbody></table></div>`;
}
