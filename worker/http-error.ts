import type { LogLevel } from "./log";

/** The JSON body of every error the worker answers: `{"error": {"code", "message", "field"}}`. */
export interface ErrorBody {
  error: { code: string; message: string; field: string | null };
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } as const;

/**
 * An error with its HTTP status, a stable machine-readable `code`, a message for people and the request
 * `field` it concerns (e.g. `rows[3].C1`), or null. It renders itself; anything else thrown is a bug.
 */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Set for the few client errors an operator wants to count (an interrupted upload): logged at this level. */
    readonly logLevel: LogLevel | null = null,
  ) {
    super(message);
  }

  toResponse(extraHeaders: Readonly<Record<string, string>> = {}): Response {
    const body: ErrorBody = { error: { code: this.code, message: this.message, field: this.field } };
    return jsonResponse(body, { ...extraHeaders, ...this.headers }, this.status);
  }
}

/**
 * A JSON answer with the worker's usual headers, Content-Length included: a HEAD answer keeps the headers
 * of its GET, and the runtime cannot measure a body that is not there.
 */
export function jsonResponse(body: unknown, headers: Readonly<Record<string, string>> = {}, status = 200): Response {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  return new Response(bytes, { status, headers: { ...JSON_HEADERS, "content-length": String(bytes.byteLength), ...headers } });
}

export const badRequest = (code: string, message: string, field: string | null = null) => new HttpError(400, code, message, field);

/** Longest client-sent text (a key, a path) echoed in a reply, in UTF-16 code units. */
export const MAX_ECHO_LENGTH = 64;

/**
 * `text` cut to MAX_ECHO_LENGTH with an ellipsis: what a reply may echo of what the client sent, so that a
 * 1 MB key costs a 1 MB request, not a 2 MB reply as well.
 */
export function echoed(text: string): string {
  return text.length > MAX_ECHO_LENGTH ? `${text.slice(0, MAX_ECHO_LENGTH)}…` : text;
}

/** 500 `internal`, with nothing of the cause in it: the cause goes to the log. */
export const internalError = () => new HttpError(500, "internal", "internal error");
