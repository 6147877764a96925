import { HttpError } from "./http-error";

/** RFC 6750: `Authorization: Bearer <token>`. */
const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;
const REALM = 'Bearer realm="ctr-distill"';

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/**
 * Compares two tokens in time independent of where they differ: both are hashed to 32 bytes first (so
 * their lengths do not show either), then every byte pair is XORed without an early exit. Web Crypto only,
 * so it runs in every runtime the worker runs in.
 */
export async function tokensEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Refuses a request without `Authorization: Bearer <token>` (401, `WWW-Authenticate: Bearer`) or with the
 * wrong token (401, `error="invalid_token"`). `expected` null: the token is required but its secret is
 * missing, so nothing is served (503) rather than everything.
 */
export async function checkBearer(request: Request, expected: string | null): Promise<void> {
  if (expected === null) throw new HttpError(503, "auth_not_configured", "this worker requires a token but its CTR_DISTILL_TOKEN secret is not set", null, {}, "error");
  const match = BEARER.exec(request.headers.get("authorization") ?? "");
  if (match === null) throw new HttpError(401, "unauthorized", "missing bearer token: send 'Authorization: Bearer <token>'", null, { "www-authenticate": REALM });
  if (!(await tokensEqual(match[1]!, expected)))
    throw new HttpError(401, "invalid_token", "the bearer token is not valid", null, { "www-authenticate": `${REALM}, error="invalid_token"` });
}
