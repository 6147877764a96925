/**
 * The worker's production switches, all off by default. Each is set in `createWorker({ ..., options })`
 * and/or in the Worker's environment (wrangler.jsonc `vars`, `wrangler secret put`, bindings), so that an
 * operator can turn one on without rebuilding the bundle.
 */

/** Environment names the worker reads. */
export const ENV = {
  /** Secret: the bearer token clients must send. Setting it turns authentication on. */
  token: "CTR_DISTILL_TOKEN",
  /** Var: comma-separated browser origins allowed by CORS, added to `options.corsOrigins`. */
  corsOrigins: "CTR_DISTILL_CORS_ORIGINS",
  /** Default name of the rate-limiting binding (wrangler.jsonc `ratelimits`). */
  rateLimiter: "CTR_DISTILL_RATE_LIMITER",
} as const;

export interface WorkerOptions {
  /**
   * Browser origins allowed to call the worker (`https://shop.example`, scheme and host, no path), or `"*"`
   * for any. Empty (the default) and no `CTR_DISTILL_CORS_ORIGINS`: no CORS headers, OPTIONS is 405.
   */
  corsOrigins?: readonly string[];
  /**
   * Fail closed: when true and the `CTR_DISTILL_TOKEN` secret is missing, every route but `/healthz` answers
   * 503 instead of serving unauthenticated. Without it, authentication is on exactly when the secret is set.
   */
  requireToken?: boolean;
  /** Name of the rate-limiting binding to use when the environment has it; default `CTR_DISTILL_RATE_LIMITER`. */
  rateLimitBinding?: string;
}

export interface ResolvedOptions {
  corsOrigins: readonly string[];
  requireToken: boolean;
  rateLimitBinding: string;
}

/** Cloudflare's rate-limiting binding (`ratelimits` in wrangler.jsonc). */
export interface RateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

const ORIGIN = /^https?:\/\/[^/\s?#]+$/;

/** Refuses an origin a browser never sends (a trailing slash, a path): it would silently never match. */
export function checkOrigin(origin: string, where: string): string {
  if (origin !== "*" && !ORIGIN.test(origin))
    throw new Error(`${where}: ${JSON.stringify(origin)} is not an origin; use scheme and host, e.g. "https://shop.example", or "*"`);
  return origin;
}

/** Fills in defaults and refuses nonsense at start-up (the worker then answers 503 naming `options`). */
export function resolveOptions(options: WorkerOptions = {}): ResolvedOptions {
  const corsOrigins = (options.corsOrigins ?? []).map((o) => checkOrigin(o, "options.corsOrigins"));
  const rateLimitBinding = options.rateLimitBinding ?? ENV.rateLimiter;
  if (typeof rateLimitBinding !== "string" || rateLimitBinding === "") throw new Error("options.rateLimitBinding must be a non-empty string");
  return { corsOrigins, requireToken: options.requireToken === true, rateLimitBinding };
}

/** What one request sees: the options merged with the environment of this invocation. */
export interface Switches {
  /** null: CORS off. */
  corsOrigins: ReadonlySet<string> | null;
  /** The expected token; undefined: authentication off; null: required but the secret is missing. */
  token: string | null | undefined;
  rateLimiter: RateLimiter | null;
}

function isRateLimiter(v: unknown): v is RateLimiter {
  return typeof v === "object" && v !== null && typeof (v as { limit?: unknown }).limit === "function";
}

/**
 * Reads the switches for one request. The environment may change between deployments, not between the
 * requests of one isolate, but it is only handed to `fetch`, so this runs per request (a few property reads).
 * An origin in `CTR_DISTILL_CORS_ORIGINS` that is not one is ignored, never fatal: a typo in a var must not
 * take the model down.
 */
export function switchesFor(options: ResolvedOptions, env: Readonly<Record<string, unknown>>): Switches {
  const fromEnv = typeof env[ENV.corsOrigins] === "string" ? (env[ENV.corsOrigins] as string).split(",").map((o) => o.trim()).filter((o) => o === "*" || ORIGIN.test(o)) : [];
  const origins = [...options.corsOrigins, ...fromEnv];
  const secret = env[ENV.token];
  const token = typeof secret === "string" && secret !== "" ? secret : options.requireToken ? null : undefined;
  const binding = env[options.rateLimitBinding];
  return { corsOrigins: origins.length > 0 ? new Set(origins) : null, token, rateLimiter: isRateLimiter(binding) ? binding : null };
}
