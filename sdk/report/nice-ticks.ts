/** Ticks of an axis: `lo`/`hi` are the domain widened outward to whole steps; `ticks` run from lo to hi. */
export interface NiceTicks {
  lo: number;
  hi: number;
  step: number;
  ticks: number[];
}

export interface NiceTicksOptions {
  /** About how many ticks to aim for (default 5). */
  count?: number;
  /** Whole-number steps only (epochs). */
  integer?: boolean;
}

/** Values beyond this magnitude are not plotted: the arithmetic of a scale on them would overflow. */
export const MAX_PLOTTABLE = 1e100;

/** A finite value a chart can place. */
export function isPlottable(v: number): boolean {
  return Number.isFinite(v) && Math.abs(v) <= MAX_PLOTTABLE;
}

/** The "nice" number (1, 2, 5 × 10^k) closest to x (round) or at least x (ceil); Heckbert, Graphics Gems (1990). */
function niceNumber(x: number, round: boolean): number {
  const exp = Math.floor(Math.log10(x));
  const f = x / 10 ** exp;
  const nf = round ? (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) : f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nf * 10 ** exp;
}

/** Decimal places that show every multiple of `step` exactly (0.05 → 2, 10 → 0). */
export function stepDecimals(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  return Math.max(0, Math.min(12, -Math.floor(Math.log10(step) + 1e-9)));
}

/**
 * Nice ticks covering [min, max] (Heckbert's loose labelling). Equal bounds are widened so that the range is
 * never zero; non-finite bounds fall back to [0, 1]. min > max is accepted and swapped.
 */
export function niceTicks(min: number, max: number, options: NiceTicksOptions = {}): NiceTicks {
  const count = Math.max(2, options.count ?? 5);
  let lo = Math.min(min, max);
  let hi = Math.max(min, max);
  if (!isPlottable(lo) || !isPlottable(hi)) {
    const finite = [min, max].filter(isPlottable);
    lo = finite.length > 0 ? Math.min(...finite) : 0;
    hi = finite.length > 0 ? Math.max(...finite) : 1;
  }
  if (lo === hi) {
    const pad = options.integer ? 1 : lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const range = niceNumber(hi - lo, false);
  let step = niceNumber(range / (count - 1), true);
  if (options.integer) step = Math.max(1, Math.round(step));
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) {
    // k × step, cleaned of binary noise (0.30000000000000004 → 0.3) and of signed zero
    const t = Number((k * step).toPrecision(12));
    ticks.push(k === 0 ? 0 : t);
  }
  return { lo: ticks[0]!, hi: ticks[ticks.length - 1]!, step, ticks };
}

/** Mantissas of log-axis ticks, sparsest first: decades, then 1-2-5, then every digit. */
const LOG_MANTISSAS: readonly (readonly number[])[] = [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]];

/**
 * Tick values of a log axis over [min, max] (0 < min ≤ max): the sparsest of decades, 1-2-5 or 1…9 per decade
 * that puts at least three ticks in range (at most `count` + 2 of them, when a sparser set has too few),
 * or, inside a range too narrow even for 1…9, linear nice ticks (three or more where a step of 1/16 of it allows). Empty when min is not positive or not finite.
 */
export function logTicks(min: number, max: number, options: { count?: number } = {}): number[] {
  const lo = Math.min(min, max);
  const hi = Math.max(min, max);
  if (!(lo > 0) || !isPlottable(hi)) return [];
  const count = Math.max(3, options.count ?? 6);
  const inRange = (mantissas: readonly number[]): number[] => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)); e++)
      for (const m of mantissas) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    return out;
  };
  let best: number[] = [];
  for (const mantissas of LOG_MANTISSAS) {
    const ticks = inRange(mantissas);
    if (ticks.length >= 3) return ticks.length <= count + 2 || best.length === 0 ? ticks : best;
    if (ticks.length > best.length) best = ticks;
  }
  // A range within one digit step: linear nice ticks, as many as it takes to have three inside it.
  let linear: number[] = [];
  for (let n = 4; n <= 16 && linear.length < 3; n *= 2) linear = niceTicks(lo, hi, { count: n }).ticks.filter((t) => t >= lo && t <= hi);
  return linear;
}
