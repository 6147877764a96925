/**
 * `node scripts/bundle.mjs bench/hostile-body.ts dist/hostile-body.js && node dist/hostile-body.js`: the CPU
 * time the worker's handler spends on hostile bodies near the 1 MiB limit, in Node (workerd freezes its clocks
 * inside a request, so it cannot time itself). Runs on the workers test fixture
 * (test/workers/fixture/model, built by `npx vitest run --project workers`).
 *
 * For each body: the CPU time (process.cpuUsage, user + system) of the first `fetch` on a fresh handler (cold:
 * the first request of an isolate, the model already loaded) and the median and least of 30 on a warm one.
 * "parse first" is the same body through the pre-streaming path (read all, `JSON.parse`, then count the
 * rows), for comparison.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const FIXTURE = join("test", "workers", "fixture");
const MODEL_DIR = join(FIXTURE, "model");
const WARM_RUNS = 30;
const MAX_ROWS = 1000;

/** The part of a Workers handler this script calls. */
interface Handler {
  fetch(request: Request, env: object, ctx: object): Promise<Response>;
}

/**
 * The worker runtime the fixture builder bundled from today's worker/ sources (what `deploy` ships), loaded at
 * run time: worker/ is typed against the Workers runtime, not Node, so it stays out of this program.
 */
const { createWorker } = (await import(pathToFileURL(resolve(FIXTURE, "runtime", "worker.js")).href)) as { createWorker: (bundle: object) => Handler };

const bodies: Record<string, string> = {
  "100k rows (~0.9 MB)": `{"rows": [${Array.from({ length: 100_000 }, (_, i) => (i % 2 === 0 ? '{"price":1.25}' : "{}")).join(",")}]}`,
  "nesting 500k deep (1 MB)": `{"rows": ${"[".repeat(500_000)}${"]".repeat(500_000)}}`,
  "1,000 rows of 1 kB strings (1 MB)": JSON.stringify({ rows: Array.from({ length: 1000 }, () => ({ site: "x".repeat(1000) })) }),
};

/** Bytes of a network upload arrive in chunks; this many per chunk. */
const CHUNK_BYTES = 64 * 1024;

/**
 * A POST whose body streams `bytes` in 64 KiB chunks, as an upload arrives (Node's own copy of a string
 * body costs ~3 ms per MB, which would swamp what is measured).
 */
function request(bytes: Uint8Array): Request {
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, (at += CHUNK_BYTES)));
    },
  });
  return new Request("http://worker.test/v1/score", { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" } as RequestInit);
}

/** CPU milliseconds of one awaited call. */
async function cpuMs(run: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  await run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Node's WebAssembly, typed structurally (this program compiles without the DOM lib). */
const wasmApi = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }).WebAssembly;

const bundle = {
  wasm: new wasmApi.Module(readFileSync(join(MODEL_DIR, "student.wasm"))),
  featureMap: JSON.parse(readFileSync(join(MODEL_DIR, "feature-map.json"), "utf8")) as unknown,
  model: JSON.parse(readFileSync(join(MODEL_DIR, "model.json"), "utf8")) as unknown,
};
/** The pre-streaming path, for comparison: read the whole body, `JSON.parse` it, then count the rows. */
async function parseFirst(req: Request): Promise<number> {
  try {
    const doc = JSON.parse(await req.text()) as { rows?: unknown };
    return Array.isArray(doc.rows) && doc.rows.length > MAX_ROWS ? 413 : 200;
  } catch {
    return 400;
  }
}

/** CPU milliseconds of one request through `serve`; the Request is built before the clock starts. */
async function timed(serve: (req: Request) => Promise<number>, bytes: Uint8Array): Promise<{ ms: number; status: number }> {
  const req = request(bytes);
  let status = 0;
  const ms = await cpuMs(async () => (status = await serve(req)));
  return { ms, status };
}

const through = (handler: Handler) => async (req: Request) => (await handler.fetch(req, {}, {})).status;

const lines = ["| body | status | cold (ms CPU) | warm median / min (ms CPU) | parse first, warm median / min (ms CPU) |", "|---|---|---|---|---|"];
for (const [name, body] of Object.entries(bodies)) {
  const bytes = new TextEncoder().encode(body);
  const cold = await timed(through(createWorker(bundle)), bytes);
  const serve = through(createWorker(bundle));
  const warm: number[] = [];
  const old: number[] = [];
  // Apart, so that the old path's garbage (a 1 MB parse) is not collected during the new path's runs.
  for (let i = 0; i < WARM_RUNS; i++) warm.push((await timed(serve, bytes)).ms);
  for (let i = 0; i < WARM_RUNS; i++) old.push((await timed(parseFirst, bytes)).ms);
  lines.push(`| ${name} | ${cold.status} | ${cold.ms.toFixed(2)} | ${median(warm).toFixed(2)} / ${Math.min(...warm).toFixed(2)} | ${median(old).toFixed(2)} / ${Math.min(...old).toFixed(2)} |`);
}
process.stdout.write(`${lines.join("\n")}\n(Node ${process.version}, ${WARM_RUNS} warm runs)\n`);
