/**
 * `npm run test:runtimes [-- --bench-ms N] [--only node,deno,...]`: the same student.wasm, the same rows,
 * in every runtime the loader claims to support.
 *
 * Builds the workers test fixture (test/workers/fixture-builder.ts) and a Criteo-shaped bench model
 * (runtimes/bench-model.ts) under runs/runtimes/, then in Node (the reference), Deno, Bun, workerd (through
 * the worker: serve() then POST /v1/score) and headless Chromium (through examples/browser/):
 * - scores the fixture's rows and the bench batch, and prints the largest |difference| from Node's scores;
 * - times the same loop of score() calls at batch 256 for about BENCH_MS (probe.ts) and prints rows/s.
 * Exits 1 when a difference exceeds 1e-6 or a runtime could not run. Leaves runs/runtimes/results.json
 * and runs/runtimes/browser.png (the page after scoring). Needs `npm run build:browser` first (the npm
 * script does it) and Debian's chromium for the browser.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { build } from "esbuild";
import { machineLine } from "../bench/harness";
import { packageRoot } from "../sdk/package-root";
import { buildFixture, type FixtureExpected } from "../test/workers/fixture-builder";
import { BENCH_BATCH, buildBenchModel, type BenchModel } from "./runtimes/bench-model";
import { CHROMIUM, runBrowser } from "./runtimes/browser";
import type { BenchResult, ProbeResult } from "./runtimes/probe";
import { benchInWorkerd, scoreThroughWorker, workerdVersion } from "./runtimes/workerd";

/** Largest |score - Node's score| accepted: the module is the same, so only the engines differ. */
const TOLERANCE = 1e-6;
const TOLERANCE_TEXT = "1e-6";
const RUNTIMES = ["node", "deno", "bun", "workerd", "chromium"] as const;
type Runtime = (typeof RUNTIMES)[number];
/** Longest run of one CLI probe (start, fixture, warm-up and the timed loop). */
const PROBE_TIMEOUT_MS = 120_000;

interface Options {
  benchMs: number;
  only: Runtime[];
}

/** One runtime's line of the report. */
interface Outcome {
  runtime: Runtime;
  version: string;
  /** Largest |Δ| from Node over the fixture rows and over the bench batch; null where not measured. */
  fixtureDiff: number | null;
  benchDiff: number | null;
  rowsPerSec: number | null;
  error?: string;
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { benchMs: 1000, only: [...RUNTIMES] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[i + 1];
    if (arg === "--bench-ms" && value !== undefined && /^\d+$/.test(value)) opts.benchMs = Number(argv[++i]);
    else if (arg === "--only" && value !== undefined) {
      const names = argv[++i]!.split(",");
      for (const n of names) if (!(RUNTIMES as readonly string[]).includes(n)) throw new Error(`--only: unknown runtime '${n}'; known: ${RUNTIMES.join(", ")}`);
      opts.only = names as Runtime[];
    } else throw new Error(`unexpected argument '${arg}'; usage: test-runtimes [--bench-ms N] [--only ${RUNTIMES.join(",")}]`);
  }
  if (!opts.only.includes("node")) opts.only.unshift("node"); // the reference
  return opts;
}

/** Bundles the probes: one ES module for Node, Deno and Bun, one for the browser page. */
async function buildProbes(root: string, outDir: string): Promise<void> {
  const common = { bundle: true, format: "esm", target: "es2022", logLevel: "warning" } as const;
  await build({ ...common, entryPoints: [join(root, "scripts/runtimes/probe-cli.ts")], outfile: join(outDir, "probe-cli.js"), platform: "neutral", external: ["node:*"] });
  await build({ ...common, entryPoints: [join(root, "scripts/runtimes/probe-browser.ts")], outfile: join(outDir, "probe-browser.js"), platform: "browser" });
}

/** Runs a command to completion; resolves with stdout, rejects with its stderr on a non-zero exit. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), PROBE_TIMEOUT_MS);
    child.once("error", (e) => (clearTimeout(timer), reject(e)));
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} exited with ${code ?? signal}: ${stderr.trim().slice(-2000)}`));
    });
  });
}

/** The probe's JSON line (the last line of its stdout). */
async function runProbe(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<ProbeResult> {
  const lines = (await run(command, args, env)).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as ProbeResult;
}

/** A free loopback port (wrangler dev wants a number). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d; // NaN wins
  }
  return m;
}

function localBin(root: string, name: string): string {
  const bin = join(root, "node_modules", ".bin", name);
  if (!existsSync(bin)) throw new Error(`${bin} not found: run npm ci (${name} is a devDependency)`);
  return bin;
}

interface Context {
  root: string;
  opts: Options;
  fixtureDir: string;
  bench: BenchModel;
  probeDir: string;
  rows: Record<string, unknown>[];
  screenshot: string;
}

interface Measured {
  version: string;
  fixture: number[];
  bench?: BenchResult;
}

function fromProbe(p: ProbeResult): Measured {
  if (p.fixture === undefined) throw new Error(`the ${p.runtime} probe returned no fixture scores`);
  return { version: p.version, fixture: p.fixture.ctr, ...(p.bench ? { bench: p.bench } : {}) };
}

async function measure(runtime: Runtime, ctx: Context): Promise<Measured> {
  const cli = join(ctx.probeDir, "probe-cli.js");
  const args = [ctx.fixtureDir, ctx.bench.dir, String(ctx.opts.benchMs)];
  switch (runtime) {
    case "node":
      return fromProbe(await runProbe(process.execPath, [cli, ...args]));
    case "deno": {
      const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", NO_COLOR: "1" };
      const allow = `--allow-read=${[ctx.probeDir, ctx.fixtureDir, ctx.bench.dir].join(",")}`;
      return fromProbe(await runProbe(localBin(ctx.root, "deno"), ["run", "--no-config", "--no-lock", allow, cli, ...args], env));
    }
    case "bun":
      return fromProbe(await runProbe(localBin(ctx.root, "bun"), [cli, ...args], { ...process.env, NO_COLOR: "1" }));
    case "workerd": {
      const scored = await scoreThroughWorker(ctx.fixtureDir, ctx.rows, await freePort());
      const result: Measured = { version: workerdVersion(), fixture: scored.ctr };
      if (ctx.opts.benchMs > 0) result.bench = await benchInWorkerd(ctx.root, ctx.bench.dir, ctx.opts.benchMs, await freePort());
      return result;
    }
    case "chromium": {
      const runtimeBundle = join(ctx.root, "examples/browser/ctr-distill-runtime.js");
      if (!existsSync(runtimeBundle)) throw new Error(`${runtimeBundle} not found: npm run build:browser`);
      const r = await runBrowser({
        root: ctx.root,
        fixtureModelDir: ctx.fixtureDir,
        benchDir: ctx.bench.dir,
        probeDir: ctx.probeDir,
        rows: ctx.rows,
        benchMs: ctx.opts.benchMs,
        screenshot: ctx.screenshot,
      });
      return { version: r.version, fixture: r.ctr, ...(r.bench ? { bench: r.bench } : {}) };
    }
  }
}

const fmtDiff = (d: number | null) => (d === null ? "-" : d === 0 ? "0" : d.toExponential(2));
const fmtRate = (r: number | null) => (r === null ? "-" : Math.round(r).toLocaleString("en-US"));

function line(o: Outcome, reference: boolean): string {
  const diff = (d: number | null) => (reference && d !== null ? "reference" : fmtDiff(d));
  const cells = [o.runtime.padEnd(9), o.version.slice(0, 22).padEnd(23), diff(o.fixtureDiff).padStart(12), diff(o.benchDiff).padStart(12), fmtRate(o.rowsPerSec).padStart(14)];
  return `${cells.join("  ")}${o.error ? `  FAILED: ${o.error}` : ""}`;
}

async function main(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  const root = packageRoot();
  const out = join(root, "runs", "runtimes");
  const probeDir = join(root, "dist", "runtimes");
  await rm(join(out, "fixture"), { recursive: true, force: true });
  await rm(join(out, "browser.png"), { force: true });
  await mkdir(out, { recursive: true });
  await buildProbes(root, probeDir);
  const { modelDir: fixtureDir } = await buildFixture(join(out, "fixture"));
  const expected = JSON.parse(await readFile(join(fixtureDir, "expected.json"), "utf8")) as FixtureExpected;
  const bench = await buildBenchModel(join(out, "bench-model"));
  const ctx: Context = { root, opts, fixtureDir, bench, probeDir, rows: expected.rows, screenshot: join(out, "browser.png") };

  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`machine: ${machineLine()}; chromium: ${existsSync(CHROMIUM) ? CHROMIUM : "not installed"}`);
  console.log(`fixture: ${expected.rows.length} JSON rows encoded and scored in each runtime, model ${expected.modelId.slice(0, 12)}…`);
  console.log(
    opts.benchMs > 0
      ? `bench: ${bench.shape} (${kib(bench.wasmBytes)} module), batch ${BENCH_BATCH}, ~${opts.benchMs} ms of score() calls per runtime, median rate of 50 ms rounds`
      : "bench: skipped (--bench-ms 0)",
  );
  console.log(["runtime".padEnd(9), "version".padEnd(23), "max|Δ| rows".padStart(12), "max|Δ| bench".padStart(12), "rows/s".padStart(14)].join("  "));

  const outcomes: Outcome[] = [];
  let reference: Measured | null = null;
  for (const runtime of opts.only) {
    const o: Outcome = { runtime, version: "?", fixtureDiff: null, benchDiff: null, rowsPerSec: null };
    try {
      if (runtime !== "node" && reference === null) throw new Error("no Node reference");
      const m = await measure(runtime, ctx);
      o.version = m.version;
      const ref: Measured = reference ?? m;
      // Node is also checked against the fixture builder's own in-process scores.
      o.fixtureDiff = maxAbsDiff(m.fixture, runtime === "node" ? expected.ctr : ref.fixture);
      if (m.bench) {
        o.benchDiff = maxAbsDiff(m.bench.ctr, ref.bench?.ctr ?? []);
        o.rowsPerSec = m.bench.rowsPerSec;
      } else if (opts.benchMs > 0) throw new Error("no bench result");
      if (runtime === "node") reference = m;
      const worst = Math.max(o.fixtureDiff, o.benchDiff ?? 0);
      if (!(worst <= TOLERANCE)) o.error = `scores differ from Node's by ${fmtDiff(worst)} (> ${TOLERANCE_TEXT})`;
    } catch (e) {
      o.error = (e as Error).message.split("\n").slice(0, 12).join("\n    ");
    }
    outcomes.push(o);
    console.log(line(o, runtime === "node" && o.error === undefined));
  }

  const failed = outcomes.filter((o) => o.error !== undefined);
  await writeFile(
    join(out, "results.json"),
    JSON.stringify({ machine: machineLine(), tolerance: TOLERANCE, benchMs: opts.benchMs, batch: BENCH_BATCH, benchModel: { ...bench, dir: undefined }, outcomes }, null, 2) + "\n",
  );
  if (ctx.opts.only.includes("chromium") && existsSync(ctx.screenshot)) console.log(`screenshot: ${ctx.screenshot}`);
  console.log(
    failed.length === 0
      ? `all ${outcomes.length} runtimes match Node within ${TOLERANCE_TEXT}`
      : `FAILED: ${failed.map((o) => o.runtime).join(", ")}`,
  );
  return failed.length === 0 ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`test:runtimes: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
}
