import { didYouMean } from "./config/suggest";
import { AbortError, UserError } from "./errors";
import { packageVersion } from "./package-root";
import { parseCommandFlags } from "./cli/command-spec";
import { COMMANDS } from "./cli/commands/index";
import { commandHelp, generalHelp } from "./cli/help";
import { catchInterrupts, INTERRUPTED_EXIT } from "./cli/interrupt";

const HELP = new Set(["--help", "-h", "help"]);

/** Runs one CLI invocation; returns the process exit code (0 ok, 1 user error, 2 internal error, 130 interrupted). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || HELP.has(name)) {
    process.stdout.write(generalHelp(COMMANDS, packageVersion()) + "\n");
    return 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(packageVersion() + "\n");
    return 0;
  }
  const release = catchInterrupts();
  try {
    const command = COMMANDS.find((c) => c.name === name);
    if (command === undefined) {
      const names = COMMANDS.map((c) => c.name);
      throw new UserError(`unknown command '${name}'${didYouMean(name, names) || `; commands: ${names.join(", ")}`} (see \`ctr-distill --help\`)`);
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(commandHelp(command) + "\n");
      return 0;
    }
    await command.run(parseCommandFlags(command, rest));
    return 0;
  } catch (e) {
    if (e instanceof AbortError) {
      process.stderr.write(`ctr-distill: ${name}: ${e.message}; nothing half-written was left, an existing output folder is as it was\n`);
      return INTERRUPTED_EXIT;
    }
    if (e instanceof UserError) {
      process.stderr.write(`ctr-distill: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`ctr-distill: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 2;
  } finally {
    release();
  }
}
