/**
 * The probe as a command, for Node, Deno and Bun alike (bundled to dist/runtimes/probe-cli.js):
 *
 *   node|deno run --allow-read|bun probe-cli.js FIXTURE_DIR BENCH_DIR BENCH_MS
 *
 * FIXTURE_DIR holds `student.wasm`, `feature-map.json` and `expected.json` (its `rows`); BENCH_DIR holds
 * `student.wasm` and `bench-batch.json`. Files are read with each runtime's own API (Deno.readFile,
 * Bun.file, node:fs), modules compiled by `Scorer.fromBytes`; one JSON line (ProbeResult) goes to stdout.
 */
import { Scorer } from "../../sdk/runtime/scorer";
import { benchScore, scoreFixture, type BenchBatch, type ProbeResult } from "./probe";

interface DenoApi {
  args: string[];
  version: { deno: string };
  readFile(path: string): Promise<Uint8Array>;
}
interface BunApi {
  version: string;
  file(path: string): { arrayBuffer(): Promise<ArrayBuffer> };
}

const g = globalThis as unknown as { Deno?: DenoApi; Bun?: BunApi; process?: { argv: string[]; version: string } };

function runtime(): { runtime: string; version: string } {
  if (g.Deno) return { runtime: "deno", version: g.Deno.version.deno };
  if (g.Bun) return { runtime: "bun", version: g.Bun.version };
  return { runtime: "node", version: g.process?.version ?? "?" };
}

async function readBytes(path: string): Promise<Uint8Array> {
  if (g.Deno) return g.Deno.readFile(path);
  if (g.Bun) return new Uint8Array(await g.Bun.file(path).arrayBuffer());
  const { readFile } = await import("node:fs/promises");
  return readFile(path);
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await readBytes(path))) as T;
}

async function main(): Promise<void> {
  const args = g.Deno ? g.Deno.args : (g.process?.argv.slice(2) ?? []);
  const [fixtureDir, benchDir, msArg] = args;
  if (fixtureDir === undefined || benchDir === undefined) throw new Error("usage: probe-cli FIXTURE_DIR BENCH_DIR [BENCH_MS]");
  const ms = Number(msArg ?? 1000);
  const result: ProbeResult = runtime();

  const fixtureScorer = await Scorer.fromBytes(await readBytes(`${fixtureDir}/student.wasm`));
  const { rows } = await readJson<{ rows: Record<string, unknown>[] }>(`${fixtureDir}/expected.json`);
  result.fixture = scoreFixture(fixtureScorer, await readJson(`${fixtureDir}/feature-map.json`), rows);

  if (ms > 0) {
    const benchScorer = await Scorer.fromBytes(await readBytes(`${benchDir}/student.wasm`));
    result.bench = benchScore(benchScorer, await readJson<BenchBatch>(`${benchDir}/bench-batch.json`), ms);
  }
  console.log(JSON.stringify(result));
}

await main();
