import { coord } from "./format";
import { escapeHtml } from "./html-escape";
import { isPlottable, niceTicks, type NiceTicks } from "./nice-ticks";
import { MUTED_TEXT, seriesColor } from "./palette";
import { DASH, linearScale, plotNote, renderAxes, renderLegend, svgDocument, svgTitle, type Rect } from "./svg-frame";

export interface LinePoint {
  x: number;
  y: number;
}

export interface LineSeries {
  name: string;
  points: readonly LinePoint[];
  /** Default: the series' place in the palette. */
  color?: string;
  dashed?: boolean;
}

export interface LineChartOptions {
  /** Unique in the page. */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  /** Whole-number x ticks (epochs). */
  integerX?: boolean;
  /** Total width in SVG units (default 560); the height follows from the plot and the legend. */
  width?: number;
  /** Height of the plotting area (default 220). */
  plotHeight?: number;
}

/** Series with at most this many points get a marker on every point; longer ones only on isolated points. */
const MARKER_MAX_POINTS = 30;
const MARGIN = { top: 34, right: 16, bottom: 48, left: 64 };

/** Runs of consecutive plottable points; a non-finite point breaks the line. */
function runs(points: readonly LinePoint[]): LinePoint[][] {
  const out: LinePoint[][] = [];
  let current: LinePoint[] = [];
  for (const p of points) {
    if (isPlottable(p.x) && isPlottable(p.y)) current.push(p);
    else if (current.length > 0) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** On a whole-number axis (epochs), also label the first value when the nice ticks skip it (1, 2, 4, 6 …). */
function withFirstEpoch(t: NiceTicks, xMin: number, integer: boolean): NiceTicks {
  if (!integer || !Number.isInteger(xMin) || t.ticks.includes(xMin)) return t;
  const next = t.ticks.find((v) => v > xMin);
  if (next !== undefined && next - xMin < t.step / 2) return t;
  return { ...t, ticks: [xMin, ...t.ticks.filter((v) => v > xMin)] };
}

function describe(o: LineChartOptions, skipped: number): string {
  const lines = o.series.map((s) => {
    const good = s.points.filter((p) => isPlottable(p.x) && isPlottable(p.y));
    if (good.length === 0) return `${s.name}: no data`;
    const ys = good.map((p) => p.y);
    const last = good[good.length - 1]!;
    return `${s.name}: ${good.length} points, last ${last.y.toPrecision(4)} at ${o.xLabel.toLowerCase()} ${last.x}, range ${Math.min(...ys).toPrecision(4)} to ${Math.max(...ys).toPrecision(4)}`;
  });
  const note = skipped > 0 ? ` ${skipped} non-finite values are not drawn.` : "";
  return `Line chart of ${o.yLabel} against ${o.xLabel}, one line per series. ${lines.join("; ")}.${note}`;
}

/**
 * A line chart of several series: nice ticks on both axes, gridlines, a legend under the plot. Non-finite
 * points are skipped (the line breaks there); a series of one point, or an isolated point, shows as a marker.
 */
export function renderLineChart(o: LineChartOptions): string {
  const width = o.width ?? 560;
  const plotHeight = o.plotHeight ?? 220;
  const area: Rect = { x: MARGIN.left, y: MARGIN.top, width: width - MARGIN.left - MARGIN.right, height: plotHeight };
  const xs: number[] = [];
  const ys: number[] = [];
  let skipped = 0;
  for (const s of o.series)
    for (const p of s.points) {
      if (isPlottable(p.x) && isPlottable(p.y)) {
        xs.push(p.x);
        ys.push(p.y);
      } else skipped++;
    }
  const empty = xs.length === 0;
  let xMin = empty ? 0 : Math.min(...xs);
  let xMax = empty ? 1 : Math.max(...xs);
  if (xMin === xMax) {
    // one x value: centre it, half a unit (or 10 %) either side
    const pad = o.integerX ? 0.5 : Math.abs(xMin) * 0.1 || 0.5;
    xMin -= pad;
    xMax += pad;
  }
  const xTicks = withFirstEpoch(niceTicks(xMin, xMax, { count: 6, integer: o.integerX ?? false }), xMin, o.integerX ?? false);
  const yTicks = empty ? niceTicks(0, 1) : niceTicks(Math.min(...ys), Math.max(...ys), { count: 5 });
  const sx = linearScale(xMin, xMax, area.x, area.x + area.width);
  const sy = linearScale(yTicks.lo, yTicks.hi, area.y + area.height, area.y);

  const parts: string[] = [svgTitle(o.title, 8, 20, width - 16)];
  parts.push(renderAxes(area, { ticks: xTicks, scale: sx, label: o.xLabel, min: xMin, max: xMax }, { ticks: yTicks, scale: sy, label: o.yLabel }));
  if (empty) parts.push(plotNote(area, "no data"));
  if (skipped > 0)
    parts.push(`<text x="${coord(area.x + area.width)}" y="20" text-anchor="end" fill="${MUTED_TEXT}">${skipped} non-finite value${skipped === 1 ? "" : "s"} not drawn</text>`);

  o.series.forEach((s, i) => {
    const color = s.color ?? seriesColor(i);
    const segments = runs(s.points);
    const total = segments.reduce((n, r) => n + r.length, 0);
    const g: string[] = [];
    for (const r of segments) {
      if (r.length > 1) {
        const d = r.map((p, k) => `${k === 0 ? "M" : "L"}${coord(sx(p.x))} ${coord(sy(p.y))}`).join("");
        g.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"${s.dashed ? ` stroke-dasharray="${DASH}"` : ""}/>`);
      }
      if (r.length === 1 || total <= MARKER_MAX_POINTS)
        for (const p of r)
          g.push(`<circle cx="${coord(sx(p.x))}" cy="${coord(sy(p.y))}" r="${r.length === 1 ? 3.5 : 2.5}" fill="${color}"><title>${escapeHtml(`${s.name}: ${+p.x.toPrecision(6)}, ${+p.y.toPrecision(5)}`)}</title></circle>`);
    }
    parts.push(`<g>${g.join("")}</g>`);
  });

  const legendTop = area.y + area.height + MARGIN.bottom;
  const legend = renderLegend(
    o.series.map((s, i) => ({
      label: s.points.some((p) => isPlottable(p.x) && isPlottable(p.y)) ? s.name : `${s.name} (no data)`,
      color: s.color ?? seriesColor(i),
      dashed: s.dashed ?? false,
    })),
    area.x - 40,
    legendTop,
    width - (area.x - 40) - 8,
  );
  parts.push(legend.svg);
  const height = legendTop + legend.height + 8;
  return svgDocument({ id: o.id, width, height, title: o.title, desc: describe(o, skipped), body: parts.join("") });
}
