import { exportRun } from "../../api/pipeline";
import type { DenseQuantize, Quantize } from "../../export/quantize";
import { booleanFlag, integerFlag, oneOfFlag, requiredFlag, type CommandSpec } from "../command-spec";
import { JSON_FLAG } from "../common-flags";
import { printJson } from "../output";

export const exportCommand: CommandSpec = {
  name: "export",
  summary: "rebuild a run's student.wasm and student.onnx from its student checkpoint, quantised or to a byte budget",
  flags: {
    run: { type: "string", valueName: "DIR", description: "a run directory", required: true },
    quantize: { type: "string", valueName: "KIND", description: "how the embedding table is stored", values: ["none", "fp16", "int8"], default: "none (or, with --budget, the least lossy that fits)" },
    "quantize-dense": {
      type: "string",
      valueName: "KIND",
      description: "how the dense layers are stored: int8 has per-channel int8 weights and integer dot products (no student.onnx then)",
      values: ["none", "int8"],
      default: "none",
    },
    budget: { type: "string", valueName: "BYTES", description: "the largest student.wasm allowed, in bytes" },
    json: JSON_FLAG,
  },
  examples: ["export --run runs/demo --quantize int8", "export --run runs/demo --quantize int8 --quantize-dense int8", "export --run runs/demo --budget 3000000 --json"],
  async run(flags) {
    const dir = requiredFlag(this, flags, "run");
    const quantize = oneOfFlag<Quantize>(this, flags, "quantize");
    const quantizeDense = oneOfFlag<DenseQuantize>(this, flags, "quantize-dense");
    const budget = flags.budget === undefined ? undefined : integerFlag(this, flags, "budget", 0);
    const result = await exportRun(dir, { ...(quantize !== undefined ? { quantize } : {}), ...(quantizeDense !== undefined ? { quantizeDense } : {}), ...(budget !== undefined ? { budget } : {}) });
    if (booleanFlag(flags, "json")) printJson(result);
    else process.stdout.write(`exported ${dir}/student.wasm: ${result.bytes.toLocaleString("en-US")} bytes, ${result.quantize} embeddings, ${result.quantizeDense === "int8" ? "int8" : "f32"} dense layers, model ${result.modelId}\n`);
  },
};
