/**
 * Series colours: the Okabe–Ito palette (colour-blind safe, Okabe & Ito 2008) without its yellow, which is
 * too light on white, followed by darker tones for the ninth series on. Colours repeat after the last one.
 */
export const SERIES_COLORS: readonly string[] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C564B", "#7F7F7F", "#17BECF"];

/** Colour of the i-th series. */
export function seriesColor(i: number): string {
  return SERIES_COLORS[((i % SERIES_COLORS.length) + SERIES_COLORS.length) % SERIES_COLORS.length]!;
}

/** Gridlines, axes and secondary text. */
export const GRID_COLOR = "#e3e3e3";
export const AXIS_COLOR = "#555";
export const MUTED_TEXT = "#666";
