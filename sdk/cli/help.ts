import type { CommandSpec, FlagSpec } from "./command-spec";

/** `--help` text and the README's CLI section, generated from the command tables (command-spec.ts). */

function flagToken(name: string, flag: FlagSpec): string {
  if (flag.type === "boolean") return `--${name}`;
  return `--${name} ${flag.valueName ?? "VALUE"}${flag.multiple ? "…" : ""}`;
}

/** `run --config FILE --out DIR [--json] …`: required flags bare, the others in brackets. */
export function usageLine(spec: CommandSpec): string {
  const parts = Object.entries(spec.flags).map(([name, flag]) => (flag.required ? flagToken(name, flag) : `[${flagToken(name, flag)}]`));
  return [spec.name, ...parts].join(" ");
}

function flagHelp(name: string, flag: FlagSpec): string {
  const notes: string[] = [];
  if (flag.values !== undefined) notes.push(`one of: ${flag.values.join(", ")}`);
  if (flag.default !== undefined) notes.push(`default: ${flag.default}`);
  if (flag.required) notes.push("required");
  if (flag.multiple) notes.push("repeatable, or comma-separated");
  return `  ${flagToken(name, flag).padEnd(24)} ${flag.description}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
}

/** `ctr-distill COMMAND --help`. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`usage: ctr-distill ${usageLine(spec)}`, "", `${spec.summary}.`];
  if (spec.description !== undefined) lines.push("", spec.description);
  lines.push("", "options:", ...Object.entries(spec.flags).map(([name, flag]) => flagHelp(name, flag)), flagHelp("help", { type: "boolean", description: "show this help" }));
  lines.push("", "examples:", ...spec.examples.map((e) => `  ctr-distill ${e}`));
  return lines.join("\n");
}

/** `ctr-distill --help`. */
export function generalHelp(commands: readonly CommandSpec[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `ctr-distill ${version}: ensemble knowledge distillation for CTR prediction, served from WebAssembly at the edge`,
    "",
    "usage: ctr-distill <command> [options]",
    "",
    "commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "`ctr-distill <command> --help` describes a command's options, with examples; `ctr-distill --version` prints the version.",
    "With --json a command prints one JSON object on stdout. A user's mistake exits 1 with one line on stderr.",
  ].join("\n");
}

/** The README's CLI block: one usage line a command, with its summary. */
export function readmeCliBlock(commands: readonly CommandSpec[]): string {
  return commands.map((c) => `npx ctr-distill ${usageLine(c)}\n    # ${c.summary}`).join("\n");
}
