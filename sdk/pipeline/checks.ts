import { UserError } from "../errors";
import type { Logger } from "../log";
import { MODEL_FILES, readModelFiles } from "../serve/model-files";
import { serve } from "../serve/serve";
import { RowEncoder } from "../runtime/encode";
import type { FeatureMap } from "../runtime/feature-map";
import { Scorer } from "../runtime/scorer";
import type { EncodedDataset } from "../data/dataset";
import { sampleRows } from "./sample-rows";

/** Largest |a − b| over two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths differ (${a.length} vs ${b.length})`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export interface WasmAgreement {
  rows: number;
  maxAbsDiff: number;
}

/** Scores a split with the exported module and compares with the tfjs student's probabilities. */
export async function checkWasmAgreement(wasm: Uint8Array, featureMap: FeatureMap, ds: EncodedDataset, expected: Float32Array): Promise<WasmAgreement> {
  const scorer = await Scorer.fromBytes(wasm);
  scorer.checkFeatureMap(featureMap);
  const scores = scorer.score(ds.ids, ds.values, ds.n);
  return { rows: ds.n, maxAbsDiff: maxAbsDiff(scores, expected) };
}

export interface HttpCheck {
  rows: number;
  status: number;
  /** Largest |CTR over HTTP − CTR of the same raw rows encoded and scored in Node|. */
  maxAbsDiff: number;
  model: string;
}

/** Starts a run directory's worker under `wrangler dev` on 127.0.0.1 (port 0: a free one), scores sample raw rows over HTTP, stops it. */
export async function checkHttp(modelDir: string, port: number, rows = 5): Promise<HttpCheck> {
  const model = await readModelFiles(modelDir);
  const raw = sampleRows(model.featureMap, rows);
  const encoded = new RowEncoder(model.featureMap, "json").encodeObjects(raw);
  const expected = (await Scorer.fromBytes(model.bytes.wasm)).score(encoded.ids, encoded.values, encoded.n);
  const handle = await serve({ modelDir, port });
  try {
    const response = await fetch(`${handle.url}/v1/score`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rows: raw }),
    });
    const body = (await response.json()) as { ctr?: number[]; model?: string; error?: unknown };
    if (response.status !== 200 || body.ctr === undefined)
      throw new Error(`worker answered ${response.status}: ${JSON.stringify(body)}`);
    return { rows, status: response.status, maxAbsDiff: maxAbsDiff(body.ctr, expected), model: body.model ?? "" };
  } finally {
    await handle.stop();
  }
}

/**
 * The HTTP self-check of `run` and `distill`, on the finished run directory `dir`. The artifacts are
 * complete whatever it finds, so a failure is logged in full and thrown as a one-line UserError that says so.
 */
export async function httpSelfCheck(dir: string, port: number, log: Logger): Promise<HttpCheck> {
  log(`HTTP self-check: starting the worker under wrangler dev on 127.0.0.1 (${port === 0 ? "a free port" : `port ${port}`}) …`);
  let http: HttpCheck;
  try {
    http = await checkHttp(dir, port);
  } catch (e) {
    const error = e as Error;
    log(`HTTP self-check: ${e instanceof UserError ? error.message : (error.stack ?? error.message)}`);
    throw new UserError(
      `HTTP self-check failed: ${error.message.split("\n")[0]}; the run directory ${dir} is complete (${Object.values(MODEL_FILES).join(", ")}): ` +
        `serve it with \`ctr-distill serve --model ${dir}\`, or skip the check with --no-http-check`,
    );
  }
  log(`POST /v1/score: ${http.rows} rows, HTTP ${http.status}, max |Δ| vs Node = ${http.maxAbsDiff.toExponential(2)}; worker stopped`);
  return http;
}
