import type { CalibrationSummary } from "./calibration-bins";
import { coord, formatCount } from "./format";
import { escapeHtml } from "./html-escape";
import { niceTicks } from "./nice-ticks";
import { MUTED_TEXT, seriesColor } from "./palette";
import { DASH, FONT_SIZE, linearScale, plotNote, renderAxes, renderLegend, svgDocument, svgTitle, type LegendItem, type Rect } from "./svg-frame";

export interface CalibrationSeries {
  name: string;
  summary: CalibrationSummary;
  /** Default: the series' place in the palette. */
  color?: string;
}

export interface CalibrationChartOptions {
  /** Unique in the page. */
  id: string;
  title: string;
  series: readonly CalibrationSeries[];
  /** Side of the square plotting area (default 320); the chart is as wide as the plot and its margins. */
  plotSize?: number;
}

const MARGIN = { top: 50, left: 64, right: 24, bottom: 48 };
const DIAGONAL_COLOR = "#999";

function describe(o: CalibrationChartOptions): string {
  const parts = o.series.map((s) => {
    const m = s.summary;
    if (m.n === 0) return `${s.name}: no rows`;
    return `${s.name}: ECE ${m.ece.toFixed(4)}, mean predicted ${m.meanPredicted.toFixed(4)}, observed click rate ${m.observedRate.toFixed(4)}, ${m.bins.length} bins`;
  });
  return `Reliability diagram: mean predicted probability per bin against the observed click rate of the bin, one line per model; the dashed diagonal is perfect calibration. ${parts.join("; ")}.`;
}

function binningNote(series: readonly CalibrationSeries[]): string {
  const kinds = new Set(series.map((s) => s.summary.binning));
  const kind = kinds.size === 1 ? ([...kinds][0] === "quantile" ? "equal-count bins" : "equal-width bins") : "bins";
  return `${kind} · marker area ∝ rows in the bin`;
}

/**
 * A reliability diagram: for each model, its bins' mean predicted probability (x) against their observed
 * click rate (y), joined by a line, marker area proportional to the bin's rows; the diagonal is perfect
 * calibration. Both axes share one range, zoomed to the data (CTRs are small) and capped at 1. The legend
 * gives each model's expected calibration error.
 */
export function renderCalibrationChart(o: CalibrationChartOptions): string {
  const size = o.plotSize ?? 320;
  const width = MARGIN.left + size + MARGIN.right;
  const area: Rect = { x: MARGIN.left, y: MARGIN.top, width: size, height: size };
  const bins = o.series.flatMap((s) => s.summary.bins).filter((b) => Number.isFinite(b.meanPredicted) && Number.isFinite(b.observedRate));
  const top = bins.length === 0 ? 1 : Math.max(...bins.map((b) => Math.max(b.meanPredicted, b.observedRate)));
  const ticks = niceTicks(0, top > 0.5 || top <= 0 ? 1 : Math.min(1, top), { count: 6 });
  const hi = Math.min(1, ticks.hi);
  const sx = linearScale(0, hi, area.x, area.x + area.width);
  const sy = linearScale(0, hi, area.y + area.height, area.y);
  const maxCount = Math.max(1, ...bins.map((b) => b.count));

  const parts: string[] = [svgTitle(o.title, 8, 20, width - 16)];
  parts.push(`<text x="8" y="38" font-size="${FONT_SIZE - 1}" fill="${MUTED_TEXT}">${escapeHtml(binningNote(o.series))}</text>`);
  parts.push(renderAxes(area, { ticks, scale: sx, label: "mean predicted probability", min: 0, max: hi }, { ticks, scale: sy, label: "observed click rate", min: 0, max: hi }));
  parts.push(`<line x1="${coord(sx(0))}" y1="${coord(sy(0))}" x2="${coord(sx(hi))}" y2="${coord(sy(hi))}" stroke="${DIAGONAL_COLOR}" stroke-width="1.5" stroke-dasharray="${DASH}"/>`);
  if (bins.length === 0) parts.push(plotNote(area, "no data"));

  o.series.forEach((s, i) => {
    const color = s.color ?? seriesColor(i);
    const good = s.summary.bins.filter((b) => Number.isFinite(b.meanPredicted) && Number.isFinite(b.observedRate));
    const g: string[] = [];
    if (good.length > 1)
      g.push(`<path d="${good.map((b, k) => `${k === 0 ? "M" : "L"}${coord(sx(b.meanPredicted))} ${coord(sy(b.observedRate))}`).join("")}" fill="none" stroke="${color}" stroke-width="1.75" stroke-opacity="0.9"/>`);
    for (const b of good) {
      const r = 2 + 4.5 * Math.sqrt(b.count / maxCount);
      const tip = `${s.name}: predicted ${b.lo.toFixed(3)}–${b.hi.toFixed(3)}, ${formatCount(b.count)} rows, mean predicted ${b.meanPredicted.toFixed(4)}, observed ${b.observedRate.toFixed(4)}`;
      g.push(`<circle cx="${coord(sx(b.meanPredicted))}" cy="${coord(sy(b.observedRate))}" r="${coord(r)}" fill="${color}" fill-opacity="0.8" stroke="#fff" stroke-width="0.75"><title>${escapeHtml(tip)}</title></circle>`);
    }
    parts.push(`<g>${g.join("")}</g>`);
  });

  const legendTop = area.y + area.height + MARGIN.bottom;
  const items: LegendItem[] = o.series.map((s, i) => ({
    label: `${s.name} — ECE ${s.summary.n > 0 ? s.summary.ece.toFixed(4) : "n/a"}`,
    color: s.color ?? seriesColor(i),
  }));
  items.push({ label: "perfect calibration", color: DIAGONAL_COLOR, dashed: true, marker: false });
  const legend = renderLegend(items, 16, legendTop, width - 24);
  parts.push(legend.svg);
  return svgDocument({ id: o.id, width, height: legendTop + legend.height + 8, title: o.title, desc: describe(o), body: parts.join("") });
}
