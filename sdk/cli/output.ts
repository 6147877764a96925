import { selectBackend } from "../backend";
import { stderrLogger } from "../log";

/** Prints exactly one JSON object on stdout (the `--json` contract). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + "\n");
}

/** Selects the tfjs backend (or the one `--backend` names) and says which in the log. */
export async function backendFor(flag: unknown): Promise<string> {
  const choice = await selectBackend(typeof flag === "string" ? flag : undefined);
  const skipped = choice.skipped.length > 0 ? ` (not available: ${choice.skipped.join(", ")})` : "";
  stderrLogger(`tfjs backend: ${choice.name}${skipped}`);
  return choice.name;
}
