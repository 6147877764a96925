/**
 * `model.json` of a run directory: what the worker reports on `GET /v1/model` and checks against the
 * compiled module at start-up. Written by the pipeline; this file only describes it.
 */
export interface ModelMeta {
  /** sha256 (hex) of the student's weights; equals the id compiled into `student.wasm`. */
  id: string;
  /** The `id` of the feature map the student was trained on. */
  featureMapId: string;
  /** ISO 8601 time of export. */
  createdAt: string;
  student: { embeddingDim: number; hiddenUnits: number[]; params: number };
  /** Per evaluated split (e.g. "test"): the student's metrics. */
  metrics: Record<string, { auc: number; logloss: number }>;
  sizes: { wasmBytes: number };
}

/** Checks the fields the worker relies on; throws a plain Error naming the bad key. */
export function validateModelMeta(doc: unknown): ModelMeta {
  const m = doc as Partial<ModelMeta> | null;
  if (m === null || typeof m !== "object" || Array.isArray(m)) throw new Error("model.json: expected a JSON object");
  if (typeof m.id !== "string" || m.id === "") throw new Error("model.json: 'id' must be a non-empty string");
  if (typeof m.featureMapId !== "string") throw new Error("model.json: 'featureMapId' must be a string");
  return m as ModelMeta;
}
