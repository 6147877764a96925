import { checkBearer } from "./auth";
import { corsHeaders, preflight } from "./cors";
import { HttpError, echoed, internalError } from "./http-error";
import { logEvent } from "./log";
import { switchesFor, type ResolvedOptions, type Switches } from "./switches";

/** The route's own work, once the edge has let the request through; `requestId` goes into its log lines. */
export type RouteHandler = (request: Request, requestId: string) => Promise<Response>;

export interface EdgeConfig {
  options: ResolvedOptions;
  /** The methods a path allows, or null for an unknown path (for preflights). */
  methodsFor: (pathname: string) => readonly string[] | null;
  /** Headers on every reply that the route did not set itself (e.g. `x-model-id`). */
  headers: Readonly<Record<string, string>>;
}

/**
 * Neither token nor rate limit: a load balancer's health check carries no token and must not read a 429 as
 * "down", and the route tells nothing but the model id.
 */
const OPEN_PATHS: ReadonlySet<string> = new Set(["/healthz"]);

/** `cf-ray` as Cloudflare sets it (`8f1e2d3c4b5a6978-AMS`); anything else is replaced, never echoed. */
const RAY = /^[\w-]{1,64}$/;

/** The request id: Cloudflare's `cf-ray` when present (so logs join Cloudflare's), else a fresh UUID. */
export function requestIdOf(request: Request): string {
  const ray = request.headers.get("cf-ray");
  return ray !== null && RAY.test(ray) ? ray : crypto.randomUUID();
}

/** The client's address, the key of the rate limit: Cloudflare sets `cf-connecting-ip` on every request it proxies. */
function rateLimitKey(request: Request): string {
  return request.headers.get("cf-connecting-ip") ?? "unknown";
}

/** The rate limit first (so that guessing tokens is limited too), then the token. */
async function admit(request: Request, pathname: string, switches: Switches): Promise<void> {
  if (OPEN_PATHS.has(pathname)) return;
  if (switches.rateLimiter !== null && !(await switches.rateLimiter.limit({ key: rateLimitKey(request) })).success)
    throw new HttpError(429, "rate_limited", "too many requests; slow down and retry later");
  if (switches.token !== undefined) await checkBearer(request, switches.token);
}

/** An error as the client's reply; a client error is logged only when it asks to be, anything else is a bug. */
function errorResponse(e: unknown, request: Request, pathname: string, requestId: string): Response {
  const where = { requestId, method: echoed(request.method), path: echoed(pathname) };
  if (e instanceof HttpError) {
    if (e.logLevel !== null) logEvent(e.logLevel, e.code, { ...where, status: e.status });
    return e.toResponse();
  }
  const error = e instanceof Error ? e : new Error(String(e));
  logEvent("error", "unexpected_error", { ...where, error: `${error.name}: ${error.message}`, stack: error.stack ?? null });
  return internalError().toResponse();
}

/**
 * Wraps a route handler with what every request goes through, in order: a request id (echoed as
 * `x-request-id`, in every log line), the CORS preflight, the rate limit, the bearer token; and on every
 * reply, error or not, `X-Content-Type-Options: nosniff`, the CORS headers and `config.headers` (unless the
 * route set them).
 */
export function withEdge(handle: RouteHandler, config: EdgeConfig): ExportedHandler {
  return {
    async fetch(request: Request, env: unknown): Promise<Response> {
      const requestId = requestIdOf(request);
      const { pathname } = new URL(request.url);
      const switches = switchesFor(config.options, (env ?? {}) as Record<string, unknown>);
      let response: Response;
      try {
        const methods = config.methodsFor(pathname);
        if (request.method === "OPTIONS" && switches.corsOrigins !== null && methods !== null) response = preflight(methods);
        else {
          await admit(request, pathname, switches);
          response = await handle(request, requestId);
        }
      } catch (e) {
        response = errorResponse(e, request, pathname, requestId);
      }
      for (const [k, v] of Object.entries(config.headers)) if (!response.headers.has(k)) response.headers.set(k, v);
      const headers = { ...(switches.corsOrigins === null ? {} : corsHeaders(request, switches.corsOrigins)), "x-request-id": requestId, "x-content-type-options": "nosniff" };
      for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
      return response;
    },
  };
}
