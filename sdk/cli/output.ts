import type { BackendName } from "../backend";
import { oneOfFlag, type CommandSpec, type ParsedFlags } from "./command-spec";

/** Prints exactly one JSON object on stdout (the `--json` contract). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + "\n");
}

/** `--backend` as the SDK's `backend` option (absent: the best one available). */
export function backendFlag(spec: CommandSpec, flags: ParsedFlags): { backend?: BackendName } {
  const backend = oneOfFlag<BackendName>(spec, flags, "backend");
  return backend === undefined ? {} : { backend };
}
