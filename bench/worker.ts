import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { FeatureConfig } from "../sdk/config-types";
import { FeatureMapFitter } from "../sdk/data/feature-map-fit";
import { saveFeatureMap } from "../sdk/data/feature-map-io";
import { deriveSeed, mulberry32, randNormal, zipfSampler } from "../sdk/data/prng";
import { exportStudentWasm } from "../sdk/export/export-student";
import { packageRoot } from "../sdk/package-root";
import { RowEncoder } from "../sdk/runtime/encode";
import type { FeatureMap } from "../sdk/runtime/feature-map";
import { Scorer } from "../sdk/runtime/scorer";
import { deployDryRun, FREE_PLAN_GZIP_BYTES } from "../sdk/serve/deploy";
import { freePort, serve } from "../sdk/serve/serve";
import { COMPATIBILITY_DATE } from "../sdk/serve/worker-bundle";
import { groupAlive, killGroup, stripAnsi, tail, wranglerBin, wranglerEnv } from "../sdk/serve/wrangler";
import { costCase, formatTable, rateCase, type BenchCase, type BenchOptions, type Benchmark } from "./harness";
import { randomStudentWeights } from "../sdk/export/random-student";

/**
 * `npm run bench -- worker`: the edge worker under `wrangler dev` (workerd, on 127.0.0.1) against a plain Node
 * `http` server doing the same scoring in this process, on one Criteo-shaped model.
 *
 * Model: 39 fields like Criteo's (I1–I13 numeric: 9 log-square, 2 quantile, 2 standardised; C1–C26: 18
 * categorical with minCount 2, 8 hashed), a feature map fitted by `FeatureMapFitter` on seeded synthetic rows
 * (Zipf-distributed values, missing cells), and a student with seeded random weights (embeddingDim 8, hidden
 * [256, 128], DESIGN.md's student) exported by `exportStudentWasm`. Requests are held-out synthetic rows in the
 * worker's JSON format.
 *
 * Load: ours is `serve()` (wrangler dev, the real worker bundle); the peer ("node-http") parses the JSON body and
 * runs the same `RowEncoder` and `Scorer` on the same student.wasm, without the worker's validation, in a
 * `node:http` server in this process. The ratio is therefore the cost of workerd + wrangler dev's local stack (a
 * proxy workerd in front of the worker's own workerd) over bare Node. wrangler dev is a development server, not
 * Cloudflare's production runtime: these numbers say nothing about latency at the edge. The load generator (Node's fetch, 8 keep-alive connections) runs in a child process
 * (this bundle re-entered through CHILD_ENV), so each server has its own process; it sends a fixed number of
 * requests after a warm-up, each with a timeout, under an overall time cap, to 127.0.0.1 only. Every response
 * must be 200 with one CTR per row; any error fails the benchmark after the table is printed.
 *
 * CPU: a generated throwaway entry (`/cpu?model=…&k=K`) runs the same 100-row request K times through the
 * worker's own handler (`createHandler(loadModel(...))`: Request in, response text out) inside one request, under
 * wrangler dev. Three readings: (1) the headline, workerd's thread CPU time from /proc/PID/task/TID/schedstat,
 * (Δ over a K-iteration request − Δ over a 1-iteration one) / (K − 1), which a busy machine does not inflate;
 * (2) "dateNowMs": Date.now() inside the isolate after an awaited timer minus before the loop, / K (workerd
 * freezes the clock while JavaScript runs and moves it on at I/O, so this is wall time in the isolate);
 * (3) "wallMs": the client's (T(K) − T(1)) / (K − 1). Off Linux the headline falls back to (2). Compared with the
 * free plan's 10 ms of CPU per request (ratio = 10 / ms). Also: the smaller student (hidden [64, 32], the sample
 * configs') on the same feature map, and the peer's work in Node (process CPU time).
 *
 * Size: `deployDryRun` (wrangler deploy --dry-run) of the model: the upload and its gzip, against the free plan's
 * 3 MiB gzip limit.
 */

/** Environment variable that turns a run of this bundle into one load-generator child. */
const CHILD_ENV = "CTR_DISTILL_BENCH_WORKER_CHILD";
/** Prefix of the child's result line on stdout. */
const CHILD_PREFIX = "worker-child-result ";
const SEED = 20200919;
const EMBEDDING_DIM = 8;
const HIDDEN_UNITS = [256, 128] as const;
const SMALL_HIDDEN_UNITS = [64, 32] as const;
/** Rows the feature map is fitted on. */
const FIT_ROWS = 60_000;
/** Rows per request of each load case. */
const ROW_COUNTS = [1, 20, 100] as const;
/** Distinct bodies per case, sent in turn. */
const BODIES_PER_CASE = 32;
const CONCURRENCY = 8;
const REQUEST_TIMEOUT_MS = 10_000;
/** Cloudflare's free plan: CPU per request. */
const FREE_PLAN_CPU_MS = 10;
const CPU_ROWS = 100;

/** Criteo's numeric fields: transform per field. */
const NUMERIC_TRANSFORMS: FeatureConfig[] = Array.from({ length: 13 }, (_, i) => {
  const name = `I${i + 1}`;
  if (i < 9) return { name, type: "numeric", transform: "log-square", minCount: 2 };
  if (i < 11) return { name, type: "quantile", quantiles: 10 };
  return { name, type: "numeric", transform: "standard" };
});
/** Distinct values of each categorical field C1..C26 (Criteo-like spread: a few tiny, several huge). */
const CARDINALITY = [1400, 550, 30000, 20000, 300, 24, 12000, 630, 3, 40000, 5500, 25000, 3200, 27, 14000, 30000, 10, 5600, 2200, 4, 30000, 18, 15, 20000, 100, 15000];
/** C19..C26 are hashed with these buckets; C1..C18 keep a vocabulary (minCount 2). */
const HASHED_FROM = 18;
const HASH_BUCKETS = [2048, 4, 8192, 32, 16, 8192, 128, 4096];
/** Probability that a field's cell is missing (Criteo's C19–C26 and several I fields often are). */
const MISSING_NUMERIC = [0.45, 0, 0.2, 0.2, 0.03, 0.22, 0.04, 0.001, 0.04, 0.45, 0.04, 0.77, 0.2];
const MISSING_CATEGORICAL = [0, 0, 0.03, 0.03, 0, 0.12, 0, 0, 0, 0.03, 0, 0.03, 0, 0, 0, 0.03, 0, 0, 0.44, 0.44, 0.03, 0.76, 0, 0.03, 0.44, 0.44];

export function criteoFeatures(): FeatureConfig[] {
  const categorical: FeatureConfig[] = CARDINALITY.map((_, j) =>
    j < HASHED_FROM ? { name: `C${j + 1}`, type: "categorical", minCount: 2 } : { name: `C${j + 1}`, type: "hashed", buckets: HASH_BUCKETS[j - HASHED_FROM]! },
  );
  return [...NUMERIC_TRANSFORMS, ...categorical];
}

/** Criteo-like raw cells in feature order ("" = missing): counts for I, 8-hex-digit tokens for C. */
function syntheticCells(n: number, seed: number): string[][] {
  const rand = mulberry32(deriveSeed(seed, 1));
  const samplers = CARDINALITY.map((card, j) => zipfSampler(card, 1.05, mulberry32(deriveSeed(seed, 100 + j))));
  const rows: string[][] = [];
  for (let r = 0; r < n; r++) {
    const cells: string[] = [];
    for (let i = 0; i < 13; i++) {
      if (rand() < MISSING_NUMERIC[i]!) cells.push("");
      else cells.push(String(Math.max(i === 1 ? -3 : 0, Math.floor(Math.exp(1 + i * 0.4 + 1.6 * randNormal(rand))) - 1)));
    }
    for (let j = 0; j < CARDINALITY.length; j++) {
      if (rand() < MISSING_CATEGORICAL[j]!) cells.push("");
      else cells.push(token(j, samplers[j]!()));
    }
    rows.push(cells);
  }
  return rows;
}

function token(field: number, rank: number): string {
  return (Math.imul(rank + 1, 0x9e3779b1) ^ Math.imul(field + 7, 0x85ebca6b)).toString(16).padStart(8, "0").slice(-8);
}

/** A raw row in the worker's JSON format: numbers for numeric fields, strings for the rest, missing cells left out. */
function jsonRow(cells: readonly string[], features: readonly FeatureConfig[]): Record<string, string | number> {
  const row: Record<string, string | number> = {};
  features.forEach((f, i) => {
    const cell = cells[i]!;
    if (cell !== "") row[f.name] = f.type === "numeric" || f.type === "quantile" ? Number(cell) : cell;
  });
  return row;
}


interface BuiltModel {
  dir: string;
  modelId: string;
  wasm: Uint8Array;
  params: number;
}

/** Writes a run directory (student.wasm, feature-map.json, model.json) for `hidden`. */
async function writeModel(dir: string, map: FeatureMap, hidden: readonly number[], seed: number): Promise<BuiltModel> {
  const weights = randomStudentWeights({ numFields: map.features.length, embeddingDim: EMBEDDING_DIM, totalRows: map.totalRows, hiddenUnits: hidden, seed, embeddingScale: 0.1, biasScale: 0.05 });
  const { wasm, modelId } = await exportStudentWasm(weights, { featureMapId: map.id });
  const params = weights.embedding.length + weights.layers.reduce((s, l) => s + l.weights.length + l.bias.length, 0);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "student.wasm"), wasm);
  await saveFeatureMap(join(dir, "feature-map.json"), map);
  const model = {
    id: modelId,
    featureMapId: map.id,
    createdAt: "2026-01-01T00:00:00.000Z",
    student: { embeddingDim: EMBEDDING_DIM, hiddenUnits: [...hidden], params },
    metrics: {},
    sizes: { wasmBytes: wasm.byteLength },
  };
  await writeFile(join(dir, "model.json"), JSON.stringify(model, null, 2) + "\n");
  return { dir, modelId, wasm, params };
}

// ---------------------------------------------------------------------------------------------------------------
// The peer: node:http + JSON.parse + RowEncoder + Scorer, in this process.

interface Peer {
  url: string;
  server: Server;
}

/** What the peer does per request (also timed alone as the Node reference of the CPU case). */
function peerWork(text: string, encoder: RowEncoder, scorer: Scorer, modelId: string): string {
  const body = JSON.parse(text) as { rows: Record<string, unknown>[] };
  const encoded = encoder.encodeObjects(body.rows);
  const out = scorer.score(encoded.ids, encoded.values, encoded.n);
  return JSON.stringify({ ctr: Array.from(out), model: modelId });
}

async function startPeer(encoder: RowEncoder, scorer: Scorer, modelId: string): Promise<Peer> {
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let text: string;
      try {
        text = peerWork(Buffer.concat(chunks).toString("utf8"), encoder, scorer, modelId);
      } catch (e) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(e));
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server };
}

// ---------------------------------------------------------------------------------------------------------------
// The load generator, in a child process.

interface LoadJob {
  url: string;
  bodiesFile: string;
  rows: number;
  warmup: number;
  count: number;
  concurrency: number;
  timeoutMs: number;
  /** Overall cap on the measured phase; requests not started by then count as errors. */
  capMs: number;
}

interface LoadResult {
  ok: number;
  errors: number;
  /** The first few error messages. */
  errorSamples: string[];
  seconds: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

async function loadChild(job: LoadJob): Promise<void> {
  const bodies = JSON.parse(await readFile(job.bodiesFile, "utf8")) as string[];
  const url = `${job.url}/v1/score`;
  const headers = { "content-type": "application/json" };
  const errorSamples: string[] = [];
  let errors = 0;
  const fail = (msg: string) => {
    errors++;
    if (errorSamples.length < 5) errorSamples.push(msg);
  };
  /** One request; its latency in ms, or null on error. */
  const one = async (i: number): Promise<number | null> => {
    const t0 = performance.now();
    try {
      const res = await fetch(url, { method: "POST", headers, body: bodies[i % bodies.length]!, signal: AbortSignal.timeout(job.timeoutMs) });
      const text = await res.text();
      const dt = performance.now() - t0;
      if (res.status !== 200) return fail(`HTTP ${res.status}: ${text.slice(0, 200)}`), null;
      const ctr = (JSON.parse(text) as { ctr?: unknown }).ctr;
      if (!Array.isArray(ctr) || ctr.length !== job.rows) return fail(`expected ${job.rows} CTRs, got ${text.slice(0, 200)}`), null;
      return dt;
    } catch (e) {
      return fail(`${(e as Error).name}: ${(e as Error).message}`), null;
    }
  };
  /** `count` requests over `concurrency` loops; stops starting new ones after `deadline`. */
  const phase = async (count: number, deadline: number, latencies: number[] | null) => {
    let next = 0;
    const loop = async () => {
      while (next < count && performance.now() < deadline) {
        const dt = await one(next++);
        if (dt !== null) latencies?.push(dt);
      }
    };
    await Promise.all(Array.from({ length: job.concurrency }, loop));
    return next;
  };
  const start = performance.now();
  await phase(job.warmup, start + job.capMs, null);
  const warmErrors = errors;
  const latencies: number[] = [];
  const t0 = performance.now();
  const started = await phase(job.count, t0 + job.capMs, latencies);
  const seconds = (performance.now() - t0) / 1000;
  if (started < job.count) fail(`overall cap of ${job.capMs} ms reached: ${job.count - started} requests not sent`);
  errors += Math.max(0, job.count - started - 1);
  latencies.sort((a, b) => a - b);
  const result: LoadResult = {
    ok: latencies.length,
    errors: errors,
    errorSamples: warmErrors > 0 ? [`${warmErrors} errors in the warm-up`, ...errorSamples] : errorSamples,
    seconds,
    p50: percentile(latencies, 0.5),
    p90: percentile(latencies, 0.9),
    p99: percentile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? NaN,
  };
  process.stdout.write(CHILD_PREFIX + JSON.stringify(result) + "\n");
}

/** Runs one load child (this bundle again, `worker --json`, CHILD_ENV set) without blocking this event loop. */
function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [process.argv[1]!, "worker", "--json"], {
      env: { ...process.env, [CHILD_ENV]: JSON.stringify(job) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    // The child caps itself; this is the backstop.
    const timer = setTimeout(() => child.kill("SIGKILL"), job.capMs * 2 + job.timeoutMs + 30_000);
    child.on("error", (e) => (clearTimeout(timer), reject(e)));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith(CHILD_PREFIX));
      if (code !== 0 || line === undefined) reject(new Error(`bench worker: load child exited ${code ?? signal}:\n${tail(err + out)}`));
      else resolve(JSON.parse(line.slice(CHILD_PREFIX.length)) as LoadResult);
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// CPU per request inside workerd: a throwaway entry under wrangler dev.

/** An import specifier from `fromDir` to `file`, POSIX separators, starting with `.`. */
function specifier(fromDir: string, file: string): string {
  const rel = relative(fromDir, file).split(sep).join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

/**
 * Writes `dir/entry.ts` and `dir/wrangler.jsonc`: `/healthz`, and `POST /cpu?model=NAME&k=K` with a score request
 * as the body, which runs it K times through the worker's handler for model NAME and answers
 * `{"k", "ms", "status", "bytes"}`, ms being Date.now() after an awaited timer minus Date.now() before the loop.
 */
async function writeCpuEntry(dir: string, models: Record<string, string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const app = join(packageRoot(), "worker", "app");
  const names = Object.keys(models);
  const lines = [
    "// Generated by bench/worker.ts: a throwaway entry that measures CPU per request in workerd.",
    `import { createHandler, loadModel } from ${JSON.stringify(specifier(dir, app))};`,
    ...names.flatMap((name, i) => [
      `import wasm${i} from ${JSON.stringify(specifier(dir, join(models[name]!, "student.wasm")))};`,
      `import map${i} from ${JSON.stringify(specifier(dir, join(models[name]!, "feature-map.json")))};`,
      `import model${i} from ${JSON.stringify(specifier(dir, join(models[name]!, "model.json")))};`,
    ]),
    `const handlers = { ${names.map((name, i) => `${JSON.stringify(name)}: createHandler(loadModel({ wasm: wasm${i}, featureMap: map${i}, model: model${i} }))`).join(", ")} };`,
    "const tick = (ms) => new Promise((resolve) => setTimeout(resolve, ms));",
    "export default {",
    "  async fetch(request) {",
    "    const url = new URL(request.url);",
    '    if (url.pathname === "/healthz") return Response.json({ status: "ok" });',
    "    const handler = handlers[url.searchParams.get(\"model\")];",
    '    const k = Number(url.searchParams.get("k"));',
    '    if (handler === undefined || !(k >= 1)) return new Response("bad query", { status: 400 });',
    "    const body = await request.text();",
    "    await tick(1);",
    "    const t0 = Date.now();",
    "    let bytes = 0;",
    "    let status = 200;",
    "    for (let i = 0; i < k; i++) {",
    '      const res = await handler.fetch(new Request("http://cpu.local/v1/score", { method: "POST", headers: { "content-type": "application/json" }, body }));',
    "      bytes += (await res.text()).length;",
    "      if (res.status !== 200) status = res.status;",
    "    }",
    "    await tick(0);",
    "    return Response.json({ k, ms: Date.now() - t0, status, bytes });",
    "  },",
    "};",
    "",
  ];
  await writeFile(join(dir, "entry.js"), lines.join("\n"));
  const config = join(dir, "wrangler.jsonc");
  const wrangler = {
    name: "ctr-distill-bench-cpu",
    main: "entry.js",
    compatibility_date: COMPATIBILITY_DATE,
    send_metrics: false,
    rules: [{ type: "CompiledWasm", globs: ["**/*.wasm"], fallthrough: false }],
  };
  await writeFile(config, JSON.stringify(wrangler, null, 2) + "\n");
  return config;
}

/** wrangler dev of a config on 127.0.0.1:port, ready when /healthz answers 200; `stop` ends its process group. */
async function wranglerDev(config: string, cwd: string, port: number): Promise<{ url: string; pgid: number; stop: () => Promise<void> }> {
  const args = [wranglerBin(), "dev", "--config", config, "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false", "--log-level", "warn"];
  const child = spawn(process.execPath, args, { cwd, env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  const onData = (d: Buffer) => {
    output = (output + stripAnsi(d.toString())).slice(-32_000);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  let exited = false;
  child.once("exit", () => (exited = true));
  const onProcessExit = () => killGroup(child.pid, "SIGKILL");
  process.once("exit", onProcessExit);
  const stop = async () => {
    process.off("exit", onProcessExit);
    killGroup(child.pid, "SIGTERM");
    for (let i = 0; i < 100 && groupAlive(child.pid); i++) await sleep(50);
    if (groupAlive(child.pid)) killGroup(child.pid, "SIGKILL");
    for (let i = 0; i < 100 && groupAlive(child.pid); i++) await sleep(50);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
    // Always read the body: an unread one errors when the timeout's signal fires later.
    const ok = res !== null && (await res.text().catch(() => null)) !== null && res.status === 200;
    if (ok) return { url, pgid: child.pid!, stop };
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`bench worker: wrangler dev of the CPU entry ${exited ? "exited" : "did not answer in 90 s"}:\n${tail(output)}`);
    }
    await sleep(250);
  }
}

/** Numeric entries of /proc, or null off Linux. */
function procPids(): string[] | null {
  try {
    return readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
}

/** The process group of a /proc entry. */
function pgrpOf(pid: string): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after "(comm) ": state, ppid, pgrp, …
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

/**
 * CPU time (ms) used so far by each workerd process of process group `pgid` (wrangler dev's proxy and the
 * worker's runtime), summed over its threads from /proc/PID/task/TID/schedstat (ns); null off Linux.
 */
function workerdCpuByPid(pgid: number): Map<string, number> | null {
  const pids = procPids();
  if (pids === null) return null;
  const out = new Map<string, number>();
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "workerd" || pgrpOf(pid) !== pgid) continue;
      let ns = 0;
      for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      out.set(pid, ns / 1e6);
    } catch {
      // The process or thread ended meanwhile.
    }
  }
  return out.size > 0 ? out : null;
}

/** The total of `workerdCpuByPid`. */
function workerdCpuMs(pgid: number): number | null {
  const by = workerdCpuByPid(pgid);
  return by === null ? null : [...by.values()].reduce((a, b) => a + b, 0);
}

/** The workerd whose entry socket is 127.0.0.1:`port` (wrangler dev's proxy) and its process group, or null. */
function workerdOfPort(port: number): { pid: string; pgid: number } | null {
  for (const pid of procPids() ?? []) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(`entry=127.0.0.1:${port}`)) return { pid, pgid: pgrpOf(pid) };
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

interface CpuResult {
  /** In-worker Date.now() difference / K (median over rounds): wall time inside the isolate. */
  dateMs: number;
  /** workerd's thread CPU time, (Δ(K) − Δ(1)) / (K − 1) (median over rounds); null off Linux. */
  cpuMs: number | null;
  /** Client-side (T(K) − T(1)) / (K − 1) (median over rounds). */
  wallMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function measureCpu(url: string, pgid: number, model: string, body: string, k: number, rounds: number): Promise<CpuResult> {
  const call = async (iterations: number) => {
    const cpu0 = workerdCpuMs(pgid);
    const t0 = performance.now();
    const res = await fetch(`${url}/cpu?model=${model}&k=${iterations}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(60_000),
    });
    const out = (await res.json()) as { ms: number; status: number };
    const wall = performance.now() - t0;
    const cpu1 = workerdCpuMs(pgid);
    if (res.status !== 200 || out.status !== 200) throw new Error(`bench worker: CPU entry answered ${res.status}/${out.status}`);
    return { ms: out.ms, wall, cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
  };
  await call(k); // warm-up: JIT and the wasm tiers
  const inWorker: number[] = [];
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const many = await call(k);
    const single = await call(1);
    inWorker.push(many.ms / k);
    wall.push((many.wall - single.wall) / (k - 1));
    if (many.cpu !== null && single.cpu !== null) cpu.push((many.cpu - single.cpu) / (k - 1));
  }
  return { dateMs: median(inWorker), cpuMs: cpu.length === rounds ? median(cpu) : null, wallMs: median(wall) };
}

// ---------------------------------------------------------------------------------------------------------------

const fmtMs = (x: number) => Number(x.toFixed(2));

export const benchmark: Benchmark = async (options: BenchOptions): Promise<BenchCase[]> => {
  const job = process.env[CHILD_ENV];
  if (job !== undefined) {
    await loadChild(JSON.parse(job) as LoadJob);
    return [];
  }
  const { log, quick } = options;
  const count = quick ? 300 : 2000;
  const warmup = quick ? 50 : 200;
  const capMs = quick ? 60_000 : 180_000;
  const cpuK = quick ? 50 : 200;
  const cpuRounds = quick ? 3 : 5;
  const dir = await mkdtemp(join(tmpdir(), "ctr-distill-bench-worker-"));
  const cases: BenchCase[] = [];
  const failures: string[] = [];
  /** The machine is shared: the 1-minute load average beside each measurement says how quiet it was. */
  const load = () => loadavg()[0]!.toFixed(1);
  if (loadavg()[0]! > availableParallelism())
    log(`worker: warning: load average ${load()} on ${availableParallelism()} cores: the machine is busy, latencies and rates will be noisy`);
  try {
    // The model.
    const features = criteoFeatures();
    const fitter = new FeatureMapFitter(features, "label");
    syntheticCells(FIT_ROWS, SEED).forEach((cells, i) => fitter.add(cells, i + 1));
    const map = fitter.finish();
    const main = await writeModel(join(dir, "model"), map, HIDDEN_UNITS, deriveSeed(SEED, 2));
    const small = await writeModel(join(dir, "model-small"), map, SMALL_HIDDEN_UNITS, deriveSeed(SEED, 3));
    log(
      `worker: model ${main.modelId.slice(0, 12)}: ${map.features.length} fields, ${map.totalRows.toLocaleString("en-US")} embedding rows × ${EMBEDDING_DIM}, ` +
        `hidden [${HIDDEN_UNITS.join(", ")}], ${main.params.toLocaleString("en-US")} params, student.wasm ${(main.wasm.byteLength / 1024).toFixed(0)} KiB`,
    );

    // Request bodies: held-out rows.
    const held = syntheticCells(BODIES_PER_CASE * Math.max(...ROW_COUNTS), deriveSeed(SEED, 4)).map((c) => jsonRow(c, features));
    const bodies = new Map<number, string[]>();
    for (const n of ROW_COUNTS) {
      const list = Array.from({ length: BODIES_PER_CASE }, (_, b) => JSON.stringify({ rows: held.slice(b * n, b * n + n) }));
      bodies.set(n, list);
      await writeFile(join(dir, `bodies-${n}.json`), JSON.stringify(list));
    }

    const encoder = new RowEncoder(map, "json");
    const scorer = await Scorer.fromBytes(main.wasm);
    scorer.checkFeatureMap(map);

    // Size of the upload.
    const size = await deployDryRun(main.dir);
    log(`worker: wrangler deploy --dry-run: ${(size.totalBytes / 1024).toFixed(0)} KiB, gzip ${(size.gzipBytes / 1024).toFixed(0)} KiB`);

    // Load: wrangler dev against node:http.
    const peer = await startPeer(encoder, scorer, main.modelId);
    const port = await freePort();
    const handle = await serve({ modelDir: main.dir, port });
    const proxy = workerdOfPort(port);
    try {
      // Both answer the same CTRs on every body (1e-6) before anything is timed.
      for (const n of ROW_COUNTS)
        for (const body of bodies.get(n)!.slice(0, 4)) {
          const post = async (url: string) => {
            const res = await fetch(`${url}/v1/score`, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
            if (res.status !== 200) throw new Error(`bench worker: ${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
            return ((await res.json()) as { ctr: number[] }).ctr;
          };
          const [a, b] = [await post(handle.url), await post(peer.url)];
          if (a.length !== n || b.length !== n || a.some((x, i) => !(Math.abs(x - b[i]!) < 1e-6)))
            throw new Error(`bench worker: the worker and the peer disagree on a ${n}-row request`);
        }
      for (const n of ROW_COUNTS) {
        const base = { bodiesFile: join(dir, `bodies-${n}.json`), rows: n, warmup, count, concurrency: CONCURRENCY, timeoutMs: REQUEST_TIMEOUT_MS, capMs };
        const loadBefore = load();
        // Server-side CPU per request (warm-up included, hence over warmup + count requests): workerd's threads
        // for ours (the proxy's share apart), this process for the peer (idle but for the peer while the child loads it).
        const w0 = proxy === null ? null : workerdCpuByPid(proxy.pgid);
        const ours = await runLoad({ ...base, url: handle.url });
        const w1 = proxy === null ? null : workerdCpuByPid(proxy.pgid);
        const p0 = process.cpuUsage();
        const theirs = await runLoad({ ...base, url: peer.url });
        const p1 = process.cpuUsage(p0);
        const requests = warmup + count;
        const delta = (pid?: string) => {
          if (w0 === null || w1 === null) return NaN;
          let ms = 0;
          for (const [p, t] of w1) if (pid === undefined || p === pid) ms += t - (w0.get(p) ?? 0);
          return ms / requests;
        };
        const oursCpu = delta();
        const proxyCpu = delta(proxy?.pid);
        const theirsCpu = (p1.user + p1.system) / 1000 / requests;
        for (const [who, r] of [["wrangler dev", ours], ["node-http", theirs]] as const)
          if (r.errors > 0) failures.push(`${who}, ${n} rows/request: ${r.errors} errors: ${r.errorSamples.join("; ")}`);
        log(
          `worker: ${n} rows/request: wrangler dev ${(ours.ok / ours.seconds).toFixed(0)} req/s p50 ${ours.p50.toFixed(2)} p99 ${ours.p99.toFixed(2)} ms; ` +
            `node-http ${(theirs.ok / theirs.seconds).toFixed(0)} req/s p50 ${theirs.p50.toFixed(2)} p99 ${theirs.p99.toFixed(2)} ms; ` +
            `server CPU per request: workerd ${oursCpu.toFixed(2)} ms (proxy ${proxyCpu.toFixed(2)}), node-http ${theirsCpu.toFixed(2)} ms ` +
            `(load average ${loadBefore} → ${load()})`,
        );
        const name = `${n} rows/req c=${CONCURRENCY}`;
        const notes = (r: LoadResult, side: string) => ({ [`${side}Ok`]: r.ok, [`${side}Errors`]: r.errors });
        cases.push(
          rateCase("worker", `${name} throughput`, "node-http", ours.ok / ours.seconds, theirs.ok / theirs.seconds, "req/s", {
            rowsPerS: Math.round((ours.ok / ours.seconds) * n),
            ...notes(ours, "ours"),
            ...notes(theirs, "theirs"),
            loadavg: `${loadBefore}→${load()}`,
          }),
          costCase("worker", `${name} p50`, "node-http", ours.p50, theirs.p50, "ms"),
          costCase("worker", `${name} p99`, "node-http", ours.p99, theirs.p99, "ms", { oursMax: fmtMs(ours.max), theirsMax: fmtMs(theirs.max) }),
          costCase("worker", `${name} server CPU/req`, "node-http", oursCpu, theirsCpu, "ms", {
            wranglerProxyMs: fmtMs(proxyCpu),
            workerMs: fmtMs(oursCpu - proxyCpu),
          }),
        );
      }
    } finally {
      await handle.stop();
      await new Promise<void>((resolve) => peer.server.close(() => resolve()));
    }

    // CPU per 100-row request inside workerd.
    const cpuBody = bodies.get(CPU_ROWS)![0]!;
    const entryDir = join(dir, "cpu-entry");
    const config = await writeCpuEntry(entryDir, { main: main.dir, small: small.dir });
    const dev = await wranglerDev(config, entryDir, await freePort());
    let cpu: CpuResult;
    let cpuSmall: CpuResult;
    const cpuLoad = load();
    try {
      cpu = await measureCpu(dev.url, dev.pgid, "main", cpuBody, cpuK, cpuRounds);
      cpuSmall = await measureCpu(dev.url, dev.pgid, "small", cpuBody, cpuK, cpuRounds);
    } finally {
      await dev.stop();
    }
    // The same work in Node, for reference: what the peer does per request, in this process's CPU time.
    const nodeCpuMs = (() => {
      for (let i = 0; i < 50; i++) peerWork(cpuBody, encoder, scorer, main.modelId);
      const samples: number[] = [];
      for (let r = 0; r < cpuRounds; r++) {
        const c0 = process.cpuUsage();
        for (let i = 0; i < cpuK; i++) peerWork(cpuBody, encoder, scorer, main.modelId);
        const c = process.cpuUsage(c0);
        samples.push((c.user + c.system) / 1000 / cpuK);
      }
      return median(samples);
    })();
    // Thread CPU time where /proc has it (unaffected by a busy machine), else the in-worker clock.
    const headline = (r: CpuResult) => r.cpuMs ?? r.dateMs;
    const method = cpu.cpuMs === null ? "Date.now() in the isolate" : "workerd thread CPU time";
    const ms = headline(cpu);
    log(
      `worker: CPU per ${CPU_ROWS}-row request in workerd: ${ms.toFixed(2)} ms (${method}; Date.now() in the isolate ${cpu.dateMs.toFixed(2)} ms, ` +
        `client wall ${cpu.wallMs.toFixed(2)} ms); hidden [${SMALL_HIDDEN_UNITS.join(", ")}]: ${headline(cpuSmall).toFixed(2)} ms; ` +
        `peer's work in Node: ${nodeCpuMs.toFixed(2)} ms CPU (load average ${cpuLoad} → ${load()})`,
    );
    cases.push(
      costCase("worker", `CPU per ${CPU_ROWS}-row request (workerd)`, "free-plan-10ms", ms, FREE_PLAN_CPU_MS, "ms", {
        method: cpu.cpuMs === null ? "date-now" : "thread-cpu",
        dateNowMs: fmtMs(cpu.dateMs),
        wallMs: fmtMs(cpu.wallMs),
        rowsIn10ms: Math.floor((FREE_PLAN_CPU_MS / ms) * CPU_ROWS),
        [`hidden${SMALL_HIDDEN_UNITS.join("x")}Ms`]: fmtMs(headline(cpuSmall)),
        nodeCpuMs: fmtMs(nodeCpuMs),
        k: cpuK,
        loadavg: `${cpuLoad}→${load()}`,
      }),
      costCase("worker", "upload gzip (deploy --dry-run)", "free-plan-3MiB", size.gzipBytes / 1024, FREE_PLAN_GZIP_BYTES / 1024, "KiB", {
        totalKiB: Math.round(size.totalBytes / 1024),
        wasmKiB: Math.round(main.wasm.byteLength / 1024),
        embeddingRows: map.totalRows,
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    log(formatTable(cases));
    throw new Error(`bench worker: requests failed:\n${failures.join("\n")}`);
  }
  return cases;
};
