import type { PairedDifference } from "./types";

/** "+0.0012 [−0.0005, +0.0029]": a difference and its interval, signed, with `digits` decimals. */
export function formatDifference(d: PairedDifference, digits = 4): string {
  const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(digits)}` : "n/a");
  return `${signed(d.diff)} [${signed(d.low)}, ${signed(d.high)}]`;
}

/** How the interval was made: "95%, paired over 5 seeds" or "95%, paired bootstrap over test rows, 1000 resamples". */
export function describeInterval(d: PairedDifference): string {
  return d.method === "seeds" ? `95%, paired over ${d.samples} seeds` : `95%, paired bootstrap over test rows, ${d.samples} resamples`;
}

/** A student's comparison as one line: "student KD gating − best teacher (DNN): +0.0012 [−0.0005, +0.0029] (95%, paired over 5 seeds), within noise". */
export function describeComparison(name: string, against: string, d: PairedDifference): string {
  return `${name} − ${against} (${d.baseline}): ${formatDifference(d)} (${describeInterval(d)})${d.withinNoise ? ", within noise" : ""}`;
}
