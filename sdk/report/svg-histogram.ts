import { coord, formatCount } from "./format";
import { escapeHtml } from "./html-escape";
import { histogramCounts, type HistogramCounts } from "./histogram-counts";
import { niceTicks } from "./nice-ticks";
import { MUTED_TEXT, seriesColor } from "./palette";
import { DASH, FONT_SIZE, linearScale, plotNote, renderAxes, svgDocument, svgTitle, truncate, type Rect } from "./svg-frame";

export interface HistogramPanel {
  label: string;
  values: ArrayLike<number>;
  /** Default: the panel's place in the palette. */
  color?: string;
}

export interface HistogramOptions {
  /** Unique in the page. */
  id: string;
  title: string;
  xLabel: string;
  panels: readonly HistogramPanel[];
  /** Equal-width bins over the domain (default 20). */
  bins?: number;
  /** Default [0, 1]. */
  domain?: readonly [number, number];
  /** Panels per row (default 3). */
  columns?: number;
  /** Total width in SVG units (default 960). */
  width?: number;
}

const PANEL = { top: 44, right: 14, bottom: 50, left: 64, plotHeight: 150 };

function describe(o: HistogramOptions, hists: HistogramCounts[]): string {
  const parts = o.panels.map((p, i) => {
    const h = hists[i]!;
    if (h.total === 0) return `${p.label}: no data`;
    const peak = h.counts.indexOf(Math.max(...h.counts));
    const w = (h.hi - h.lo) / h.counts.length;
    return `${p.label}: ${h.total} values, mean ${h.mean.toFixed(3)}, most in [${(h.lo + peak * w).toFixed(2)}, ${(h.lo + (peak + 1) * w).toFixed(2)})`;
  });
  return `Histograms of ${o.xLabel}, one panel per series, bar height is the share of values in the bin. ${parts.join("; ")}.`;
}

/**
 * Small multiples: one histogram per panel on a shared x domain and a shared y scale (share of the panel's
 * values per bin, in %), with each panel's mean marked by a dashed line.
 */
export function renderHistograms(o: HistogramOptions): string {
  const width = o.width ?? 960;
  const bins = o.bins ?? 20;
  const [lo, hi] = o.domain ?? [0, 1];
  const columns = Math.max(1, Math.min(o.columns ?? 3, o.panels.length));
  const rows = Math.max(1, Math.ceil(o.panels.length / columns));
  const panelWidth = (width - 16) / columns;
  const panelHeight = PANEL.top + PANEL.plotHeight + PANEL.bottom;
  const hists = o.panels.map((p) => histogramCounts(p.values, bins, lo, hi));
  const maxShare = Math.max(0, ...hists.map((h) => (h.total > 0 ? (100 * Math.max(...h.counts)) / h.total : 0)));
  const yTicks = niceTicks(0, maxShare > 0 ? maxShare : 100, { count: 5 });
  const xTicks = niceTicks(lo, hi, { count: 6 });
  const top = 32;
  const parts: string[] = [svgTitle(o.title, 8, 20, width - 16)];
  if (o.panels.length === 0) parts.push(`<text x="8" y="${top + 20}" fill="${MUTED_TEXT}">no data</text>`);
  o.panels.forEach((p, i) => {
    const h = hists[i]!;
    const color = p.color ?? seriesColor(i);
    const px = 8 + (i % columns) * panelWidth;
    const py = top + Math.floor(i / columns) * panelHeight;
    const area: Rect = { x: px + PANEL.left, y: py + PANEL.top, width: panelWidth - PANEL.left - PANEL.right, height: PANEL.plotHeight };
    const sx = linearScale(lo, hi, area.x, area.x + area.width);
    const sy = linearScale(yTicks.lo, yTicks.hi, area.y + area.height, area.y);
    const g: string[] = [];
    g.push(`<text x="${coord(area.x)}" y="${coord(py + 16)}" font-weight="600" fill="#222">${escapeHtml(truncate(p.label, area.width + 40))}</text>`);
    const stats = h.total > 0 ? `mean ${h.mean.toFixed(3)} · ${formatCount(h.total)} rows` : "no rows";
    const skipped = h.skipped > 0 ? ` · ${formatCount(h.skipped)} non-finite skipped` : "";
    g.push(`<text x="${coord(area.x)}" y="${coord(py + 32)}" font-size="${FONT_SIZE - 1}" fill="${MUTED_TEXT}">${escapeHtml(stats + skipped)}</text>`);
    g.push(renderAxes(area, { ticks: xTicks, scale: sx, label: o.xLabel, grid: false }, { ticks: yTicks, scale: sy, label: "share of rows (%)" }));
    if (h.total === 0) g.push(plotNote(area, "no data"));
    else {
      const w = (hi - lo) / bins;
      h.counts.forEach((c, b) => {
        if (c === 0) return;
        const share = (100 * c) / h.total;
        const x0 = sx(lo + b * w);
        const x1 = sx(lo + (b + 1) * w);
        const y = sy(share);
        g.push(
          `<rect x="${coord(x0 + 0.5)}" y="${coord(y)}" width="${coord(Math.max(0.5, x1 - x0 - 1))}" height="${coord(area.y + area.height - y)}" fill="${color}" fill-opacity="0.75">` +
            `<title>${escapeHtml(`${p.label}: ${(lo + b * w).toFixed(2)}–${(lo + (b + 1) * w).toFixed(2)}: ${formatCount(c)} rows (${share.toFixed(1)} %)`)}</title></rect>`,
        );
      });
      const mx = coord(sx(h.mean));
      g.push(`<line x1="${mx}" x2="${mx}" y1="${coord(area.y)}" y2="${coord(area.y + area.height)}" stroke="#222" stroke-width="1.5" stroke-dasharray="${DASH}"/>`);
    }
    parts.push(`<g>${g.join("")}</g>`);
  });
  const height = top + rows * panelHeight + 4;
  return svgDocument({ id: o.id, width, height, title: o.title, desc: describe(o, hists), body: parts.join("") });
}
