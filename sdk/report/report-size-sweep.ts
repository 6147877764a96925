import { describeInterval, formatDifference } from "./format-difference";
import { formatBytes, formatCount, formatMetric } from "./format";
import { escapeHtml } from "./html-escape";
import { seriesColor } from "./palette";
import { renderLineChart, type LineSeries, type ReferenceLine } from "./svg-line-chart";
import type { PairedDifference, SizeSweep, SizeSweepCapacity, SizeSweepPoint, SizeSweepStudent } from "./types";

/** Dash pattern of the uncompressed KD student's line (dotted), apart from the teachers' dashes. */
const UNCOMPRESSED_DASH = "2 3";

/** The names and colours the sweep's two series take: those of the table's KD and no-KD rows, where present. */
export interface SizeSweepColors {
  kd: string;
  noKd: string;
  /** A teacher's colour by name. */
  teacher: (name: string) => string;
}

type Reached = Extract<SizeSweepPoint, { reachable: true }>;

/** The sweep's series names, as the plot's legend and its points' tooltips give them. */
export function sweepSeriesNames(sweep: SizeSweep): { kd: string; noKd: string } {
  return { kd: `KD student (${sweep.ensemble})`, noKd: "label-only student" };
}

const metric = (s: SizeSweepStudent, key: "auc" | "logloss", seeds: number) => {
  const std = key === "auc" ? s.aucStd : s.loglossStd;
  return seeds > 1 && std !== undefined ? `${formatMetric(s[key])} ± ${formatMetric(std)}` : formatMetric(s[key]);
};

function differenceCell(d: PairedDifference | undefined): string {
  if (d === undefined) return "–";
  return `${escapeHtml(formatDifference(d))}${d.withinNoise ? ` <span title="the interval includes 0">≈</span>` : ""}`;
}

/** A sweep student's capacity as chosen: "prune keep 7, 70 rows, f32" (hash: buckets; per-field overrides counted). */
export function describeCapacity(c: SizeSweepCapacity): string {
  const e = c.embedding;
  const param = e.kind === "prune" ? ` keep ${e.keep}` : e.kind === "hash" || e.kind === "qr" ? ` buckets ${e.buckets}` : "";
  const fields = (e.fields ?? []).length;
  const overrides = fields === 0 ? "" : ` (+${fields} field override${fields === 1 ? "" : "s"})`;
  return `${e.kind}${param}${overrides}, ${formatCount(c.embeddingRows)} rows, ${c.quantize === "none" ? "f32" : c.quantize}`;
}

/** Test AUC (y) against student.wasm's gzip size (x, log scale): a point per student per budget, the references across. */
export function renderSizeSweepChart(sweep: SizeSweep, colors: SizeSweepColors): string {
  const reached = sweep.points.filter((p): p is Reached => p.reachable);
  const names = sweepSeriesNames(sweep);
  const series: LineSeries[] = [
    { name: names.kd, color: colors.kd, points: reached.map((p) => ({ x: p.kd.gzipBytes, y: p.kd.auc })) },
    { name: names.noKd, color: colors.noKd, points: reached.map((p) => ({ x: p.noKd.gzipBytes, y: p.noKd.auc })) },
  ];
  const u = sweep.uncompressed;
  const references: ReferenceLine[] = [
    ...sweep.teachers.map((t) => ({ name: `teacher ${t.name}`, y: t.auc, color: colors.teacher(t.name) })),
    { name: `uncompressed KD student (${formatBytes(u.gzipBytes)})`, y: u.auc, color: colors.kd, dash: UNCOMPRESSED_DASH, markerX: u.gzipBytes },
  ];
  return renderLineChart({
    id: "chart-size-sweep",
    title: "Test AUC against the size of student.wasm",
    xLabel: "student.wasm gzip size (log scale)",
    yLabel: "test AUC",
    logX: true,
    formatX: formatBytes,
    series,
    references,
    width: 720,
    plotHeight: 280,
  });
}

/** The sweep's numbers as a table: capacity, predicted and actual sizes, both students' test metrics, the KD student's differences. */
export function renderSizeSweepTable(sweep: SizeSweep): string {
  const columns: [string, boolean][] = [
    ["budget (gzip)", true], ["capacity", false], ["predicted gzip ≤", true], ["gzip KD / no KD", true], ["AUC KD", true], ["AUC no KD", true],
    ["KD − no KD", true], ["KD − uncompressed", true], ["logloss KD", true], ["logloss no KD", true],
  ];
  const head = `<thead><tr>${columns.map(([h, num]) => `<th scope="col"${num ? ` class="num"` : ""}>${escapeHtml(h)}</th>`).join("")}</tr></thead>`;
  const td = (text: string, num = true) => `<td${num ? ` class="num"` : ""}>${text}</td>`;
  const rows = sweep.points.map((p) => {
    const budget = `<th scope="row" class="num">${formatCount(p.budgetBytes)}</th>`;
    if (!p.reachable) return `<tr>${budget}<td colspan="${columns.length - 1}" class="note">unreachable: ${escapeHtml(p.reason)}</td></tr>`;
    return (
      `<tr>${budget}` +
      td(escapeHtml(describeCapacity(p.capacity)), false) +
      td(formatCount(p.predicted.gzipBytesAtMost)) +
      td(`${formatCount(p.kd.gzipBytes)} / ${formatCount(p.noKd.gzipBytes)}`) +
      td(metric(p.kd, "auc", sweep.seeds)) +
      td(metric(p.noKd, "auc", sweep.seeds)) +
      td(differenceCell(p.kd.vsNoKd)) +
      td(differenceCell(p.kd.vsUncompressed)) +
      td(metric(p.kd, "logloss", sweep.seeds)) +
      td(metric(p.noKd, "logloss", sweep.seeds)) +
      "</tr>"
    );
  });
  const u = sweep.uncompressed;
  rows.push(
    `<tr class="bound"><th scope="row" class="num">none</th>${td(`uncompressed KD student: whole, ${formatCount(sweep.fullEmbeddingRows)} rows, f32`, false)}${td("–")}` +
      `${td(`${formatCount(u.gzipBytes)} / –`)}${td(metric(u, "auc", sweep.seeds))}${td("–")}${td("–")}${td("–")}${td(metric(u, "logloss", sweep.seeds))}${td("–")}</tr>`,
  );
  const sample = sweep.points.find((p): p is Reached => p.reachable && p.kd.vsNoKd !== undefined)?.kd.vsNoKd;
  const caption =
    "Budget: the gzip size student.wasm must fit; predicted: the size formula's gzip bound of the student it chose; gzip: each student's actual student.wasm, gzipped. " +
    `KD − no KD, KD − uncompressed: test AUC differences of the budget's KD student${sample === undefined ? "" : ` [${describeInterval(sample)}]`}; ≈: the interval includes 0.`;
  return `<div class="table-wrap"><table>${head}<tbody>${rows.join("")}</tbody><caption>${escapeHtml(caption)}</caption></table></div>`;
}

/** The lead paragraph of the report's size section. */
export function sizeSweepLead(sweep: SizeSweep): string {
  const over = sweep.seeds > 1 ? ` Means over ${sweep.seeds} seeds.` : "";
  return (
    `At each budget (gzip bytes of student.wasm), two students are sized to fit it before training: one distilled from the ${sweep.ensemble} ensemble as the table's main arm, ` +
    "one trained on labels alone, both with the table's initialisation and batch order. Each point sits at its student's actual gzip size. " +
    `Dashed lines: the teachers' test AUC; dotted, with its marker at its size: the KD student with the whole embedding.${over}`
  );
}

/** The section's colours from the table's: the KD row's and the no-KD row's where present, else the palette's next. */
export function sizeSweepColors(sweep: SizeSweep, colors: ReadonlyMap<string, string>, noKdRow: string | undefined): SizeSweepColors {
  const next = (k: number) => seriesColor(colors.size + k);
  return {
    kd: colors.get(sweep.uncompressed.name) ?? next(0),
    noKd: (noKdRow === undefined ? undefined : colors.get(noKdRow)) ?? next(1),
    teacher: (name) => colors.get(name) ?? next(2),
  };
}
