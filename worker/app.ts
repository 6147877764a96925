import { EncodeError, RowEncoder } from "../sdk/runtime/encode";
import { validateFeatureMap, type FeatureMap, type FeatureSpec } from "../sdk/runtime/feature-map";
import { Scorer, ScoreOverflowError } from "../sdk/runtime/scorer";
import { withEdge } from "./edge";
import { HttpError, badRequest, echoed, jsonResponse } from "./http-error";
import { EnvelopeScanner } from "./json-scan";
import { logEvent } from "./log";
import { resolveLimits, type Limits } from "./limits";
import { validateModelMeta, type ModelMeta } from "./model-meta";
import { resolveOptions, type ResolvedOptions, type WorkerOptions } from "./switches";
import { chooseVariant, checkShare, MAX_SPLIT_KEY_LENGTH, SPLIT_KEY_HEADER, type Variant } from "./split";
import { checkContentEncoding, checkContentType, checkEncodedFinite, encodeErrorToHttp, parseJson, readBodyText, validateEnvelope, validateRows, type FeatureShape, type ScoreEnvelope } from "./validate";

/** One student: the run directory's three files, imported at build time. */
export interface StudentBundle {
  /** `student.wasm`, precompiled by the runtime (a `CompiledWasm` import). */
  wasm: WebAssembly.Module;
  /** `feature-map.json`, validated here. */
  featureMap: unknown;
  /** `model.json`, validated here. */
  model: unknown;
}

/**
 * A second student that scores `share` (0 to 1) of the requests: a canary release, or the B of an A/B test.
 * Requests are split by key (worker/split.ts); its feature map may differ from the primary's.
 */
export interface CanaryBundle extends StudentBundle {
  share: number;
}

/** What a deployment is built from: the primary student, optionally a canary, limits and switches. */
export interface WorkerBundle extends StudentBundle {
  canary?: CanaryBundle;
  limits?: Partial<Limits>;
  /** Production switches (CORS, bearer token, rate limit), all off by default; see worker/switches.ts. */
  options?: WorkerOptions;
}

/** The part of the Scorer the worker uses (a stub in tests). */
export type ScoreModel = Pick<Scorer, "info" | "score">;

/** Everything a request needs, built once per isolate by `loadModel`. */
export interface LoadedModel {
  scorer: ScoreModel;
  encoder: RowEncoder;
  model: ModelMeta;
  limits: Limits;
  /** The feature names a request may use, and the JSON shape each takes. */
  features: ReadonlyMap<string, FeatureShape>;
  /** The body of `GET /v1/model`, built once. */
  metadata: unknown;
}

/** The canary of a deployment, loaded, and its share of the traffic. */
export interface LoadedCanary {
  loaded: LoadedModel;
  share: number;
}

/** The students a worker serves, and what `GET /v1/model` and `/healthz` say of them, built once. */
interface Deployment {
  primary: LoadedModel;
  canary: LoadedCanary | null;
  metadata: unknown;
  health: unknown;
}

type Handler = (deployment: Deployment, request: Request, requestId: string) => Promise<Response> | Response;

interface Route {
  methods: readonly string[];
  handle: Handler;
}

/** What a client must send for a feature's values in JSON. */
function acceptedValues(f: FeatureSpec): "string-or-integer" | "number" | "array-or-separated-string" {
  if (f.type === "sequence") return "array-or-separated-string";
  return f.type === "categorical" || f.type === "hashed" ? "string-or-integer" : "number";
}

function describeModel(model: ModelMeta, map: FeatureMap, scorer: ScoreModel, limits: Limits): unknown {
  return {
    id: model.id,
    featureMapId: map.id,
    createdAt: model.createdAt,
    features: map.features.map((f) => ({ name: f.name, type: f.type, accepts: acceptedValues(f), ...(f.type === "sequence" ? { separator: f.separator, maxLength: f.maxLength } : {}) })),
    student: model.student,
    metrics: model.metrics,
    // embeddingRows: the student's own table (fewer than the feature map's rows with a compact embedding).
    sizes: { ...model.sizes, embeddingRows: scorer.info.embeddingRows, featureMapRows: map.totalRows, numFields: scorer.info.numFields, numSlots: scorer.info.numSlots },
    scorer: { abiVersion: scorer.info.abiVersion, maxBatch: scorer.info.maxBatch, quantize: scorer.info.quantize, quantizeDense: scorer.info.quantizeDense },
    limits,
  };
}

type StudentPart = "student.wasm" | "feature-map.json" | "model.json";

/** The bundle's part that failed to load or verify: a file of a student (the canary's under `canary/`), the canary's share, the limits or the options. */
export type BundlePart = StudentPart | `canary/${StudentPart}` | "canary" | "limits" | "options";

/** A bundle that does not load: `part` names the file that failed, `reason` why. */
export class ModelLoadError extends Error {
  override name = "ModelLoadError";
  constructor(
    readonly part: BundlePart,
    readonly reason: string,
  ) {
    super(`${part}: ${reason}`);
  }
}

/** Runs one step of loading, blaming `part` for whatever it throws. */
function loading<T>(part: BundlePart, step: () => T): T {
  try {
    return step();
  } catch (e) {
    throw new ModelLoadError(part, e instanceof Error ? e.message : String(e));
  }
}

/**
 * Builds scorer and encoder and verifies every part: the feature map's id against its content, the
 * module's weights against its model id (both recomputed here, sdk/runtime), and the three files against
 * each other. Throws a ModelLoadError naming the part that failed.
 */
export function loadModel(bundle: StudentBundle & { limits?: Partial<Limits> }): LoadedModel {
  const map = loading("feature-map.json", () => validateFeatureMap(bundle.featureMap));
  const model = loading("model.json", () => validateModelMeta(bundle.model));
  const limits = loading("limits", () => resolveLimits(bundle.limits));
  if (model.featureMapId !== map.id)
    throw new ModelLoadError("model.json", `trained on feature map ${model.featureMapId}, the bundle's feature-map.json is ${map.id}`);
  const scorer = loading("student.wasm", () => Scorer.fromModule(bundle.wasm));
  loading("student.wasm", () => scorer.checkFeatureMap(map));
  if (scorer.info.modelId !== model.id) throw new ModelLoadError("model.json", `says model ${model.id}, student.wasm is model ${scorer.info.modelId}`);
  return {
    scorer,
    encoder: new RowEncoder(map, "json"),
    model,
    limits,
    features: new Map(map.features.map((f): [string, FeatureShape] => [f.name, f.type === "sequence" ? "list" : "scalar"])),
    metadata: describeModel(model, map, scorer, limits),
  };
}

/**
 * Loads and verifies the bundle's canary, with the checks of `loadModel` (a failure names `canary/<file>`), or
 * null when there is none. A canary that is the primary model, or a share outside [0, 1], is refused.
 */
export function loadCanary(bundle: WorkerBundle, primary: LoadedModel): LoadedCanary | null {
  const canary = bundle.canary;
  if (canary === undefined) return null;
  const share = loading("canary", () => checkShare(canary.share));
  let loaded: LoadedModel;
  try {
    loaded = loadModel({ ...canary, limits: bundle.limits });
  } catch (e) {
    if (e instanceof ModelLoadError && e.part !== "limits") throw new ModelLoadError(`canary/${e.part as StudentPart}`, e.reason);
    throw e;
  }
  if (loaded.model.id === primary.model.id) throw new ModelLoadError("canary", `is the primary model ${primary.model.id}; a canary must be another student`);
  return { loaded, share };
}

/** The served students' metadata: the primary's alone, or (with a canary) the primary's with both listed under `students`. */
function describeDeployment(primary: LoadedModel, canary: LoadedCanary | null): unknown {
  if (canary === null) return primary.metadata;
  const students = [
    { variant: "primary", share: 1 - canary.share, ...(primary.metadata as object) },
    { variant: "canary", share: canary.share, ...(canary.loaded.metadata as object) },
  ];
  const split = { canaryShare: canary.share, key: `the body's "key", else the ${SPLIT_KEY_HEADER} header, else random per request`, salt: canary.loaded.model.id };
  return { ...(primary.metadata as object), students, split };
}

function deploymentOf(primary: LoadedModel, canary: LoadedCanary | null): Deployment {
  const health = { status: "ok", model: primary.model.id, ...(canary === null ? {} : { canary: canary.loaded.model.id }) };
  return { primary, canary, metadata: describeDeployment(primary, canary), health };
}

/** The split key of a request: the body's `key`, else the header's (bounded like the body's). */
function splitKeyOf(envelope: ScoreEnvelope, request: Request): string | null {
  if (envelope.key !== null) return envelope.key;
  const header = request.headers.get(SPLIT_KEY_HEADER);
  if (header !== null && (header === "" || header.length > MAX_SPLIT_KEY_LENGTH))
    throw badRequest("invalid_value", `the ${SPLIT_KEY_HEADER} header must hold 1 to ${MAX_SPLIT_KEY_LENGTH} characters, got ${header.length}`, SPLIT_KEY_HEADER);
  return header;
}

/** The student that scores a request: the one its `model` names, else the split's choice. */
function studentFor(d: Deployment, envelope: ScoreEnvelope, request: Request): { loaded: LoadedModel; variant: Variant } {
  const served: { loaded: LoadedModel; variant: Variant }[] = [{ loaded: d.primary, variant: "primary" }];
  if (d.canary !== null) served.push({ loaded: d.canary.loaded, variant: "canary" });
  if (envelope.model !== null) {
    const asked = served.find((s) => s.loaded.model.id === envelope.model);
    if (asked === undefined) throw badRequest("unknown_model", `model ${echoed(envelope.model)} is not served here; GET /v1/model lists the models`, "model");
    return asked;
  }
  const key = splitKeyOf(envelope, request);
  return d.canary === null ? served[0]! : served[chooseVariant(d.canary.share, d.canary.loaded.model.id, key) === "canary" ? 1 : 0]!;
}

async function score(d: Deployment, request: Request): Promise<Response> {
  checkContentEncoding(request);
  checkContentType(request);
  // The limits are the deployment's: a canary is loaded with the primary's.
  const { limits } = d.primary;
  const envelope = validateEnvelope(parseJson(await readBodyText(request, limits.maxBodyBytes, new EnvelopeScanner(limits.maxRows))), limits);
  const { loaded, variant } = studentFor(d, envelope, request);
  const rows = validateRows(envelope.rows, loaded.features, limits);
  let encoded;
  try {
    encoded = loaded.encoder.encodeObjects(rows);
  } catch (e) {
    if (e instanceof EncodeError) throw encodeErrorToHttp(e);
    throw e;
  }
  checkEncodedFinite(encoded.values, loaded.encoder.slotNames);
  const out = scoreEncoded(loaded, encoded);
  const ctr = new Array<number>(encoded.n);
  for (let i = 0; i < encoded.n; i++) {
    const p = out[i]!;
    // A non-finite probability is the model's fault, never the client's, and NaN is not JSON.
    if (!Number.isFinite(p)) throw new Error(`scorer returned ${p} for row ${i} of ${encoded.n}`);
    ctr[i] = p;
  }
  return jsonResponse({ ctr, model: loaded.model.id, ...(d.canary === null ? {} : { variant }) }, { "x-model-id": loaded.model.id });
}

/**
 * Scores encoded rows. A row whose values overflow the model (possible only with a feature map that has no
 * training ranges to clip to) is the client's out-of-range value: 400, not a NaN and not a 500.
 */
function scoreEncoded(loaded: LoadedModel, encoded: { ids: Int32Array; values: Float32Array; n: number }): Float32Array {
  try {
    return loaded.scorer.score(encoded.ids, encoded.values, encoded.n);
  } catch (e) {
    if (e instanceof ScoreOverflowError)
      throw badRequest("invalid_value", `rows[${e.row}]: values out of range for this model (they overflow it)`, `rows[${e.row}]`);
    throw e;
  }
}

const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ["/v1/score", { methods: ["POST"], handle: score }],
  ["/v1/model", { methods: ["GET", "HEAD"], handle: (d) => jsonResponse(d.metadata) }],
  ["/healthz", { methods: ["GET", "HEAD"], handle: (d) => jsonResponse(d.health) }],
]);

/** The methods a path allows, or null when there is no such route. */
function methodsFor(pathname: string): readonly string[] | null {
  return ROUTES.get(pathname)?.methods ?? null;
}

async function route(d: Deployment, request: Request, requestId: string): Promise<Response> {
  const { pathname } = new URL(request.url);
  const found = ROUTES.get(pathname);
  if (found === undefined) throw new HttpError(404, "not_found", `no route for ${echoed(pathname)}`);
  if (!found.methods.includes(request.method))
    throw new HttpError(405, "method_not_allowed", `${echoed(request.method)} is not allowed on ${pathname}`, null, { allow: found.methods.join(", ") });
  const response = await found.handle(d, request, requestId);
  // HEAD: the GET's status and headers (Content-Length included), no body.
  return request.method === "HEAD" ? new Response(null, { status: response.status, headers: response.headers }) : response;
}

/**
 * The request handler over a loaded model (and its canary, if any), behind the edge (worker/edge.ts: request
 * id, CORS, token, rate limit, nosniff). Every reply names a model in `x-model-id`: the one that scored it,
 * else the primary. Client errors render themselves; anything else is a bug: logged with its stack, 500.
 */
export function createHandler(loaded: LoadedModel, options: ResolvedOptions = resolveOptions(), canary: LoadedCanary | null = null): ExportedHandler {
  const deployment = deploymentOf(loaded, canary);
  return withEdge((request, requestId) => route(deployment, request, requestId), { options, methodsFor, headers: { "x-model-id": loaded.model.id } });
}

/**
 * The worker: `export default createWorker({ wasm, featureMap, model })`. The scorer is instantiated and
 * verified once, when this is called (module scope, once per isolate). A bundle that does not load, fails
 * verification or whose parts do not match is logged once and answered 503 `model_unavailable`, naming
 * the failed file, on every request: the isolate never crashes.
 */
export function createWorker(bundle: WorkerBundle): ExportedHandler {
  // The switches hold for the 503 answers too (CORS lets a browser read them), unless they are what failed.
  let options = resolveOptions();
  try {
    options = loading("options", () => resolveOptions(bundle.options));
    const primary = loadModel(bundle);
    return createHandler(primary, options, loadCanary(bundle, primary));
  } catch (e) {
    const part = e instanceof ModelLoadError ? e.part : null;
    logEvent("error", "model_unavailable", { part, error: e instanceof Error ? e.message : String(e) });
    const unavailable = new HttpError(503, "model_unavailable", `the model failed to load at start-up${part === null ? "" : `: ${part} was refused`}; see the worker's logs`);
    return withEdge(async () => Promise.reject(unavailable), { options, methodsFor, headers: {} });
  }
}
