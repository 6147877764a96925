/**
 * `ctr-distill/worker`: `createWorker` for a user's own Cloudflare Worker. Import the run's `student.wasm`
 * (a CompiledWasm module), `feature-map.json` and `model.json`, and export `createWorker({ wasm, featureMap, model })`.
 */
export { createWorker, createHandler, loadCanary, loadModel, ModelLoadError, type BundlePart, type CanaryBundle, type LoadedCanary, type LoadedModel, type StudentBundle, type WorkerBundle } from "./app";
export { MAX_SPLIT_KEY_LENGTH, SPLIT_KEY_HEADER, splitPosition, type Variant } from "./split";
export { DEFAULT_LIMITS, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_ROWS, type Limits } from "./limits";
export type { ModelMeta } from "./model-meta";
export { ENV as WORKER_ENV, type RateLimiter, type WorkerOptions } from "./switches";
