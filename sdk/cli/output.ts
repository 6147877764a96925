import type { TrainRunOptions } from "../api/pipeline";
import type { BackendName } from "../backend";
import { wranglerInstalled, wranglerVersion } from "../serve/wrangler";
import { booleanFlag, integerFlag, oneOfFlag, requiredFlag, type CommandSpec, type ParsedFlags } from "./command-spec";
import { cliLogger } from "./interrupt";

/** Prints exactly one JSON object on stdout (the `--json` contract). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + "\n");
}

/** `--backend` as the SDK's `backend` option (absent: the best one available). */
export function backendFlag(spec: CommandSpec, flags: ParsedFlags): { backend?: BackendName } {
  const backend = oneOfFlag<BackendName>(spec, flags, "backend");
  return backend === undefined ? {} : { backend };
}

/** The SDK options that the TRAINING_FLAGS (`run`, `train`) give, with the CLI's logger and Ctrl-C signal. */
export function trainingOptions(spec: CommandSpec, flags: ParsedFlags): TrainRunOptions {
  return {
    outDir: requiredFlag(spec, flags, "out"),
    logger: cliLogger,
    signal: cliLogger.signal,
    ...backendFlag(spec, flags),
    skipBadLines: booleanFlag(flags, "skip-bad-lines"),
    resume: booleanFlag(flags, "resume"),
    overwrite: booleanFlag(flags, "overwrite"),
  };
}

/** `--budget BYTES` of run and distill, as options of the API: nothing when absent. */
export function budgetOption(spec: CommandSpec, flags: ParsedFlags): { budgetBytes?: number } {
  return flags["budget"] === undefined ? {} : { budgetBytes: integerFlag(spec, flags, "budget", 0) };
}

/**
 * The port of `run`'s and `distill`'s HTTP self-check (0: a free one), or null to skip it: with
 * --no-http-check, or when wrangler (an optional peer dependency) is not installed and no --port asks for it.
 */
export function httpCheckPort(spec: CommandSpec, flags: ParsedFlags): number | null {
  if (booleanFlag(flags, "no-http-check")) return null;
  if (flags["port"] === undefined && !wranglerInstalled()) {
    cliLogger(`HTTP self-check skipped: wrangler is not installed (npm install --save-dev wrangler@${wranglerVersion()} to run it)`);
    return null;
  }
  return integerFlag(spec, flags, "port", 0, 0, 65535);
}
