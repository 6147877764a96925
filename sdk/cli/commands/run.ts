import { runPipeline } from "../../api/pipeline";
import { formatRunTable } from "../../pipeline/table";
import { booleanFlag, integerFlag, requiredFlag, type CommandSpec } from "../command-spec";
import { BACKEND_FLAG, CONFIG_FLAG, HTTP_CHECK_PORT_FLAG, JSON_FLAG, NO_HTTP_CHECK_FLAG, OVERWRITE_FLAG, RESUME_FLAG, SKIP_BAD_LINES_FLAG } from "../common-flags";
import { cliLogger } from "../interrupt";
import { backendFlag, printJson } from "../output";

export const runCommand: CommandSpec = {
  name: "run",
  summary: "the whole path: feature map, teachers, distilled student, evaluation, export and checks",
  description:
    "Fits the feature map on the training data, trains the configured teachers, distils the student from their " +
    "ensemble, evaluates every model on the test split, exports student.wasm and student.onnx, and checks the WASM " +
    "scorer against the tfjs student and over HTTP. The run is written beside --out and moved into place when complete.",
  flags: {
    config: CONFIG_FLAG,
    out: { type: "string", valueName: "DIR", description: "the run directory to create", required: true },
    json: JSON_FLAG,
    backend: BACKEND_FLAG,
    "skip-bad-lines": SKIP_BAD_LINES_FLAG,
    overwrite: OVERWRITE_FLAG,
    resume: RESUME_FLAG,
    "no-http-check": NO_HTTP_CHECK_FLAG,
    port: HTTP_CHECK_PORT_FLAG,
  },
  examples: ["run --config configs/demo.json --out runs/demo", "run --config configs/frappe-x1.json --out runs/frappe --json --no-http-check"],
  async run(flags) {
    const report = await runPipeline(requiredFlag(this, flags, "config"), {
      outDir: requiredFlag(this, flags, "out"),
      logger: cliLogger,
      signal: cliLogger.signal,
      ...backendFlag(this, flags),
      skipBadLines: booleanFlag(flags, "skip-bad-lines"),
      resume: booleanFlag(flags, "resume"),
      overwrite: booleanFlag(flags, "overwrite"),
      httpCheckPort: booleanFlag(flags, "no-http-check") ? null : integerFlag(this, flags, "port", 0, 0, 65535),
    });
    if (booleanFlag(flags, "json")) printJson(report);
    else process.stdout.write(formatRunTable(report) + "\n");
  },
};
