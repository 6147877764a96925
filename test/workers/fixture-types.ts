import { createHandler, loadModel, type WorkerBundle } from "../../worker/app";

/** Shapes of the fixture files the workers tests import (built by fixture-builder.ts in Node), and helpers they share. */
export interface Expected {
  modelId: string;
  featureMapId: string;
  rows: Record<string, unknown>[];
  ctr: number[];
  reference: number[];
  encoded: { ids: number[]; values: number[] };
}

export interface ErrorJson {
  error: { code: string; message: string; field: string | null };
}

export interface ScoreJson {
  ctr: number[];
  model: string;
}

/** A POST of a JSON text (or bytes) to the score route. */
export function scoreRequest(body: BodyInit | null, headers: Record<string, string> = { "content-type": "application/json" }): Request {
  return new Request("http://worker.test/v1/score", { method: "POST", headers, body });
}

/** Largest absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
}

/** The worker's handler over `bundle` with a scorer whose `score` throws `error`: the failure paths of scoring. */
export function handlerWhoseScorerThrows(bundle: WorkerBundle, error: Error): ExportedHandler {
  const loaded = loadModel(bundle);
  return createHandler({
    ...loaded,
    scorer: {
      info: loaded.scorer.info,
      score: () => {
        throw error;
      },
    },
  });
}
