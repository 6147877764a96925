/**
 * A mistake of the user (bad config, bad data, missing file): the CLI prints its one-line message on stderr
 * and exits 1, with no stack trace. Anything else is a bug and keeps its stack.
 */
export class UserError extends Error {
  override name = "UserError";
}

/** Where in a data file a problem is: `file:line: field 'x': message`. */
export class DataError extends UserError {
  override name = "DataError";
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string | null,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${field === null ? "" : `field '${field}': `}${reason}`);
  }
}

/** The caller's AbortSignal fired: the work stopped between two steps and left no half-written output. */
export class AbortError extends Error {
  override name = "AbortError";
  constructor(readonly reason?: unknown) {
    super(`aborted${reason instanceof Error ? `: ${reason.message}` : typeof reason === "string" ? `: ${reason}` : ""}`);
  }
}

/** Throws an AbortError when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError(signal.reason);
}
