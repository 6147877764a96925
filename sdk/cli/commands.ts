import { createWriteStream } from "node:fs";
import { loadConfig } from "../config";
import { readEncoded } from "../data/prepare";
import { stderrLogger } from "../log";
import { listModels } from "../models/zoo";
import { runSeededExperiment } from "../pipeline/experiment-seeds";
import { runPipeline } from "../pipeline/run";
import { formatExperimentTable, formatRunTable } from "../pipeline/table";
import { Scorer } from "../runtime/scorer";
import { UserError } from "../errors";
import { reexportRun } from "../export/reexport";
import { deployDryRun } from "../serve/deploy";
import { DEFAULT_PORT, serve } from "../serve/serve";
import { parseFlags, port, required } from "./args";
import { backendFor, printJson } from "./output";
import { loadRunDirectory } from "./run-directory";

export async function runCommand(argv: string[]): Promise<void> {
  const flags = parseFlags("run", argv, {
    config: { type: "string" },
    out: { type: "string" },
    json: { type: "boolean" },
    backend: { type: "string" },
    "skip-bad-lines": { type: "boolean" },
    resume: { type: "boolean" },
    "no-http-check": { type: "boolean" },
    port: { type: "string" },
  });
  const config = loadConfig(required("run", flags, "config"));
  const outDir = required("run", flags, "out");
  const backend = await backendFor(flags.backend);
  const report = await runPipeline({
    config,
    outDir,
    log: stderrLogger,
    backend,
    skipBadLines: flags["skip-bad-lines"] === true,
    resume: flags.resume === true,
    httpCheckPort: flags["no-http-check"] === true ? null : port("run", flags.port, DEFAULT_PORT),
  });
  if (flags.json === true) printJson(report);
  else process.stdout.write(formatRunTable(report) + "\n");
}

export async function experimentCommand(argv: string[]): Promise<void> {
  const flags = parseFlags("experiment", argv, { config: { type: "string" }, out: { type: "string" }, json: { type: "boolean" }, backend: { type: "string" }, seeds: { type: "string" } });
  const config = loadConfig(required("experiment", flags, "config"));
  const outDir = required("experiment", flags, "out");
  const seeds = flags.seeds === undefined ? 1 : Number(flags.seeds);
  if (!Number.isInteger(seeds) || seeds < 1) throw new UserError(`experiment: --seeds must be a positive integer, got '${String(flags.seeds)}'`);
  await backendFor(flags.backend);
  const result = await runSeededExperiment(config, outDir, seeds, stderrLogger);
  stderrLogger(`report${seeds > 1 ? "s" : ""}: ${result.reports.join(", ")}`);
  if (flags.json === true) printJson({ rows: result.rows, bayes: result.bayes, reports: result.reports });
  else process.stdout.write(formatExperimentTable(result.rows, result.bayes) + "\n");
}

export async function modelsCommand(argv: string[]): Promise<void> {
  const flags = parseFlags("models", argv, { json: { type: "boolean" } });
  const models = listModels().map((m) => ({ name: m.name, description: m.description, defaults: m.defaults }));
  if (flags.json === true) printJson({ models });
  else for (const m of models) process.stdout.write(`${m.name.padEnd(10)} ${m.description}\n`);
}

export async function scoreCommand(argv: string[]): Promise<void> {
  const flags = parseFlags("score", argv, { model: { type: "string" }, data: { type: "string" }, out: { type: "string" } });
  const run = await loadRunDirectory(required("score", flags, "model"));
  const file = required("score", flags, "data");
  const scorer = await Scorer.fromBytes(run.wasm);
  scorer.checkFeatureMap(run.featureMap);
  const ds = await readEncoded(file, run.config.data, run.featureMap);
  const scores = scorer.score(ds.ids, ds.values, ds.n);
  const out = typeof flags.out === "string" ? createWriteStream(flags.out) : process.stdout;
  const lines: string[] = [];
  for (const p of scores) lines.push(String(p));
  await new Promise<void>((resolve, reject) => out.write(lines.join("\n") + (lines.length > 0 ? "\n" : ""), (e) => (e ? reject(e) : resolve())));
  if (out !== process.stdout) await new Promise<void>((resolve) => (out as ReturnType<typeof createWriteStream>).end(resolve));
  stderrLogger(`scored ${ds.n} rows with model ${run.modelId.slice(0, 12)}…`);
}

export async function serveCommand(argv: string[]): Promise<void> {
  const flags = parseFlags("serve", argv, { model: { type: "string" }, port: { type: "string" } });
  const run = await loadRunDirectory(required("serve", flags, "model"));
  const handle = await serve({ modelDir: run.dir, port: port("serve", flags.port, DEFAULT_PORT), onLog: stderrLogger });
  stderrLogger(`serving model ${run.modelId.slice(0, 12)}… at ${handle.url} (POST /v1/score, GET /v1/model, GET /healthz); Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    const stop = () => void handle.stop().then(resolve);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

export async function exportCommand(argv: string[]): Promise<void> {
  const flags = parseFlags("export", argv, { run: { type: "string" }, quantize: { type: "string" }, budget: { type: "string" }, json: { type: "boolean" } });
  const dir = required("export", flags, "run");
  const quantize = flags.quantize;
  if (quantize !== undefined && quantize !== "none" && quantize !== "fp16" && quantize !== "int8")
    throw new UserError(`export: --quantize must be none, fp16 or int8, got '${quantize}'`);
  const budget = flags.budget === undefined ? undefined : Number(flags.budget);
  if (budget !== undefined && !(Number.isInteger(budget) && budget > 0)) throw new UserError(`export: --budget must be a positive number of bytes, got '${String(flags.budget)}'`);
  const result = await reexportRun(dir, { ...(quantize !== undefined ? { quantize } : {}), ...(budget !== undefined ? { budget } : {}) });
  if (flags.json === true) printJson(result);
  else process.stdout.write(`exported ${dir}/student.wasm: ${result.bytes.toLocaleString("en-US")} bytes, ${result.quantize} embeddings, model ${result.modelId}\n`);
}

export async function deployCommand(argv: string[]): Promise<void> {
  const flags = parseFlags("deploy", argv, { model: { type: "string" }, "dry-run": { type: "boolean" }, json: { type: "boolean" } });
  const run = await loadRunDirectory(required("deploy", flags, "model"));
  if (flags["dry-run"] !== true) throw new Error("deploy: only --dry-run is supported here (no network); use `npx wrangler deploy` with your account");
  const size = await deployDryRun(run.dir);
  if (flags.json === true) printJson(size);
  else process.stdout.write(`upload size: ${JSON.stringify(size)}\n`);
}
