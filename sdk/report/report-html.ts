import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { calibrationBins, type CalibrationOptions, type CalibrationSummary } from "./calibration-bins";
import { formatCount, formatMetric } from "./format";
import { escapeHtml } from "./html-escape";
import { seriesColor } from "./palette";
import { REPORT_CSS } from "./report-style";
import { renderMeta } from "./report-meta";
import { renderComparisons } from "./report-comparisons";
import { renderSizeSweepChart, renderSizeSweepTable, sizeSweepColors, sizeSweepLead } from "./report-size-sweep";
import { renderExperimentTable } from "./report-table";
import { renderCalibrationChart, type CalibrationSeries } from "./svg-calibration";
import { renderHistograms } from "./svg-histogram";
import { renderLineChart, type LineSeries } from "./svg-line-chart";
import type { ExperimentReportData } from "./types";

export interface ReportOptions {
  /** Bins of the reliability diagram and of the ECE (default: 10 equal-count bins; CTRs crowd near 0). */
  calibration?: CalibrationOptions;
  /** Bins of the gate-weight histograms on [0, 1] (default 20). */
  gateBins?: number;
}

/** Validation metrics in the order their charts appear, with their axis names; others follow, by name. */
const KNOWN_METRICS: readonly { key: string; label: string }[] = [
  { key: "auc", label: "valid AUC" },
  { key: "logloss", label: "valid logloss" },
  { key: "kd", label: "valid KD loss" },
  { key: "kl", label: "valid KL (joint training)" },
];

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "x";
}

/** One colour per model name, the same in every chart: table order first, then curves, calibration, gate. */
function modelColors(data: ExperimentReportData): Map<string, string> {
  const colors = new Map<string, string>();
  const names = [...data.rows.map((r) => r.name), ...data.curves.map((c) => c.name), ...data.calibration.map((c) => c.name), ...(data.gate?.teachers ?? [])];
  for (const name of names) if (!colors.has(name)) colors.set(name, seriesColor(colors.size));
  return colors;
}

function section(id: string, heading: string, lead: string, body: string): string {
  return `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${escapeHtml(heading)}</h2>${lead ? `<p class="lead">${lead}</p>` : ""}${body}</section>`;
}

function note(text: string): string {
  return `<p class="note">${escapeHtml(text)}</p>`;
}

function curvesSection(data: ExperimentReportData, colors: Map<string, string>): string {
  const lead = "One chart per metric, one line per model, by epoch. Dashed lines: teachers; solid: students.";
  if (data.curves.length === 0) return section("curves", "Training curves", "", note("No training curves were recorded."));
  const teachers = new Set(data.rows.filter((r) => r.kind === "teacher").map((r) => r.name));
  type Curve = ExperimentReportData["curves"][number];
  const series = (value: (e: Curve["history"][number]) => number | undefined, keep: (c: Curve) => boolean = () => true): LineSeries[] =>
    data.curves.filter(keep).map((c) => ({
      name: c.name,
      color: colors.get(c.name)!,
      dashed: teachers.has(c.name),
      points: c.history.flatMap((e) => {
        const y = value(e);
        return y === undefined ? [] : [{ x: e.epoch, y }];
      }),
    }));
  const present = new Set(data.curves.flatMap((c) => c.history.flatMap((e) => Object.keys(e.metrics ?? {}))));
  const metrics = [
    ...KNOWN_METRICS.filter((m) => present.has(m.key)),
    ...[...present].filter((k) => !KNOWN_METRICS.some((m) => m.key === k)).sort().map((key) => ({ key, label: `valid ${key}` })),
  ];
  const charts = [renderLineChart({ id: "chart-train-loss", title: "Train loss", xLabel: "epoch", yLabel: "train loss", integerX: true, series: series((e) => e.trainLoss) })];
  metrics.forEach((m, i) =>
    charts.push(
      renderLineChart({
        id: `chart-metric-${i}-${slug(m.key)}`,
        title: m.label.replace(/^valid/, "Validation"),
        xLabel: "epoch",
        yLabel: m.label,
        integerX: true,
        // only the models that report this metric (the KD loss exists for distilled students only)
        series: series((e) => e.metrics?.[m.key], (c) => c.history.some((e) => e.metrics !== undefined && m.key in e.metrics)),
      }),
    ),
  );
  return section("curves", "Training curves", escapeHtml(lead), `<div class="charts">${charts.join("")}</div>`);
}

function gateSection(data: ExperimentReportData, colors: Map<string, string>, bins: number): string {
  const heading = "Gate weights per teacher";
  const gate = data.gate;
  if (gate === null) return section("gate", heading, "", note("No gating ensemble in this experiment: no gate weights to show."));
  const m = gate.teachers.length;
  const values = gate.perSampleValid;
  if (m === 0) return section("gate", heading, "", note("The gate has no teachers."));
  if (values.length % m !== 0)
    return section("gate", heading, "", note(`Gate weights not shown: 'gate.perSampleValid' has ${values.length} values, not a multiple of the ${m} teachers.`));
  const n = values.length / m;
  const panels = gate.teachers.map((name, t) => {
    const column = new Float64Array(n);
    for (let i = 0; i < n; i++) column[i] = values[i * m + t]!;
    return { label: name, values: column, color: colors.get(name)! };
  });
  const lead = `How much weight the gate gives each teacher on the ${formatCount(n)} validation rows (row-wise weights sum to 1); the dashed line marks the mean. A teacher the gate relies on everywhere piles up near 1; one it ignores, near 0.`;
  return section("gate", heading, escapeHtml(lead), renderHistograms({ id: "chart-gate", title: "Distribution of gate weights", xLabel: "gate weight", panels, bins }));
}

function calibrationTable(series: readonly CalibrationSeries[]): string {
  const rows = series.map((s) => {
    const m = s.summary;
    const ratio = m.observedRate > 0 ? formatMetric(m.meanPredicted / m.observedRate, 3) : "n/a";
    return (
      `<tr><th scope="row" class="name">${escapeHtml(s.name)}</th><td class="num">${formatCount(m.n)}</td>` +
      `<td class="num">${formatMetric(m.meanPredicted)}</td><td class="num">${formatMetric(m.observedRate)}</td><td class="num">${ratio}</td><td class="num">${formatMetric(m.ece)}</td></tr>`
    );
  });
  return (
    `<div class="table-wrap"><table><caption>ECE: expected calibration error, Σ over bins of (rows in bin / rows) × |observed − predicted|, on the diagram's bins. ` +
    `pred. / obs.: mean predicted CTR over observed CTR (1 = calibrated on average).</caption>` +
    `<thead><tr><th scope="col">model</th><th scope="col" class="num">rows</th><th scope="col" class="num">mean pred.</th><th scope="col" class="num">observed CTR</th><th scope="col" class="num">pred. / obs.</th><th scope="col" class="num">ECE</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table></div>`
  );
}

function calibrationSection(data: ExperimentReportData, colors: Map<string, string>, options: CalibrationOptions): string {
  const heading = "Calibration on the test split";
  if (data.calibration.length === 0) return section("calibration", heading, "", note("No test predictions were kept for a calibration plot."));
  const notes: string[] = [];
  const series: CalibrationSeries[] = [];
  for (const c of data.calibration) {
    if (c.labels.length !== c.probs.length) {
      notes.push(`${c.name}: not shown, ${c.labels.length} labels but ${c.probs.length} predictions.`);
      continue;
    }
    const summary: CalibrationSummary = calibrationBins(c.labels, c.probs, options);
    if (summary.skipped > 0) notes.push(`${c.name}: ${formatCount(summary.skipped)} rows with a non-finite prediction or label left out.`);
    series.push({ name: c.name, summary, color: colors.get(c.name)! });
  }
  const bins = options.bins ?? 10;
  const kind = (options.binning ?? "quantile") === "quantile" ? "equal-count" : "equal-width";
  const lead = `Predicted probabilities in ${bins} ${kind} bins; each point is a bin's mean prediction against its observed click rate. Points on the diagonal are calibrated; below it, the model over-predicts.`;
  const chart = renderCalibrationChart({ id: "chart-calibration", title: "Reliability diagram", series });
  return section("calibration", heading, escapeHtml(lead), `<div class="calibration">${chart}<div>${calibrationTable(series)}${notes.map(note).join("")}</div></div>`);
}

/** `experiment --size-sweep`: test AUC against student.wasm's gzip size, KD and label-only, with the teachers' and the uncompressed KD student's lines. */
function sizeSweepSection(data: ExperimentReportData, colors: Map<string, string>): string {
  const sweep = data.sizeSweep!;
  const noKdRow = data.rows.find((r) => r.kind === "student" && r.ensemble === null)?.name;
  const chart = renderSizeSweepChart(sweep, sizeSweepColors(sweep, colors, noKdRow));
  const unreachable = sweep.points.filter((p) => !p.reachable).length;
  const notes = unreachable === 0 ? "" : note(`${unreachable} budget${unreachable === 1 ? " is" : "s are"} unreachable: no student of this shape fits ${unreachable === 1 ? "it" : "them"} (see the table); nothing was trained for ${unreachable === 1 ? "it" : "them"}.`);
  return section("size-sweep", "Size trade-off", escapeHtml(sizeSweepLead(sweep)), `${chart}${notes}${renderSizeSweepTable(sweep)}`);
}

/** A combined report's last section: each seed's own report, which holds its curves, gate and calibration. */
function seedsSection(links: NonNullable<ExperimentReportData["seedReports"]>): string {
  const items = links.map((l) => `<li><a href="${escapeHtml(l.href)}">seed ${escapeHtml(String(l.seed))}</a></li>`).join("");
  return section("seeds", "Per seed", escapeHtml("Each seed's report holds its training curves, gate weights and calibration."), `<ul>${items}</ul>`);
}

/** `createdAt` as shown: the string itself, inside <time> when it parses as a date. */
function createdAt(text: string): string {
  const ok = text !== "" && !Number.isNaN(Date.parse(text));
  return ok ? `<time datetime="${escapeHtml(text)}">${escapeHtml(text)}</time>` : escapeHtml(text);
}

/**
 * The experiment's (or run's) report as one self-contained HTML page: the results table, the students'
 * paired comparisons (where the rows carry them), the size trade-off (with a size sweep), the setup (data, splits, seeds, backend, wall time,
 * config), training curves, gate-weight histograms and a reliability diagram, all inline SVG with inline
 * CSS; a combined report over seeds links each seed's report instead of the charts. Nothing is fetched and no script runs; every string from the data is escaped.
 */
export function renderReport(data: ExperimentReportData, options: ReportOptions = {}): string {
  const colors = modelColors(data);
  const calibration: CalibrationOptions = { bins: 10, binning: "quantile", ...options.calibration };
  const comparisons = renderComparisons(data.rows);
  const body = [
    `<header><h1>${escapeHtml(data.title)}</h1><p class="meta">Created ${createdAt(data.createdAt)} by ctr-distill ${escapeHtml(data.command)}.</p></header>`,
    section("results", "Results", "", renderExperimentTable(data.rows, data.bayes)),
    ...(comparisons === "" ? [] : [section("comparisons", "Student − best teacher, paired", "", comparisons)]),
    ...(data.sizeSweep === undefined ? [] : [sizeSweepSection(data, colors)]),
    section("setup", "Setup", "", renderMeta(data.meta)),
    ...(data.seedReports !== undefined
      ? [seedsSection(data.seedReports)]
      : [curvesSection(data, colors), gateSection(data, colors, options.gateBins ?? 20), calibrationSection(data, colors, calibration)]),
  ].join("\n");
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${escapeHtml(data.title)}</title>\n<style>${REPORT_CSS}</style>\n</head>\n<body>\n<main>\n${body}\n</main>\n</body>\n</html>\n`
  );
}

/** Renders the report and writes it to `path` (UTF-8), creating the directory if needed. */
export async function writeReport(path: string, data: ExperimentReportData, options: ReportOptions = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderReport(data, options), "utf8");
}
