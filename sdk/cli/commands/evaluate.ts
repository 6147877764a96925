import { evaluateRun } from "../../api/pipeline";
import { booleanFlag, requiredFlag, type CommandSpec } from "../command-spec";
import { BACKEND_FLAG, JSON_FLAG } from "../common-flags";
import { cliLogger } from "../interrupt";
import { backendFlag, printJson } from "../output";

export const evaluateCommand: CommandSpec = {
  name: "evaluate",
  summary: "AUC and logloss of every model of a run (teachers, student, student.wasm) on a labelled file",
  flags: {
    run: { type: "string", valueName: "DIR", description: "a run directory", required: true },
    data: { type: "string", valueName: "FILE", description: "a labelled file in the run's data format", required: true },
    json: JSON_FLAG,
    backend: BACKEND_FLAG,
  },
  examples: ["evaluate --run runs/ml --data ../shared/data/movielens-100k/ua.test --json"],
  async run(flags) {
    const result = await evaluateRun(requiredFlag(this, flags, "run"), requiredFlag(this, flags, "data"), { logger: cliLogger, signal: cliLogger.signal, ...backendFlag(this, flags) });
    if (booleanFlag(flags, "json")) printJson(result);
    else for (const r of result.models) process.stdout.write(`${r.name.padEnd(14)} ${r.kind.padEnd(8)} AUC ${r.auc.toFixed(4)}  logloss ${r.logloss.toFixed(4)}\n`);
  },
};
