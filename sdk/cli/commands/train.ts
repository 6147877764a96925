import { trainRun } from "../../api/pipeline";
import { booleanFlag, requiredFlag, type CommandSpec } from "../command-spec";
import { BACKEND_FLAG, CONFIG_FLAG, JSON_FLAG, OVERWRITE_FLAG, RESUME_FLAG, SKIP_BAD_LINES_FLAG } from "../common-flags";
import { cliLogger } from "../interrupt";
import { backendFlag, printJson } from "../output";

export const trainCommand: CommandSpec = {
  name: "train",
  summary: "stage 1: the feature map and the pre-trained teachers, saved in a run directory for `distill`",
  flags: {
    config: CONFIG_FLAG,
    out: { type: "string", valueName: "DIR", description: "the run directory to create", required: true },
    json: JSON_FLAG,
    backend: BACKEND_FLAG,
    "skip-bad-lines": SKIP_BAD_LINES_FLAG,
    overwrite: OVERWRITE_FLAG,
    resume: RESUME_FLAG,
  },
  examples: ["train --config configs/movielens-100k.json --out runs/ml", "train --config configs/movielens-100k.json --out runs/ml --resume"],
  async run(flags) {
    const result = await trainRun(requiredFlag(this, flags, "config"), {
      outDir: requiredFlag(this, flags, "out"),
      logger: cliLogger,
      signal: cliLogger.signal,
      ...backendFlag(this, flags),
      skipBadLines: booleanFlag(flags, "skip-bad-lines"),
      resume: booleanFlag(flags, "resume"),
      overwrite: booleanFlag(flags, "overwrite"),
    });
    if (booleanFlag(flags, "json")) printJson(result);
    else for (const r of result.teachers) process.stdout.write(`${r.model.padEnd(12)} test AUC ${r.auc.toFixed(4)}  logloss ${r.logloss.toFixed(4)}  params ${r.params}\n`);
  },
};
