import { UserError } from "../errors";
import type { CanaryRun } from "../serve/deploy";
import { numberFlag, stringFlag, type CommandSpec, type ParsedFlags } from "./command-spec";

/** Default share of the canary when `--canary` is given without `--canary-share`. */
export const DEFAULT_CANARY_SHARE = 0.05;

/** `--canary DIR [--canary-share F]` as a CanaryRun, or undefined; a share without a canary is refused. */
export function canaryFromFlags(spec: CommandSpec, flags: ParsedFlags): CanaryRun | undefined {
  const modelDir = stringFlag(flags, "canary");
  const share = numberFlag(spec, flags, "canary-share", 0, 1);
  if (modelDir === undefined) {
    if (share !== undefined) throw new UserError(`${spec.name}: --canary-share needs --canary DIR, the run that takes that share`);
    return undefined;
  }
  return { modelDir, share: share ?? DEFAULT_CANARY_SHARE };
}
