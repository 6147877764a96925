import { coord } from "./format";
import { escapeHtml } from "./html-escape";
import { isPlottable, logTicks, niceTicks, type NiceTicks } from "./nice-ticks";
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

/** A horizontal line across the plot at `y` (a baseline such as a teacher's AUC), listed in the legend after the series. */
export interface ReferenceLine {
  name: string;
  y: number;
  /** Default: its place in the palette after the series. */
  color?: string;
  /** The dash pattern (default DASH); "" draws it solid. */
  dash?: string;
  /** Where on the line a marker sits (the x of the model it stands for); none when absent. */
  markerX?: number;
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
  /** A log-scale x axis (sizes in bytes): ticks at decades, 1-2-5 or 1…9 per decade; x ≤ 0 is not drawn. */
  logX?: boolean;
  /** The x ticks' labels (default: as many decimals as the step needs). */
  formatX?: (x: number) => string;
  /** Horizontal reference lines; their y is inside the y range. */
  references?: readonly ReferenceLine[];
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

/** The x ticks of a log axis over [10^uMin, 10^uMax], as log10 values (what the axis places). */
function logAxisTicks(uMin: number, uMax: number): NiceTicks {
  const ticks = logTicks(10 ** uMin, 10 ** uMax).map(Math.log10);
  return { lo: uMin, hi: uMax, step: 1, ticks };
}

function describe(o: LineChartOptions, skipped: number): string {
  const placed = (p: LinePoint) => isPlottable(p.y) && (o.logX ? p.x > 0 && isPlottable(p.x) : isPlottable(p.x));
  const lines = o.series.map((s) => {
    const good = s.points.filter(placed);
    if (good.length === 0) return `${s.name}: no data`;
    const ys = good.map((p) => p.y);
    const last = good[good.length - 1]!;
    return `${s.name}: ${good.length} points, last ${last.y.toPrecision(4)} at ${o.xLabel.toLowerCase()} ${last.x}, range ${Math.min(...ys).toPrecision(4)} to ${Math.max(...ys).toPrecision(4)}`;
  });
  const note = skipped > 0 ? ` ${skipped} non-finite values are not drawn.` : "";
  const refs = (o.references ?? []).filter((r) => isPlottable(r.y));
  const refNote = refs.length === 0 ? "" : ` Reference lines: ${refs.map((r) => `${r.name} at ${r.y.toPrecision(4)}`).join("; ")}.`;
  return `Line chart of ${o.yLabel} against ${o.xLabel}${o.logX ? " (log scale)" : ""}, one line per series. ${lines.join("; ")}.${note}${refNote}`;
}

/**
 * A line chart of several series: nice ticks on both axes, gridlines, a legend under the plot. Non-finite
 * points are skipped (the line breaks there); a series of one point, or an isolated point, shows as a marker.
 * With `logX`, x is placed by its log10 (non-positive x is skipped like a non-finite one); reference lines
 * run across the plot at their y.
 */
export function renderLineChart(o: LineChartOptions): string {
  const width = o.width ?? 560;
  const plotHeight = o.plotHeight ?? 220;
  const area: Rect = { x: MARGIN.left, y: MARGIN.top, width: width - MARGIN.left - MARGIN.right, height: plotHeight };
  // On a log axis every x is placed, and its ticks computed, as log10(x).
  const toU = o.logX ? (x: number) => (x > 0 ? Math.log10(x) : NaN) : (x: number) => x;
  const plottable = (p: LinePoint) => isPlottable(toU(p.x)) && isPlottable(p.y);
  const references = (o.references ?? []).filter((r) => isPlottable(r.y));
  const xs: number[] = [];
  const ys: number[] = references.map((r) => r.y);
  let skipped = 0;
  for (const s of o.series)
    for (const p of s.points) {
      if (plottable(p)) {
        xs.push(toU(p.x));
        ys.push(p.y);
      } else skipped++;
    }
  for (const r of references) if (r.markerX !== undefined && isPlottable(toU(r.markerX))) xs.push(toU(r.markerX));
  const empty = xs.length === 0;
  let xMin = empty ? 0 : Math.min(...xs);
  let xMax = empty ? 1 : Math.max(...xs);
  if (xMin === xMax) {
    // one x value: centre it, half a unit (or 10 %) either side
    const pad = o.integerX ? 0.5 : o.logX ? 0.1 : Math.abs(xMin) * 0.1 || 0.5;
    xMin -= pad;
    xMax += pad;
  } else if (o.logX) {
    // a margin of 4 % either side, so that the end points are not on the frame
    const pad = (xMax - xMin) * 0.04;
    xMin -= pad;
    xMax += pad;
  }
  const xTicks = o.logX ? logAxisTicks(xMin, xMax) : withFirstEpoch(niceTicks(xMin, xMax, { count: 6, integer: o.integerX ?? false }), xMin, o.integerX ?? false);
  const yTicks = ys.length === 0 ? niceTicks(0, 1) : niceTicks(Math.min(...ys), Math.max(...ys), { count: 5 });
  const sx = linearScale(xMin, xMax, area.x, area.x + area.width);
  const sy = linearScale(yTicks.lo, yTicks.hi, area.y + area.height, area.y);
  const fromU = o.logX ? (u: number) => 10 ** u : (u: number) => u;
  const formatX = o.formatX === undefined ? (o.logX ? (u: number) => String(+fromU(u).toPrecision(6)) : undefined) : (u: number) => o.formatX!(fromU(u));

  const parts: string[] = [svgTitle(o.title, 8, 20, width - 16)];
  parts.push(renderAxes(area, { ticks: xTicks, scale: sx, label: o.xLabel, min: xMin, max: xMax, ...(formatX === undefined ? {} : { format: formatX }) }, { ticks: yTicks, scale: sy, label: o.yLabel }));
  if (empty) parts.push(plotNote(area, "no data"));
  if (skipped > 0)
    parts.push(`<text x="${coord(area.x + area.width)}" y="20" text-anchor="end" fill="${MUTED_TEXT}">${skipped} non-finite value${skipped === 1 ? "" : "s"} not drawn</text>`);

  o.series.forEach((s, i) => {
    const color = s.color ?? seriesColor(i);
    const segments = runs(s.points.map((p) => (o.logX ? { x: toU(p.x), y: p.y } : p)));
    const total = segments.reduce((n, r) => n + r.length, 0);
    const g: string[] = [];
    for (const r of segments) {
      if (r.length > 1) {
        const d = r.map((p, k) => `${k === 0 ? "M" : "L"}${coord(sx(p.x))} ${coord(sy(p.y))}`).join("");
        g.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"${s.dashed ? ` stroke-dasharray="${DASH}"` : ""}/>`);
      }
      if (r.length === 1 || total <= MARKER_MAX_POINTS)
        for (const p of r)
          g.push(`<circle cx="${coord(sx(p.x))}" cy="${coord(sy(p.y))}" r="${r.length === 1 ? 3.5 : 2.5}" fill="${color}"><title>${escapeHtml(`${s.name}: ${+fromU(p.x).toPrecision(6)}, ${+p.y.toPrecision(5)}`)}</title></circle>`);
    }
    parts.push(`<g>${g.join("")}</g>`);
  });
  const refColor = (i: number, r: ReferenceLine) => r.color ?? seriesColor(o.series.length + i);
  references.forEach((r, i) => {
    const y = coord(sy(r.y));
    const dash = r.dash ?? DASH;
    const line = `<line x1="${coord(area.x)}" x2="${coord(area.x + area.width)}" y1="${y}" y2="${y}" stroke="${refColor(i, r)}" stroke-width="1.5"${dash === "" ? "" : ` stroke-dasharray="${dash}"`}/>`;
    const u = r.markerX === undefined ? NaN : toU(r.markerX);
    const marker = isPlottable(u)
      ? `<circle cx="${coord(sx(u))}" cy="${y}" r="3.5" fill="#fff" stroke="${refColor(i, r)}" stroke-width="2"><title>${escapeHtml(`${r.name}: ${+r.markerX!.toPrecision(6)}, ${+r.y.toPrecision(5)}`)}</title></circle>`
      : "";
    parts.push(`<g><title>${escapeHtml(`${r.name}: ${+r.y.toPrecision(5)}`)}</title>${line}${marker}</g>`);
  });

  const legendTop = area.y + area.height + MARGIN.bottom;
  const legend = renderLegend(
    o.series.map((s, i) => ({
      label: s.points.some(plottable) ? s.name : `${s.name} (no data)`,
      color: s.color ?? seriesColor(i),
      dashed: s.dashed ?? false,
    })).concat(references.map((r, i) => ({ label: r.name, color: refColor(i, r), dashed: (r.dash ?? DASH) !== "", dash: r.dash ?? DASH, marker: r.markerX !== undefined }))),
    area.x - 40,
    legendTop,
    width - (area.x - 40) - 8,
  );
  parts.push(legend.svg);
  const height = legendTop + legend.height + 8;
  return svgDocument({ id: o.id, width, height, title: o.title, desc: describe(o, skipped), body: parts.join("") });
}
