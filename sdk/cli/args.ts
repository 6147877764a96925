import { parseArgs } from "node:util";
import { UserError } from "../errors";

export type OptionSpec = Record<string, { type: "string" | "boolean"; default?: string | boolean }>;

/** Parses `argv` strictly: an unknown flag or a missing value is a user error with a one-line message. */
export function parseFlags<T extends OptionSpec>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (e) {
    throw new UserError(`${command}: ${(e as Error).message.split("\n")[0]}`);
  }
}

export function required(command: string, values: Record<string, unknown>, flag: string): string {
  const v = values[flag];
  if (typeof v !== "string" || v === "") throw new UserError(`${command}: --${flag} is required`);
  return v;
}

export function port(command: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UserError(`${command}: --port must be an integer in 1..65535, got '${String(value)}'`);
  return n;
}
