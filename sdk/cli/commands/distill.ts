import { distillRun } from "../../api/pipeline";
import { formatRunTable } from "../../pipeline/table";
import { booleanFlag, requiredFlag, type CommandSpec } from "../command-spec";
import { BACKEND_FLAG, HTTP_CHECK_PORT_FLAG, JSON_FLAG, NO_HTTP_CHECK_FLAG, STUDENT_BUDGET_FLAG } from "../common-flags";
import { cliLogger } from "../interrupt";
import { backendFlag, budgetOption, httpCheckPort, printJson } from "../output";

export const distillCommand: CommandSpec = {
  name: "distill",
  summary: "stage 2: the students from the teachers `train` saved, then export and checks",
  flags: {
    run: { type: "string", valueName: "DIR", description: "a run directory written by `ctr-distill train`", required: true },
    json: JSON_FLAG,
    backend: BACKEND_FLAG,
    budget: STUDENT_BUDGET_FLAG,
    "no-http-check": NO_HTTP_CHECK_FLAG,
    port: HTTP_CHECK_PORT_FLAG,
  },
  examples: ["distill --run runs/ml", "distill --run runs/ml --json --no-http-check"],
  async run(flags) {
    const report = await distillRun(requiredFlag(this, flags, "run"), {
      logger: cliLogger,
      signal: cliLogger.signal,
      ...backendFlag(this, flags),
      ...budgetOption(this, flags),
      httpCheckPort: httpCheckPort(this, flags),
    });
    if (booleanFlag(flags, "json")) printJson(report);
    else process.stdout.write(formatRunTable(report) + "\n");
  },
};
