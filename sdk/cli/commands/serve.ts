import { DEFAULT_PORT, serve } from "../../serve/serve";
import { integerFlag, requiredFlag, type CommandSpec } from "../command-spec";
import { CANARY_FLAGS, PORT_FLAG } from "../common-flags";
import { canaryFromFlags } from "../canary-flags";
import { cliLogger } from "../interrupt";

export const serveCommand: CommandSpec = {
  name: "serve",
  summary: "serve a run's student under wrangler dev on 127.0.0.1 (POST /v1/score, GET /v1/model, GET /healthz)",
  description: "The run's files are checked against each other and copied into a temporary Workers project, removed again on Ctrl-C. Port 0 takes a free one.",
  flags: { model: { type: "string", valueName: "DIR", description: "a run directory", required: true }, ...CANARY_FLAGS, port: PORT_FLAG },
  examples: ["serve --model runs/demo", "serve --model runs/demo --port 9000", "serve --model runs/demo --canary runs/demo-v2 --canary-share 0.5"],
  async run(flags) {
    const canary = canaryFromFlags(this, flags);
    const port = integerFlag(this, flags, "port", DEFAULT_PORT, 0, 65535);
    const handle = await serve({ modelDir: requiredFlag(this, flags, "model"), ...(canary === undefined ? {} : { canary }), port, onLog: cliLogger });
    const canaryNote = handle.canaryModelId === undefined ? "" : ` with canary ${handle.canaryModelId.slice(0, 12)}… at ${canary!.share}`;
    cliLogger(`serving model ${handle.modelId.slice(0, 12)}…${canaryNote} at ${handle.url} (POST /v1/score, GET /v1/model, GET /healthz); Ctrl-C stops`);
    // Ctrl-C (or SIGTERM) fires the CLI's interrupt signal; a second one exits at once, and serve() kills wrangler then.
    const interrupted = cliLogger.signal!;
    if (!interrupted.aborted) await new Promise((resolve) => interrupted.addEventListener("abort", resolve, { once: true }));
    await handle.stop();
  },
};
