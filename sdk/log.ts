/** Everything human-readable goes to stderr, so that `--json` output on stdout stays one clean object. */
export type Logger = (message: string) => void;

export const stderrLogger: Logger = (message) => {
  process.stderr.write(message + "\n");
};

export const silentLogger: Logger = () => {};

/** Formats seconds as `1m05s` / `42s` for ETAs. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
