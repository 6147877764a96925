import { parseArgs } from "node:util";
import { didYouMean } from "../config/suggest";
import { UserError } from "../errors";

/**
 * One CLI command as a table: its flags (with their help), a summary, examples and the adapter that runs it.
 * The parser, `COMMAND --help` and the README's CLI section are all generated from these tables
 * (sdk/cli/help.ts), so a flag cannot exist without its help.
 */

/** One flag of a command. */
export interface FlagSpec {
  type: "string" | "boolean";
  /** What it does, one sentence. */
  description: string;
  /** Placeholder of the value in the usage line (`--config FILE`); strings only. */
  valueName?: string;
  /** The default as the user would write it, shown in the help. */
  default?: string;
  /** The accepted values, shown in the help and checked by `oneOfFlag`. */
  values?: readonly string[];
  /** May be given several times (`--keep id --keep ts`); comma-separated lists are split too. */
  multiple?: boolean;
  /** Shown in the usage line (not only under "options"). */
  required?: boolean;
}

/** The parsed flags: a string, a boolean, a list (`multiple`) or undefined when absent. */
export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

export interface CommandSpec {
  name: string;
  /** One line: what the command does. */
  summary: string;
  /** A paragraph or two more, for `COMMAND --help`. */
  description?: string;
  flags: Record<string, FlagSpec>;
  /** Whole command lines, without the leading `ctr-distill`. */
  examples: string[];
  /** The adapter: flags → library call → print. Throws UserError for a user's mistake. */
  run(flags: ParsedFlags): Promise<void>;
}

/** Parses `argv` strictly against a command's table: an unknown flag or a missing value is a UserError. */
export function parseCommandFlags(spec: CommandSpec, argv: string[]): ParsedFlags {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean }> = {};
  for (const [name, flag] of Object.entries(spec.flags)) options[name] = { type: flag.type, ...(flag.multiple ? { multiple: true } : {}) };
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (e) {
    const message = (e as Error).message.split("\n")[0]!;
    const unknown = /^Unknown option '--([^']+)'/.exec(message)?.[1];
    const hint = unknown === undefined ? "" : didYouMean(unknown, Object.keys(spec.flags)).replace("'", "'--");
    throw new UserError(`${spec.name}: ${unknown === undefined ? message : `unknown option '--${unknown}'`}${hint} (see \`ctr-distill ${spec.name} --help\`)`);
  }
  const parsed: ParsedFlags = {};
  for (const [name, value] of Object.entries(values)) {
    parsed[name] = Array.isArray(value) ? value.flatMap((v) => String(v).split(",")).filter((v) => v !== "") : value;
  }
  return parsed;
}

/** A required string flag. */
export function requiredFlag(spec: CommandSpec, flags: ParsedFlags, name: string): string {
  const v = flags[name];
  if (typeof v !== "string" || v === "") throw new UserError(`${spec.name}: --${name} is required (see \`ctr-distill ${spec.name} --help\`)`);
  return v;
}

/** An optional string flag. */
export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === "string" ? v : undefined;
}

/** An optional list flag (`multiple`): every value given, commas split. */
export function listFlag(flags: ParsedFlags, name: string): string[] {
  const v = flags[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

/** A string flag restricted to the table's `values`. */
export function oneOfFlag<T extends string>(spec: CommandSpec, flags: ParsedFlags, name: string): T | undefined {
  const v = stringFlag(flags, name);
  const allowed = spec.flags[name]?.values ?? [];
  if (v !== undefined && !allowed.includes(v)) throw new UserError(`${spec.name}: --${name} must be one of ${allowed.join(", ")}, got '${v}'`);
  return v as T | undefined;
}

/** A positive integer flag (or the fallback when absent). */
export function integerFlag(spec: CommandSpec, flags: ParsedFlags, name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`${spec.name}: --${name} must be an integer in ${min}..${max}, got '${String(v)}'`);
  return n;
}

/** A number flag in [min, max], or undefined when absent. */
export function numberFlag(spec: CommandSpec, flags: ParsedFlags, name: string, min: number, max: number): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !(n >= min && n <= max)) throw new UserError(`${spec.name}: --${name} must be a number from ${min} to ${max}, got '${String(v)}'`);
  return n;
}

/** True when a boolean flag was given. */
export function booleanFlag(flags: ParsedFlags, name: string): boolean {
  return flags[name] === true;
}
