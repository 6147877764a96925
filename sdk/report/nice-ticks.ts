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
