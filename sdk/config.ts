import { readFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { RunConfig } from "./config-types";
import { ConfigError } from "./config/config-error";
import { lineOf } from "./config/locate";
import { parseConfig } from "./config/parse";
import { UserError } from "./errors";

/**
 * The run configuration (DESIGN.md "Run configuration"; every key in docs/config.md): `parseConfig` checks a
 * document against the reference in config/schema.ts, `loadConfig` reads one from a JSON or YAML file.
 */
export { parseConfig, type ParseOptions } from "./config/parse";
export { DEFAULT_MAX_LENGTH, DEFAULT_SEPARATOR } from "./config/schema";

function isYaml(file: string): boolean {
  return [".yaml", ".yml"].includes(extname(file).toLowerCase());
}

function parseText(file: string, text: string): unknown {
  if (isYaml(file)) {
    try {
      return parseYaml(text);
    } catch (e) {
      if (e instanceof YAMLParseError) throw new UserError(`${file}:${e.linePos?.[0].line ?? 1}: not valid YAML (${e.message.split("\n")[0]})`);
      throw e;
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Reads and validates a config file: JSON, or YAML for `.yaml`/`.yml`. Relative data paths resolve from the
 * file's folder, and an error names the file and the line of the bad key:
 * `configs/x.json:7: config.data.features[2].type: expected one of …`.
 */
export function loadConfig(file: string): RunConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UserError(`cannot read config file '${file}'`);
  }
  const doc = parseText(file, text);
  try {
    return parseConfig(doc, "config", { baseDir: dirname(resolve(file)) });
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    const line = e instanceof ConfigError ? lineOf(text, e.path) : undefined;
    throw new UserError(`${file}${line === undefined ? "" : `:${line}`}: ${e.message}`);
  }
}
