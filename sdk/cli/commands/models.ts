import { listModels } from "../../models/zoo";
import { booleanFlag, type CommandSpec } from "../command-spec";
import { JSON_FLAG } from "../common-flags";
import { printJson } from "../output";

export const modelsCommand: CommandSpec = {
  name: "models",
  summary: "list the teacher models and their default hyperparameters",
  flags: { json: JSON_FLAG },
  examples: ["models", "models --json"],
  async run(flags) {
    const models = listModels().map((m) => ({ name: m.name, description: m.description, defaults: m.defaults }));
    if (booleanFlag(flags, "json")) printJson({ models });
    else for (const m of models) process.stdout.write(`${m.name.padEnd(10)} ${m.description}\n`);
  },
};
