/** Unit tests: the handler called directly (no HTTP), still inside workerd, with limits and stubs of its own. */
import { createExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHandler, createWorker, loadModel, type LoadedModel, type WorkerBundle } from "../../worker/app";
import { validateFeatureMap } from "../../sdk/runtime/feature-map";
import { featureMapId } from "../../sdk/runtime/feature-map-id";
import { validateModelMeta } from "../../worker/model-meta";
import expected from "./fixture/model/expected.json";
import featureMapJson from "./fixture/model/feature-map.json";
import modelJson from "./fixture/model/model.json";
import wasm from "./fixture/model/student.wasm";
import compactExpected from "./fixture/compact/expected.json";
import compactMapJson from "./fixture/compact/feature-map.json";
import compactModelJson from "./fixture/compact/model.json";
import compactWasm from "./fixture/compact/student.wasm";
import { maxAbsDiff, scoreRequest, type ErrorJson, type ScoreJson } from "./fixture-types";

const featureMap = validateFeatureMap(featureMapJson);
const model = validateModelMeta(modelJson);
const bundle: WorkerBundle = { wasm, featureMap, model };

function call(handler: ExportedHandler, request: Request): Promise<Response> {
  return Promise.resolve(handler.fetch!(request as Request<unknown, IncomingRequestCfProperties>, {}, createExecutionContext()));
}

async function errorOf(res: Response): Promise<ErrorJson["error"]> {
  return (await res.json<ErrorJson>()).error;
}

/** A body without Content-Length: the limit must hold on the bytes actually read. */
function streamOf(text: string, chunk = 64): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, (at += chunk)));
    },
  });
}

afterEach(() => vi.restoreAllMocks());

describe("createWorker", () => {
  it("scores the fixture rows like the Node scorer", async () => {
    const res = await call(createWorker(bundle), scoreRequest(JSON.stringify({ rows: expected.rows })));
    expect(res.status).toBe(200);
    expect(maxAbsDiff((await res.json<ScoreJson>()).ctr, expected.ctr)).toBeLessThan(1e-6);
  });

  it("refuses a feature map the module was not built for: logs once, 503 model_unavailable on every route", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    // Another vocabulary for "site": a different map, hence a different id.
    const body = { ...featureMap, features: featureMap.features.map((f) => (f.type === "categorical" ? { ...f, vocab: [...f.vocab].reverse() } : f)) };
    const other = { ...body, id: featureMapId(body) };
    const handler = createWorker({ wasm, featureMap: other, model });
    expect(log).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(log.mock.calls[0]![0]))).toMatchObject({ level: "error", event: "model_unavailable", part: "model.json" });
    for (const req of [scoreRequest(JSON.stringify({ rows: [{}] })), new Request("http://w/healthz"), new Request("http://w/v1/model"), new Request("http://w/nope")]) {
      const res = await call(handler, req);
      expect(res.status).toBe(503);
      expect(await errorOf(res)).toEqual({ code: "model_unavailable", message: expect.any(String), field: null });
    }
    expect(log).toHaveBeenCalledTimes(1);
  });

  it("refuses a model.json whose id is not the module's", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await call(createWorker({ wasm, featureMap, model: { ...model, id: "0".repeat(64) } }), new Request("http://w/healthz"));
    expect(res.status).toBe(503);
    expect(await errorOf(res)).toMatchObject({ code: "model_unavailable", message: expect.stringContaining("model.json") });
    expect(JSON.parse(String(log.mock.calls[0]![0]))).toMatchObject({ part: "model.json" });
  });

  it("refuses a model.json trained on another feature map", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await call(createWorker({ wasm, featureMap, model: { ...model, featureMapId: "f".repeat(64) } }), new Request("http://w/healthz"));
    expect(res.status).toBe(503);
  });

  it("refuses a malformed feature map without throwing", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await call(createWorker({ wasm, featureMap: { format: "nope" }, model }), new Request("http://w/healthz"));
    expect(res.status).toBe(503);
    expect((await errorOf(res)).message).toContain("feature-map.json");
  });
});

describe("a compact student (hashed and quotient–remainder fields, fixture-builder.ts COMPACT_EMBEDDING)", () => {
  const compact: WorkerBundle = { wasm: compactWasm, featureMap: validateFeatureMap(compactMapJson), model: validateModelMeta(compactModelJson) };

  it("reports its own table's rows on GET /v1/model, and the feature map's under featureMapRows", async () => {
    const res = await call(createWorker(compact), new Request("http://w/v1/model"));
    expect(res.status).toBe(200);
    const { sizes } = await res.json<{ sizes: Record<string, number> }>();
    // site 4 + user 4 + ⌈17 / 4⌉ + price 2 + tags 4 rows; the map has 6 + 17 + 2 + 5.
    expect(sizes).toMatchObject({ embeddingRows: 19, featureMapRows: 30, numFields: 4, numSlots: 6 });
  });

  it("scores the fixture rows like the Node scorer and the float64 reference", async () => {
    const res = await call(createWorker(compact), scoreRequest(JSON.stringify({ rows: compactExpected.rows })));
    expect(res.status).toBe(200);
    const { ctr } = await res.json<ScoreJson>();
    expect(maxAbsDiff(ctr, compactExpected.ctr)).toBeLessThan(1e-6);
    expect(maxAbsDiff(ctr, compactExpected.reference)).toBeLessThan(1e-5);
  });
});

describe("limits", () => {
  it("refuses more rows than limits.maxRows with 413", async () => {
    const handler = createWorker({ ...bundle, limits: { maxRows: 5 } });
    const five = await call(handler, scoreRequest(JSON.stringify({ rows: expected.rows.slice(0, 5) })));
    expect(five.status).toBe(200);
    const six = await call(handler, scoreRequest(JSON.stringify({ rows: expected.rows.slice(0, 6) })));
    expect(six.status).toBe(413);
    expect(await errorOf(six)).toMatchObject({ code: "too_many_rows", field: "rows" });
  });

  it("counts the bytes actually read when there is no Content-Length", async () => {
    const handler = createWorker({ ...bundle, limits: { maxBodyBytes: 200 } });
    const small = JSON.stringify({ rows: [{ site: "news" }] });
    const ok = await call(handler, scoreRequest(streamOf(small)));
    expect(ok.status).toBe(200);
    const big = JSON.stringify({ rows: Array.from({ length: 20 }, () => ({ site: "news" })) });
    expect(big.length).toBeGreaterThan(200);
    const res = await call(handler, scoreRequest(streamOf(big)));
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: "payload_too_large", field: null });
  });

  it("refuses a Content-Length over the limit before reading", async () => {
    const handler = createWorker({ ...bundle, limits: { maxBodyBytes: 100 } });
    const res = await call(handler, scoreRequest(" ".repeat(101)));
    expect(res.status).toBe(413);
  });

  it("ignores unknown fields when limits.unknownFields is 'ignore', but never prototype keys", async () => {
    const handler = createWorker({ ...bundle, limits: { unknownFields: "ignore" } });
    const withExtra = expected.rows.slice(0, 3).map((r) => ({ ...r, colour: "red", nested: { deep: [1] } }));
    const res = await call(handler, scoreRequest(JSON.stringify({ rows: withExtra, requestId: "abc" })));
    expect(res.status).toBe(200);
    expect(maxAbsDiff((await res.json<ScoreJson>()).ctr, expected.ctr.slice(0, 3))).toBeLessThan(1e-6);
    const proto = await call(handler, scoreRequest('{"rows": [{"__proto__": {}}]}'));
    expect(proto.status).toBe(400);
    expect((await errorOf(proto)).field).toBe("rows[0].__proto__");
  });

  it("refuses nonsense limits at start-up", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await call(createWorker({ ...bundle, limits: { maxRows: 0 } }), new Request("http://w/healthz"));
    expect(res.status).toBe(503);
  });
});

describe("server faults", () => {
  function withScorer(score: LoadedModel["scorer"]["score"]): ExportedHandler {
    const loaded = loadModel(bundle);
    return createHandler({ ...loaded, scorer: { info: loaded.scorer.info, score } });
  }

  it("answers 500 internal, logged, when the scorer returns NaN: NaN never reaches a response", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const handler = withScorer((_ids, _values, n) => new Float32Array(n).fill(NaN));
    const res = await call(handler, scoreRequest(JSON.stringify({ rows: [{}, {}] })));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("NaN");
    expect(JSON.parse(text)).toEqual({ error: { code: "internal", message: "internal error", field: null } });
    expect(log).toHaveBeenCalledTimes(1);
  });

  it("answers 500 internal without internals when the scorer throws", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const handler = withScorer(() => {
      throw new Error("secret detail at /srv/model");
    });
    const res = await call(handler, scoreRequest(JSON.stringify({ rows: [{}] })));
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain("secret");
    expect(log).toHaveBeenCalledTimes(1);
  });
});
