import { trainRun } from "../../api/pipeline";
import { booleanFlag, requiredFlag, type CommandSpec } from "../command-spec";
import { TRAINING_FLAGS } from "../common-flags";
import { printJson, trainingOptions } from "../output";

export const trainCommand: CommandSpec = {
  name: "train",
  summary: "stage 1: the feature map and the pre-trained teachers, saved in a run directory for `distill`",
  flags: TRAINING_FLAGS,
  examples: ["train --config configs/movielens-100k.json --out runs/ml", "train --config configs/movielens-100k.json --out runs/ml --resume"],
  async run(flags) {
    const result = await trainRun(requiredFlag(this, flags, "config"), trainingOptions(this, flags));
    if (booleanFlag(flags, "json")) printJson(result);
    else for (const r of result.teachers) process.stdout.write(`${r.model.padEnd(12)} test AUC ${r.auc.toFixed(4)}  logloss ${r.logloss.toFixed(4)}  params ${r.params}\n`);
  },
};
