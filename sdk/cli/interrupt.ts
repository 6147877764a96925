import { stderrLogger, type Logger } from "../log";

/**
 * Ctrl-C as cancellation: the first SIGINT or SIGTERM aborts the running command through the same AbortSignal
 * the SDK takes, so training stops between two steps and the partial output folder is removed (the previous
 * run stays as it was); a second one exits at once.
 */
const interrupt = new AbortController();

/** The CLI's logger: stderr, with the interrupt signal. */
export const cliLogger: Logger = Object.assign((message: string) => stderrLogger(message), {
  ...(stderrLogger.redraw !== undefined ? { redraw: stderrLogger.redraw } : {}),
  signal: interrupt.signal,
});

/** Exit code of a command stopped by a signal (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT = 130;

/** Installs the handlers for one CLI invocation; returns the function that removes them. */
export function catchInterrupts(): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(INTERRUPTED_EXIT);
    stderrLogger.redraw?.("");
    stderrLogger(`ctr-distill: ${signal}: stopping (${signal === "SIGINT" ? "Ctrl-C" : signal} again to quit at once)`);
    interrupt.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
