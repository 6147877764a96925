import { UserError } from "../errors";

/** A key's place in the config document: `["training", "epochs"]`, `["teachers", 0, "model"]`. */
export type ConfigPath = readonly (string | number)[];

/** `config.teachers[0].model`: how messages name a path under the root label `root`. */
export function formatPath(root: string, path: ConfigPath): string {
  return path.reduce<string>((at, key) => (typeof key === "number" ? `${at}[${key}]` : `${at}.${key}`), root);
}

/**
 * A mistake in a config document, with the path of the key at fault so that loadConfig can add the line
 * of a config file. The message already names the path (`config.distill.alpha: expected …`).
 */
export class ConfigError extends UserError {
  constructor(
    readonly path: ConfigPath,
    message: string,
  ) {
    super(message);
  }
}
