import { UserError } from "./errors";
import { deployCommand, experimentCommand, exportCommand, modelsCommand, runCommand, scoreCommand, serveCommand } from "./cli/commands";
import { distillCommand, evaluateCommand, trainCommand } from "./cli/stage-commands";

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<void>; help: string }> = {
  run: { run: runCommand, help: "run --config C --out DIR [--json] [--backend B] [--skip-bad-lines] [--resume] [--no-http-check] [--port N]" },
  train: { run: trainCommand, help: "train --config C --out DIR [--json] [--backend B] [--skip-bad-lines] [--resume]" },
  distill: { run: distillCommand, help: "distill --run DIR [--json] [--backend B] [--no-http-check] [--port N]" },
  evaluate: { run: evaluateCommand, help: "evaluate --run DIR --data F [--json] [--backend B]" },
  experiment: { run: experimentCommand, help: "experiment --config C --out DIR [--seeds N] [--json] [--backend B]" },
  export: { run: exportCommand, help: "export --run DIR [--quantize none|fp16|int8] [--budget BYTES] [--json]" },
  models: { run: modelsCommand, help: "models [--json]" },
  score: { run: scoreCommand, help: "score --model DIR --data F [--out F]" },
  serve: { run: serveCommand, help: "serve --model DIR [--port 8787]" },
  deploy: { run: deployCommand, help: "deploy --model DIR --dry-run [--json]" },
};

function usage(): string {
  return ["usage: ctr-distill <command> [options]", "", ...Object.values(COMMANDS).map((c) => `  ctr-distill ${c.help}`)].join("\n");
}

/** Runs one CLI invocation; returns the process exit code (0 ok, 1 user error, 2 internal error). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage() + "\n");
    return 0;
  }
  const command = COMMANDS[name];
  try {
    if (command === undefined) throw new UserError(`unknown command '${name}'\n${usage()}`);
    await command.run(rest);
    return 0;
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`ctr-distill: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`ctr-distill: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 2;
  }
}
