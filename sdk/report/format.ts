import { stepDecimals } from "./nice-ticks";

/**
 * An SVG coordinate or length: at most two decimals, no trailing zeros. A non-finite value is a bug in the
 * caller (charts skip such points before they get here), so it throws rather than write "NaN" into the SVG.
 */
export function coord(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`coord: expected a finite coordinate, got ${v}`);
  const r = Math.round(v * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}

/** A tick label with as many decimals as the step needs (step 0.05 → "0.15"); very large or small in exponent form. */
export function tickLabel(v: number, step: number): string {
  if (!Number.isFinite(v)) return "";
  if (v === 0) return "0";
  if (Math.abs(v) >= 1e6 || step < 1e-6) return v.toExponential(2);
  return v.toFixed(stepDecimals(step));
}

/** A metric such as AUC or logloss, fixed decimals; "n/a" for a value that is not finite. */
export function formatMetric(v: number, digits = 4): string {
  return Number.isFinite(v) ? v.toFixed(digits) : "n/a";
}

/** A count with thousands separators (1,234,567); "n/a" for a value that is not finite. */
export function formatCount(v: number): string {
  return Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "n/a";
}

/** A size in decimal units, three significant digits: 950 B, 4 kB, 16.5 kB, 1.2 MB (the budgets are gzip bytes). */
export function formatBytes(v: number): string {
  if (!Number.isFinite(v)) return "n/a";
  const [unit, scale] = Math.abs(v) >= 1e6 ? ["MB", 1e6] : Math.abs(v) >= 1e3 ? ["kB", 1e3] : ["B", 1];
  return `${+(v / scale).toPrecision(3)} ${unit}`;
}
