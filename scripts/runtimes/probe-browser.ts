/**
 * The bench half of the probe for browsers (bundled to dist/runtimes/probe-browser.js, served by the static
 * server and imported by test-runtimes.ts inside the example page). The fixture half goes through the page
 * itself: rows pasted, Score clicked, CTRs read back.
 */
import { Scorer } from "../../sdk/runtime/scorer";
import { benchScore, type BenchBatch, type BenchResult } from "./probe";

interface FetchResponse {
  ok: boolean;
  status: number;
  arrayBuffer(): Promise<ArrayBuffer>;
  json(): Promise<unknown>;
}

async function get(url: string): Promise<FetchResponse> {
  const res = await (globalThis as unknown as { fetch(url: string): Promise<FetchResponse> }).fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res;
}

/** Times the bench model under `base` (`student.wasm`, `bench-batch.json`) for about `ms`. */
export async function benchFromUrl(base: string, ms: number): Promise<BenchResult> {
  const scorer = await Scorer.fromBytes(await (await get(`${base}student.wasm`)).arrayBuffer());
  const batch = (await (await get(`${base}bench-batch.json`)).json()) as BenchBatch;
  return benchScore(scorer, batch, ms);
}
