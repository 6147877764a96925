/**
 * The worker's log: one JSON object per line (what Workers Logs and `wrangler tail` index), with a level and
 * an event name. Nothing from a request body is ever passed here.
 */
export type LogLevel = "info" | "warn" | "error";

export type LogFields = Readonly<Record<string, string | number | boolean | null>>;

const CONSOLE: Record<LogLevel, (line: string) => void> = {
  info: (line) => console.log(line),
  warn: (line) => console.warn(line),
  error: (line) => console.error(line),
};

/** Writes `{"level", "event", ...fields}` as one line. */
export function logEvent(level: LogLevel, event: string, fields: LogFields = {}): void {
  CONSOLE[level](JSON.stringify({ level, event, ...fields }));
}
