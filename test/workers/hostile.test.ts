/**
 * Hostile and broken inputs inside workerd: tampered artifacts (refused at start-up), extreme numbers
 * (clipped to the training range), interrupted uploads (the client's 400, one info line), long keys and
 * paths (cut in replies), and random JSON bodies (never a 5xx, never a non-finite score).
 */
import { createExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWorker, type WorkerBundle } from "../../worker/app";
import { FeatureMapError, validateFeatureMap } from "../../sdk/runtime/feature-map";
import { Scorer, ScorerError, ScoreOverflowError } from "../../sdk/runtime/scorer";
import { validateModelMeta } from "../../worker/model-meta";
import expected from "./fixture/model/expected.json";
import featureMapJson from "./fixture/model/feature-map.json";
import modelJson from "./fixture/model/model.json";
import wasm from "./fixture/model/student.wasm";
import tamperedMapJson from "./fixture/model/tampered/feature-map.json";
import tamperedWasm from "./fixture/model/tampered/student.wasm";
import { handlerWhoseScorerThrows, scoreRequest, type ErrorJson, type ScoreJson } from "./fixture-types";

const featureMap = validateFeatureMap(featureMapJson);
const model = validateModelMeta(modelJson);
const bundle: WorkerBundle = { wasm, featureMap, model };
const worker = exports.default;
const JSON_TYPE = { "content-type": "application/json" };

function call(handler: ExportedHandler, request: Request): Promise<Response> {
  return Promise.resolve(handler.fetch!(request as Request<unknown, IncomingRequestCfProperties>, {}, createExecutionContext()));
}

function post(body: BodyInit): Promise<Response> {
  return worker.fetch("http://worker.test/v1/score", { method: "POST", headers: JSON_TYPE, body });
}

async function scoresOf(...rows: Record<string, unknown>[]): Promise<number[]> {
  const res = await post(JSON.stringify({ rows }));
  expect(res.status).toBe(200);
  return (await res.json<ScoreJson>()).ctr;
}

/** The one JSON line of a console spy's only call. */
function onlyLine(spy: { mock: { calls: unknown[][] } }): Record<string, unknown> {
  expect(spy.mock.calls).toHaveLength(1);
  return JSON.parse(String(spy.mock.calls[0]![0])) as Record<string, unknown>;
}

afterEach(() => vi.restoreAllMocks());

describe("artifacts verified at start-up", () => {
  it("loads the genuine module: its weights hash to its id", () => {
    expect(Scorer.fromModule(wasm).info.modelId).toBe(expected.modelId);
  });

  it("refuses a module with one flipped weight bit (ScorerError), and the worker answers 503 naming student.wasm", async () => {
    expect(() => Scorer.fromModule(tamperedWasm)).toThrow(ScorerError);
    expect(() => Scorer.fromModule(tamperedWasm)).toThrow(/weights do not match its model id/);
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const handler = createWorker({ ...bundle, wasm: tamperedWasm });
    expect(onlyLine(log)).toMatchObject({ level: "error", event: "model_unavailable", part: "student.wasm" });
    const res = await call(handler, scoreRequest(JSON.stringify({ rows: [{}] })));
    expect(res.status).toBe(503);
    expect((await res.json<ErrorJson>()).error).toMatchObject({ code: "model_unavailable", message: expect.stringContaining("student.wasm") });
  });

  it("refuses a feature map with an edited vocabulary and its old id, and the worker answers 503 naming feature-map.json", async () => {
    expect(() => validateFeatureMap(tamperedMapJson)).toThrow(FeatureMapError);
    expect(() => validateFeatureMap(tamperedMapJson)).toThrow(/does not match its content/);
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await call(createWorker({ ...bundle, featureMap: tamperedMapJson }), new Request("http://w/healthz"));
    expect(res.status).toBe(503);
    expect((await res.json<ErrorJson>()).error.message).toContain("feature-map.json");
    expect(onlyLine(log)).toMatchObject({ part: "feature-map.json" });
  });
});

describe("bounded inputs", () => {
  it("clips numbers to the range seen in training: price 1e30 scores as the largest price seen, strictly inside (0, 1)", async () => {
    const [huge, max, tiny, min, maxValue] = await scoresOf({ price: 1e30 }, { price: 35 }, { price: -1e30 }, { price: -5 }, { price: Number.MAX_VALUE });
    for (const p of [huge!, tiny!, maxValue!]) expect(p > 0 && p < 1).toBe(true);
    expect(huge).toBe(max);
    expect(maxValue).toBe(max);
    expect(tiny).toBe(min);
  });

  it("type-checks every sequence item, also those before the last maxLength that are dropped", async () => {
    for (const tags of [[true, "sale", "new", "kids"], [1.5, "sale", "new", "kids"]]) {
      const res = await post(JSON.stringify({ rows: [{ tags }] }));
      expect(res.status).toBe(400);
      expect((await res.json<ErrorJson>()).error).toMatchObject({ code: "invalid_value", field: "rows[0].tags" });
    }
    expect(await scoresOf({ tags: ["other", "sale", "new", "kids"] })).toEqual(await scoresOf({ tags: ["sale", "new", "kids"] }));
  });

  it("cuts a long unknown key in the reply: a 100 kB key does not come back", async () => {
    const key = "k".repeat(100_000);
    const res = await post(`{"rows": [{"${key}": 1}]}`);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(500);
    expect((JSON.parse(text) as ErrorJson).error).toMatchObject({ code: "unknown_field", field: `rows[0].${"k".repeat(64)}…` });
    const odd = await post(JSON.stringify({ rows: [{}], [`${" ".repeat(50_000)}`]: 1 }));
    expect((await odd.text()).length).toBeLessThan(500);
  });

  it("cuts a long path in a 404", async () => {
    const res = await worker.fetch(`http://worker.test/${"p".repeat(10_000)}`);
    expect(res.status).toBe(404);
    expect((await res.text()).length).toBeLessThan(500);
  });
});

describe("client failures stay 4xx and quiet", () => {
  /** A body that sends the start of a JSON document, then fails as a dropped connection does. */
  function interrupted(): ReadableStream<Uint8Array> {
    let sent = false;
    return new ReadableStream({
      pull(controller) {
        if (sent) return controller.error(new TypeError("Network connection lost."));
        sent = true;
        controller.enqueue(new TextEncoder().encode('{"rows": [{"site": "ne'));
      },
    });
  }

  it("answers an interrupted upload with 400 body_aborted and one structured info line, no error log", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const info = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const res = await call(createWorker(bundle), scoreRequest(interrupted()));
    expect(res.status).toBe(400);
    expect((await res.json<ErrorJson>()).error).toMatchObject({ code: "body_aborted", field: null });
    expect(onlyLine(info)).toEqual({ level: "info", event: "body_aborted", status: 400, method: "POST", path: "/v1/score", requestId: res.headers.get("x-request-id") });
    expect(errors).not.toHaveBeenCalled();
  });

  it("answers a row that overflows the model (a map without training ranges) with 400 naming the row, not a 500", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const handler = handlerWhoseScorerThrows(bundle, new ScoreOverflowError(1));
    const res = await call(handler, scoreRequest(JSON.stringify({ rows: [{}, {}] })));
    expect(res.status).toBe(400);
    expect((await res.json<ErrorJson>()).error).toMatchObject({ code: "invalid_value", field: "rows[1]" });
    expect(errors).not.toHaveBeenCalled();
  });
});

describe("property: random JSON bodies", () => {
  const scalar = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null));
  const anyValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }));
  /** Mostly a value of the right JSON type (any number, any string: the encoder's business), sometimes anything. */
  const plausible = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 19 }, { arbitrary: anyValue, weight: 1 });
  const row = fc.record(
    {
      site: plausible(fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
      user: plausible(fc.oneof(fc.string(), fc.integer())),
      price: plausible(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(1e30, -1e30, Number.MAX_VALUE, 5e-324))),
      tags: plausible(fc.oneof(fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 8 }), fc.string())),
    },
    { requiredKeys: [] },
  );

  // The handler called directly: the bundle's fetch path costs the test harness ~10 ms a request.
  const handler = createWorker(bundle);

  async function check(body: string): Promise<void> {
    const res = await call(handler, scoreRequest(body));
    const text = await res.text();
    expect(res.status).toBeLessThan(500);
    if (res.status !== 200) return;
    for (const p of (JSON.parse(text) as ScoreJson).ctr) expect(Number.isFinite(p) && p > 0 && p < 1).toBe(true);
  }

  it("never answers 5xx nor a non-finite score, for any JSON body", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), (body) => check(JSON.stringify(body))), { numRuns: 200 });
    expect(errors).not.toHaveBeenCalled();
  });

  it("never answers 5xx nor a non-finite score, for rows of random feature values", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const rows = fc.array(row, { minLength: 1, maxLength: 10 });
    await fc.assert(fc.asyncProperty(rows, (r) => check(JSON.stringify({ rows: r }))), { numRuns: 300 });
    expect(errors).not.toHaveBeenCalled();
  });
});
