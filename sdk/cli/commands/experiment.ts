import { runExperiment } from "../../api/pipeline";
import { formatExperimentTable } from "../../pipeline/table";
import { booleanFlag, integerFlag, requiredFlag, type CommandSpec } from "../command-spec";
import { BACKEND_FLAG, CONFIG_FLAG, JSON_FLAG, OVERWRITE_FLAG } from "../common-flags";
import { cliLogger } from "../interrupt";
import { backendFlag, printJson } from "../output";

export const experimentCommand: CommandSpec = {
  name: "experiment",
  summary: "the paper's table: every teacher, the student without KD and distilled from each ensemble, with report.html",
  flags: {
    config: CONFIG_FLAG,
    out: { type: "string", valueName: "DIR", description: "the experiment directory to create", required: true },
    seeds: { type: "string", valueName: "N", description: "repeat over N seeds (training.seed, +1, …) and report mean ± std and paired intervals over the seeds", default: "1" },
    json: JSON_FLAG,
    backend: BACKEND_FLAG,
    overwrite: OVERWRITE_FLAG,
  },
  examples: ["experiment --config configs/frappe-x1.json --out runs/exp-frappe", "experiment --config configs/movielens-100k.json --out runs/exp-ml --seeds 3 --json"],
  async run(flags) {
    const result = await runExperiment(requiredFlag(this, flags, "config"), {
      outDir: requiredFlag(this, flags, "out"),
      seeds: integerFlag(this, flags, "seeds", 1),
      logger: cliLogger,
      signal: cliLogger.signal,
      ...backendFlag(this, flags),
      overwrite: booleanFlag(flags, "overwrite"),
    });
    cliLogger(`report${result.reports.length > 1 ? "s" : ""}: ${result.reports.join(", ")}`);
    if (booleanFlag(flags, "json")) printJson({ rows: result.rows, bayes: result.bayes, reports: result.reports });
    else process.stdout.write(formatExperimentTable(result.rows, result.bayes) + "\n");
  },
};
