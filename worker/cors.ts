/** Headers a browser may send cross-origin, and those it may read from a reply. */
const ALLOWED_HEADERS = "authorization, content-type";
const EXPOSED_HEADERS = "x-request-id, x-model-id";
/** How long a browser may cache a preflight answer (seconds). */
const PREFLIGHT_MAX_AGE = "600";

/**
 * CORS headers for a reply under an origin allow-list: `Vary: Origin` always (a cache must not serve one
 * origin's answer to another), `Access-Control-Allow-Origin` only when the request's Origin is listed
 * (or the list has `"*"`). Not listed: no allow header, and the browser blocks the reply.
 */
export function corsHeaders(request: Request, origins: ReadonlySet<string>): Record<string, string> {
  const origin = request.headers.get("origin");
  const headers: Record<string, string> = { vary: "Origin" };
  if (origin !== null && (origins.has(origin) || origins.has("*"))) {
    headers["access-control-allow-origin"] = origin;
    headers["access-control-expose-headers"] = EXPOSED_HEADERS;
  }
  return headers;
}

/** The answer to an `OPTIONS` preflight on a route allowing `methods`: 204, with what a browser may send. */
export function preflight(methods: readonly string[]): Response {
  const allow = [...methods, "OPTIONS"].join(", ");
  return new Response(null, {
    status: 204,
    headers: { allow, "access-control-allow-methods": allow, "access-control-allow-headers": ALLOWED_HEADERS, "access-control-max-age": PREFLIGHT_MAX_AGE },
  });
}
