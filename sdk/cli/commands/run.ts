import { runPipeline } from "../../api/pipeline";
import { formatRunTable } from "../../pipeline/table";
import { booleanFlag, requiredFlag, type CommandSpec } from "../command-spec";
import { HTTP_CHECK_PORT_FLAG, NO_HTTP_CHECK_FLAG, STUDENT_BUDGET_FLAG, TRAINING_FLAGS } from "../common-flags";
import { budgetOption, httpCheckPort, printJson, trainingOptions } from "../output";

export const runCommand: CommandSpec = {
  name: "run",
  summary: "the whole path: feature map, teachers, distilled student, evaluation, export and checks",
  description:
    "Fits the feature map on the training data, trains the configured teachers, distils the student from their " +
    "ensemble, evaluates every model on the test split, exports student.wasm and student.onnx, and checks the WASM " +
    "scorer against the tfjs student and over HTTP. The run is written beside --out and moved into place when complete.",
  flags: { ...TRAINING_FLAGS, budget: STUDENT_BUDGET_FLAG, "no-http-check": NO_HTTP_CHECK_FLAG, port: HTTP_CHECK_PORT_FLAG },
  examples: ["run --config configs/demo.json --out runs/demo", "run --config configs/demo.json --out runs/demo-small --budget 20000", "run --config configs/frappe-x1.json --out runs/frappe --json --no-http-check"],
  async run(flags) {
    const report = await runPipeline(requiredFlag(this, flags, "config"), {
      ...trainingOptions(this, flags),
      ...budgetOption(this, flags),
      httpCheckPort: httpCheckPort(this, flags),
    });
    if (booleanFlag(flags, "json")) printJson(report);
    else process.stdout.write(formatRunTable(report) + "\n");
  },
};
