/** Request limits of the worker; every one can be overridden per deployment through `createWorker`. */
export interface Limits {
  /** Largest request body accepted, in bytes (checked on Content-Length and on the bytes actually read). */
  maxBodyBytes: number;
  /** Most rows scored by one request. */
  maxRows: number;
  /** What to do with a row key that is not a feature of the map: answer 400, or skip it. */
  unknownFields: "reject" | "ignore";
}

/** 1 MiB: far above 1,000 rows of Criteo's 39 fields (~600 KB), far below the 128 MB isolate. */
export const DEFAULT_MAX_BODY_BYTES = 1 << 20;
/**
 * 1,000 rows: a page of candidates. Measured ~2 ms of CPU per 100 Criteo-shaped rows in workerd, so a full
 * page (~20 ms) needs the paid plan; the free plan's 10 ms holds ~400 rows.
 */
export const DEFAULT_MAX_ROWS = 1000;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  maxRows: DEFAULT_MAX_ROWS,
  unknownFields: "reject",
});

/** Fills in defaults and refuses nonsense (a limit that is not a positive integer, an unknown policy). */
export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS, ...overrides };
  for (const key of ["maxBodyBytes", "maxRows"] as const) {
    const v = limits[key];
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`limits.${key} must be a positive integer, got ${String(v)}`);
  }
  if (limits.unknownFields !== "reject" && limits.unknownFields !== "ignore")
    throw new Error(`limits.unknownFields must be "reject" or "ignore", got ${JSON.stringify(limits.unknownFields)}`);
  return limits;
}
