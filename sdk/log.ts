import type { ProgressEvent, StageProgress } from "./progress-events";

/**
 * Where long-running work reports: human-readable messages (the call), and optionally structured progress
 * for API callers, a way to redraw one status line in place (a terminal), and the caller's AbortSignal,
 * checked between training steps and data chunks. Library code never writes to stdout or stderr itself.
 */
export interface Logger {
  (message: string): void;
  /** Structured progress: what the progress line shows, as data. */
  readonly progress?: (event: ProgressEvent) => void;
  /** Redraws one status line in place ("" clears it); without it, status lines become messages. */
  readonly redraw?: (line: string) => void;
  /** Cancellation: training stops between two steps and the output folder is left as it was. */
  readonly signal?: AbortSignal;
}

/** Everything human-readable goes to stderr, so that `--json` output on stdout stays one clean object. */
export const stderrLogger: Logger = Object.assign((message: string) => void process.stderr.write(message + "\n"), {
  ...(process.stderr.isTTY === true ? { redraw: (line: string) => void process.stderr.write(line === "" ? "\r\x1b[K" : `\r${line}\x1b[K`) } : {}),
});

export const silentLogger: Logger = () => {};

/**
 * A logger for library callers: messages to `logger` (default: dropped), progress and the signal as given. A
 * `logger` that is itself a Logger with `redraw` (the CLI's, on a terminal) keeps redrawing its status line.
 */
export function libraryLogger(opts: { logger?: ((message: string) => void) | Logger; onProgress?: (event: ProgressEvent) => void; signal?: AbortSignal }): Logger {
  const redraw = (opts.logger as Logger | undefined)?.redraw;
  return Object.assign((message: string) => opts.logger?.(message), {
    ...(redraw !== undefined ? { redraw } : {}),
    ...(opts.onProgress !== undefined ? { progress: opts.onProgress } : {}),
    ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
  });
}

/** Formats seconds as `1m05s` / `42s` for ETAs. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** Says that a stage of the pipeline begins: a message, and a `stage` event for API callers. */
export function beginStage(log: Logger, stage: StageProgress["stage"], message: string): void {
  log.progress?.({ type: "stage", stage, message });
  log(message);
}
