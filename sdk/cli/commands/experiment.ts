import { runExperiment } from "../../api/pipeline";
import { formatExperimentTable, formatSizeSweepTable } from "../../pipeline/table";
import { booleanFlag, integerFlag, listFlag, requiredFlag, type CommandSpec, type ParsedFlags } from "../command-spec";
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
    "size-sweep": {
      type: "string",
      valueName: "BYTES",
      description:
        "the size trade-off: at each budget (gzip bytes of student.wasm), a KD student from the gated ensemble and a label-only student, each sized to fit it as student.budgetBytes sizes run's; a budget no student reaches is reported, not trained",
      multiple: true,
    },
    json: JSON_FLAG,
    backend: BACKEND_FLAG,
    overwrite: OVERWRITE_FLAG,
  },
  examples: [
    "experiment --config configs/frappe-x1.json --out runs/exp-frappe",
    "experiment --config configs/movielens-100k.json --out runs/exp-ml --seeds 3 --json",
    "experiment --config configs/demo.json --out runs/exp-size --size-sweep 4000,40000,44500",
  ],
  async run(flags) {
    const result = await runExperiment(requiredFlag(this, flags, "config"), {
      outDir: requiredFlag(this, flags, "out"),
      seeds: integerFlag(this, flags, "seeds", 1),
      logger: cliLogger,
      signal: cliLogger.signal,
      ...backendFlag(this, flags),
      overwrite: booleanFlag(flags, "overwrite"),
      sizeSweep: sizeSweepFlag(this, flags),
    });
    cliLogger(`report${result.reports.length > 1 ? "s" : ""}: ${result.reports.join(", ")}`);
    const sweep = result.sizeSweep;
    if (booleanFlag(flags, "json")) printJson({ rows: result.rows, bayes: result.bayes, ...(sweep === undefined ? {} : { sizeSweep: sweep }), reports: result.reports });
    else process.stdout.write(formatExperimentTable(result.rows, result.bayes) + "\n" + (sweep === undefined ? "" : "\n" + formatSizeSweepTable(sweep) + "\n"));
  },
};

/** `--size-sweep 4000,16000 --size-sweep 64000`: the budgets, each a positive integer. */
function sizeSweepFlag(spec: CommandSpec, flags: ParsedFlags): number[] {
  return listFlag(flags, "size-sweep").map((v) => integerFlag(spec, { "size-sweep": v }, "size-sweep", 0));
}
