import { escapeHtml } from "./html-escape";
import { coord, tickLabel } from "./format";
import type { NiceTicks } from "./nice-ticks";
import { AXIS_COLOR, GRID_COLOR, MUTED_TEXT } from "./palette";

/** The plotting area of a chart, in SVG user units. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Font size of tick labels, legends and notes; titles are a little larger. */
export const FONT_SIZE = 12;
export const TITLE_FONT_SIZE = 14;
/** Rough advance of one character of the sans-serif UI font, as a share of the font size (SVG cannot measure text). */
const CHAR_WIDTH = 0.6;

/** Estimated width of `text` at `fontSize`. */
export function textWidth(text: string, fontSize = FONT_SIZE): number {
  return [...text].length * fontSize * CHAR_WIDTH;
}

/** `text` cut with an ellipsis to fit about `width` units. */
export function truncate(text: string, width: number, fontSize = FONT_SIZE): string {
  const max = Math.max(1, Math.floor(width / (fontSize * CHAR_WIDTH)));
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join("") + "…";
}

/** Maps [lo, hi] linearly onto [from, to]; lo < hi is the caller's (niceTicks') guarantee. */
export function linearScale(lo: number, hi: number, from: number, to: number): (v: number) => number {
  const k = (to - from) / (hi - lo);
  return (v) => from + (v - lo) * k;
}

export interface SvgDocumentOptions {
  /** Unique in the page: the ids of <title> and <desc> derive from it. */
  id: string;
  width: number;
  height: number;
  title: string;
  desc: string;
  body: string;
}

/**
 * An inline <svg> (no xmlns: the HTML parser puts it in the SVG namespace, and the page stays free of URLs),
 * scaled to its container, named by its <title> and described by its <desc> for screen readers.
 */
export function svgDocument(o: SvgDocumentOptions): string {
  const id = escapeHtml(o.id);
  return (
    `<svg id="${id}" class="chart" viewBox="0 0 ${coord(o.width)} ${coord(o.height)}" width="${coord(o.width)}" height="${coord(o.height)}" ` +
    `role="img" aria-labelledby="${id}-title ${id}-desc" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="${FONT_SIZE}">` +
    `<title id="${id}-title">${escapeHtml(o.title)}</title><desc id="${id}-desc">${escapeHtml(o.desc)}</desc>` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    o.body +
    `</svg>`
  );
}

/** Visible chart title, top left. */
export function svgTitle(text: string, x: number, y: number, width: number): string {
  return `<text x="${coord(x)}" y="${coord(y)}" font-size="${TITLE_FONT_SIZE}" font-weight="600" fill="#222">${escapeHtml(truncate(text, width, TITLE_FONT_SIZE))}</text>`;
}

export interface AxisSpec {
  ticks: NiceTicks;
  scale: (v: number) => number;
  label: string;
  /** Only ticks inside [min, max] are drawn (an axis may be narrower than its nice range, e.g. epochs). */
  min?: number;
  max?: number;
  /** Vertical gridlines for the x axis (default true); horizontal ones for y are always drawn. */
  grid?: boolean;
  /** A tick's label (default: as many decimals as the step needs). */
  format?: (tick: number) => string;
}

function visibleTicks(a: AxisSpec): number[] {
  const lo = a.min ?? a.ticks.lo;
  const hi = a.max ?? a.ticks.hi;
  const eps = (a.ticks.step || 1) * 1e-9;
  return a.ticks.ticks.filter((t) => t >= lo - eps && t <= hi + eps);
}

/** Gridlines, the two axis lines, tick marks and labels, and the axis titles of a plot area. */
export function renderAxes(area: Rect, x: AxisSpec, y: AxisSpec): string {
  const parts: string[] = [];
  const bottom = area.y + area.height;
  const right = area.x + area.width;
  for (const t of visibleTicks(y)) {
    const py = coord(y.scale(t));
    parts.push(`<line x1="${coord(area.x)}" x2="${coord(right)}" y1="${py}" y2="${py}" stroke="${GRID_COLOR}"/>`);
    parts.push(`<text x="${coord(area.x - 6)}" y="${py}" text-anchor="end" dominant-baseline="middle" fill="${AXIS_COLOR}">${escapeHtml(y.format?.(t) ?? tickLabel(t, y.ticks.step))}</text>`);
  }
  for (const t of visibleTicks(x)) {
    const px = coord(x.scale(t));
    if (x.grid !== false) parts.push(`<line x1="${px}" x2="${px}" y1="${coord(area.y)}" y2="${coord(bottom)}" stroke="${GRID_COLOR}"/>`);
    parts.push(`<line x1="${px}" x2="${px}" y1="${coord(bottom)}" y2="${coord(bottom + 4)}" stroke="${AXIS_COLOR}"/>`);
    parts.push(`<text x="${px}" y="${coord(bottom + 8)}" text-anchor="middle" dominant-baseline="hanging" fill="${AXIS_COLOR}">${escapeHtml(x.format?.(t) ?? tickLabel(t, x.ticks.step))}</text>`);
  }
  parts.push(`<path d="M${coord(area.x)} ${coord(area.y)}V${coord(bottom)}H${coord(right)}" fill="none" stroke="${AXIS_COLOR}"/>`);
  parts.push(`<text x="${coord(area.x + area.width / 2)}" y="${coord(bottom + 36)}" text-anchor="middle" fill="#333">${escapeHtml(x.label)}</text>`);
  const ly = area.y + area.height / 2;
  parts.push(`<text transform="translate(${coord(area.x - 50)} ${coord(ly)}) rotate(-90)" text-anchor="middle" fill="#333">${escapeHtml(y.label)}</text>`);
  return parts.join("");
}

/** A centred grey note inside the plot area ("no data"). */
export function plotNote(area: Rect, text: string): string {
  return `<text x="${coord(area.x + area.width / 2)}" y="${coord(area.y + area.height / 2)}" text-anchor="middle" dominant-baseline="middle" fill="${MUTED_TEXT}">${escapeHtml(text)}</text>`;
}

export interface LegendItem {
  label: string;
  color: string;
  /** A dashed line swatch instead of a solid one. */
  dashed?: boolean;
  /** A square swatch (bars) instead of a line with a marker. */
  square?: boolean;
  /** Draw the marker on the line swatch (default true). */
  marker?: boolean;
  /** The dash pattern of a dashed swatch (default DASH). */
  dash?: string;
}

/** Dash pattern of dashed series. */
export const DASH = "6 4";

/**
 * A legend laid out in as many columns as fit `width`, under the plot. Long labels are cut with an ellipsis;
 * the full label stays in the item's <title> (a tooltip) and in the chart's <desc>.
 */
export function renderLegend(items: LegendItem[], x: number, y: number, width: number): { svg: string; height: number } {
  if (items.length === 0) return { svg: "", height: 0 };
  const rowHeight = 18;
  const swatch = 26;
  const longest = Math.max(...items.map((it) => textWidth(it.label)));
  const column = Math.min(width, swatch + longest + 18);
  const columns = Math.max(1, Math.floor(width / column));
  const parts: string[] = [];
  items.forEach((it, i) => {
    const cx = x + (i % columns) * column;
    const cy = y + Math.floor(i / columns) * rowHeight + rowHeight / 2;
    const label = truncate(it.label, column - swatch - 8);
    const mark = it.square
      ? `<rect x="${coord(cx + 6)}" y="${coord(cy - 6)}" width="12" height="12" fill="${it.color}" fill-opacity="0.75"/>`
      : `<line x1="${coord(cx)}" x2="${coord(cx + 20)}" y1="${coord(cy)}" y2="${coord(cy)}" stroke="${it.color}" stroke-width="2"${it.dashed ? ` stroke-dasharray="${it.dash ?? DASH}"` : ""}/>` +
        (it.marker === false ? "" : `<circle cx="${coord(cx + 10)}" cy="${coord(cy)}" r="3" fill="${it.color}"/>`);
    parts.push(`<g><title>${escapeHtml(it.label)}</title>${mark}<text x="${coord(cx + swatch)}" y="${coord(cy)}" dominant-baseline="middle" fill="#222">${escapeHtml(label)}</text></g>`);
  });
  return { svg: parts.join(""), height: Math.ceil(items.length / columns) * rowHeight };
}
