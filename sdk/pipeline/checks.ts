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

/** Starts the worker under `wrangler dev` on 127.0.0.1, scores sample raw rows over HTTP, stops it. */
export async function checkHttp(modelDir: string, wasm: Uint8Array, featureMap: FeatureMap, port: number, rows = 5): Promise<HttpCheck> {
  const raw = sampleRows(featureMap, rows);
  const encoded = new RowEncoder(featureMap, "json").encodeObjects(raw);
  const expected = (await Scorer.fromBytes(wasm)).score(encoded.ids, encoded.values, encoded.n);
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
