/**
 * What every runtime of `npm run test:runtimes` runs: the fixture rows encoded and scored by the project's
 * loader and encoder, then the timed loop of score() calls on the bench batch. No Node, DOM, Deno or Bun
 * imports: probe-cli.ts (Node, Deno, Bun), probe-browser.ts (Chromium) and the generated workerd entry
 * (test-runtimes.ts) all call these same functions, so every runtime runs the same loop.
 */
import { RowEncoder } from "../../sdk/runtime/encode";
import { validateFeatureMap } from "../../sdk/runtime/feature-map";
import { Scorer } from "../../sdk/runtime/scorer";

/** Milliseconds of untimed score() calls before timing (lets the engine tier the module up). */
export const WARMUP_MS = 200;
/** Length of one timed round; the result is the median rate over the rounds. */
const ROUND_MS = 50;
/** Rounds give up after this many calls: a clock that does not advance (production Workers) must not hang. */
const MAX_CALLS_PER_ROUND = 100_000;

/** The encoded batch every runtime times (`bench-batch.json` beside the bench model). */
export interface BenchBatch {
  n: number;
  ids: number[];
  values: number[];
}

export interface BenchResult {
  modelId: string;
  /** Rows per batch (one score() call). */
  batch: number;
  /** Median over rounds of rows scored per second. */
  rowsPerSec: number;
  /** Calls timed in all and the seconds they took (warm-up excluded). */
  calls: number;
  seconds: number;
  /** The batch's scores, compared across runtimes. */
  ctr: number[];
}

export interface FixtureResult {
  modelId: string;
  ctr: number[];
}

/** One runtime's answer, printed as one JSON line by the CLI probes. */
export interface ProbeResult {
  runtime: string;
  version: string;
  fixture?: FixtureResult;
  bench?: BenchResult;
}

type Clock = () => number;

/** `performance.now()` where there is one (everywhere this runs), else `Date.now()`. */
export function defaultClock(): Clock {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf ? () => perf.now() : () => Date.now();
}

/** Encodes the fixture's JSON rows with its feature map and scores them. */
export function scoreFixture(scorer: Scorer, featureMap: unknown, rows: readonly Record<string, unknown>[]): FixtureResult {
  const map = validateFeatureMap(featureMap);
  scorer.checkFeatureMap(map);
  const encoded = new RowEncoder(map, "json").encodeObjects(rows);
  return { modelId: scorer.info.modelId, ctr: Array.from(scorer.score(encoded.ids, encoded.values, encoded.n)) };
}

/**
 * The loop every runtime times: score() on the same batch, WARMUP_MS untimed, then rounds of ROUND_MS
 * for about `ms` in all; returns the median rate of the rounds.
 */
export function benchScore(scorer: Scorer, batch: BenchBatch, ms: number, now: Clock = defaultClock()): BenchResult {
  const ids = Int32Array.from(batch.ids);
  const values = Float32Array.from(batch.values);
  const { n } = batch;
  const ctr = Array.from(scorer.score(ids, values, n));
  const warmEnd = now() + WARMUP_MS;
  for (let c = 0; now() < warmEnd && c < MAX_CALLS_PER_ROUND; c++) scorer.score(ids, values, n);
  const rates: number[] = [];
  let calls = 0;
  let seconds = 0;
  const rounds = Math.max(1, Math.round(ms / ROUND_MS));
  for (let r = 0; r < rounds; r++) {
    const t0 = now();
    let c = 0;
    let t = t0;
    do {
      scorer.score(ids, values, n);
      c++;
      t = now();
    } while (t - t0 < ROUND_MS && c < MAX_CALLS_PER_ROUND);
    const s = (t - t0) / 1000;
    if (s <= 0) throw new Error(`benchScore: the clock did not advance over ${c} calls (a frozen timer?)`);
    rates.push((c * n) / s);
    calls += c;
    seconds += s;
  }
  rates.sort((a, b) => a - b);
  return { modelId: scorer.info.modelId, batch: n, rowsPerSec: rates[rates.length >> 1]!, calls, seconds, ctr };
}
