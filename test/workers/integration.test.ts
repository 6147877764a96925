/**
 * Through the real runtime: requests go to the fixture's bundled worker (test/workers/fixture/bundle/entry.ts,
 * the same entry `wrangler dev` and `wrangler deploy` use) inside workerd.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { validateModelMeta } from "../../worker/model-meta";
import expected from "./fixture/model/expected.json";
import modelJson from "./fixture/model/model.json";
import { maxAbsDiff, type ErrorJson, type ScoreJson } from "./fixture-types";

const model = validateModelMeta(modelJson);
const worker = exports.default;
const URL_BASE = "http://worker.test";
const JSON_TYPE = { "content-type": "application/json" };

function post(body: BodyInit, headers: Record<string, string> = JSON_TYPE, path = "/v1/score"): Promise<Response> {
  return worker.fetch(`${URL_BASE}${path}`, { method: "POST", headers, body });
}

function nested(depth: number): string {
  return "[".repeat(depth) + "1" + "]".repeat(depth);
}

describe("POST /v1/score", () => {
  it("scores rows exactly as the Node scorer does (1e-6) and as the float64 reference (1e-5)", async () => {
    const res = await post(JSON.stringify({ rows: expected.rows }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("x-model-id")).toBe(expected.modelId);
    const body = await res.json<ScoreJson>();
    expect(body.model).toBe(expected.modelId);
    expect(body.ctr).toHaveLength(expected.rows.length);
    expect(maxAbsDiff(body.ctr, expected.ctr)).toBeLessThan(1e-6);
    expect(maxAbsDiff(body.ctr, expected.reference)).toBeLessThan(1e-5);
    for (const p of body.ctr) expect(p > 0 && p < 1).toBe(true);
  });

  it("scores one row as it scores the same row within a batch", async () => {
    const res = await post(JSON.stringify({ rows: [expected.rows[7]] }));
    expect(res.status).toBe(200);
    const body = await res.json<ScoreJson>();
    expect(Math.abs(body.ctr[0]! - expected.ctr[7]!)).toBeLessThan(1e-6);
  });

  it("accepts a charset parameter on the content type", async () => {
    const res = await post(JSON.stringify({ rows: [{}] }), { "content-type": "Application/JSON; charset=utf-8" });
    expect(res.status).toBe(200);
  });

  it("accepts exactly the row limit (1,000 rows)", async () => {
    const res = await post(JSON.stringify({ rows: Array.from({ length: 1000 }, (_, i) => expected.rows[i % expected.rows.length]) }));
    expect(res.status).toBe(200);
    expect((await res.json<ScoreJson>()).ctr).toHaveLength(1000);
  });
});

interface BadCase {
  name: string;
  send: () => Promise<Response>;
  status: number;
  code: string;
  field: string | null;
}

const rows = (...r: unknown[]) => JSON.stringify({ rows: r });

const BAD_REQUESTS: BadCase[] = [
  { name: "malformed JSON", send: () => post('{"rows": [{"site": "news"}'), status: 400, code: "invalid_json", field: null },
  { name: "an empty body", send: () => post(""), status: 400, code: "invalid_json", field: null },
  { name: "bytes that are not UTF-8", send: () => post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), status: 400, code: "invalid_json", field: null },
  { name: "a JSON array as the body", send: () => post("[1, 2]"), status: 400, code: "invalid_request", field: null },
  { name: "no rows key", send: () => post("{}"), status: 400, code: "invalid_request", field: "rows" },
  { name: "rows that is not an array", send: () => post('{"rows": {"site": "news"}}'), status: 400, code: "invalid_type", field: "rows" },
  { name: "empty rows", send: () => post('{"rows": []}'), status: 400, code: "invalid_request", field: "rows" },
  { name: "a row that is not an object", send: () => post(rows({ site: "news" }, 5)), status: 400, code: "invalid_type", field: "rows[1]" },
  { name: "a row that is an array", send: () => post(rows({}, {}, {}, ["news"])), status: 400, code: "invalid_type", field: "rows[3]" },
  { name: "a boolean for a categorical", send: () => post(rows({ site: true })), status: 400, code: "invalid_value", field: "rows[0].site" },
  { name: "a fraction for a categorical", send: () => post(rows({}, { site: 1.5 })), status: 400, code: "invalid_value", field: "rows[1].site" },
  { name: "a string for a numeric", send: () => post(rows({ price: "3" })), status: 400, code: "invalid_value", field: "rows[0].price" },
  { name: "\"NaN\" for a numeric", send: () => post(rows({ price: "NaN" })), status: 400, code: "invalid_value", field: "rows[0].price" },
  { name: "\"Infinity\" for a numeric", send: () => post(rows({ price: "Infinity" })), status: 400, code: "invalid_value", field: "rows[0].price" },
  { name: "a bare NaN literal (not JSON)", send: () => post('{"rows": [{"price": NaN}]}'), status: 400, code: "invalid_json", field: null },
  { name: "a boolean for a numeric", send: () => post(rows({ price: false })), status: 400, code: "invalid_value", field: "rows[0].price" },
  { name: "an object as a value", send: () => post(rows({ price: { value: 3 } })), status: 400, code: "invalid_type", field: "rows[0].price" },
  { name: "a list for a single-valued feature", send: () => post(rows({ site: ["news"] })), status: 400, code: "invalid_type", field: "rows[0].site" },
  { name: "a list nested in a sequence", send: () => post(rows({ tags: ["sale", ["new"]] })), status: 400, code: "invalid_type", field: "rows[0].tags[1]" },
  { name: "a fraction in a sequence", send: () => post(rows({ tags: ["sale", 1.5] })), status: 400, code: "invalid_value", field: "rows[0].tags" },
  { name: "a boolean for a sequence", send: () => post(rows({ tags: true })), status: 400, code: "invalid_value", field: "rows[0].tags" },
  { name: "a deeply nested value", send: () => post(`{"rows": [{"site": ${nested(5000)}}]}`), status: 400, code: "too_deep", field: null },
  { name: "a deeply nested row", send: () => post(`{"rows": [${nested(100_000)}]}`), status: 400, code: "too_deep", field: null },
  { name: "a value nested just past the depth bound", send: () => post(`{"rows": [{"site": ${nested(6)}}]}`), status: 400, code: "too_deep", field: null },
  { name: "a value nested just within the depth bound", send: () => post(`{"rows": [{"site": ${nested(5)}}]}`), status: 400, code: "invalid_type", field: "rows[0].site" },
  { name: "an unknown field", send: () => post(rows({ site: "news", colour: "red" })), status: 400, code: "unknown_field", field: "rows[0].colour" },
  { name: "an unknown field with an odd name", send: () => post(rows({ "a b": 1 })), status: 400, code: "unknown_field", field: 'rows[0]["a b"]' },
  { name: "an unknown top-level key", send: () => post('{"rows": [{}], "extra": 1}'), status: 400, code: "unknown_field", field: "extra" },
  { name: "a __proto__ key in a row", send: () => post('{"rows": [{"__proto__": {"site": "news"}}]}'), status: 400, code: "forbidden_key", field: "rows[0].__proto__" },
  { name: "a constructor key in a row", send: () => post('{"rows": [{"constructor": "x"}]}'), status: 400, code: "forbidden_key", field: "rows[0].constructor" },
  { name: "a __proto__ key at the top level", send: () => post('{"__proto__": {"rows": []}, "rows": [{}]}'), status: 400, code: "forbidden_key", field: "__proto__" },
  { name: "a body over 1 MiB", send: () => post(`{"rows": [{}]}${" ".repeat(1 << 20)}`), status: 413, code: "payload_too_large", field: null },
  { name: "1,001 rows", send: () => post(JSON.stringify({ rows: Array.from({ length: 1001 }, () => ({})) })), status: 413, code: "too_many_rows", field: "rows" },
  { name: "text/plain", send: () => post(rows({}), { "content-type": "text/plain" }), status: 415, code: "unsupported_media_type", field: null },
  { name: "no content type", send: () => post(rows({}), {}), status: 415, code: "unsupported_media_type", field: null },
  { name: "form data", send: () => post("rows=1", { "content-type": "application/x-www-form-urlencoded" }), status: 415, code: "unsupported_media_type", field: null },
  { name: "an unknown path", send: () => post(rows({}), JSON_TYPE, "/v2/score"), status: 404, code: "not_found", field: null },
  { name: "GET on an unknown path", send: () => worker.fetch(`${URL_BASE}/`), status: 404, code: "not_found", field: null },
];

describe("bad requests", () => {
  it.each(BAD_REQUESTS)("answers $status $code for $name", async ({ send, status, code, field }) => {
    const res = await send();
    const text = await res.text();
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = JSON.parse(text) as ErrorJson;
    expect(body.error.code).toBe(code);
    expect(body.error.field).toBe(field);
    expect(typeof body.error.message).toBe("string");
    expect(text).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it("answers 405 with an Allow header for a wrong method", async () => {
    const get = await worker.fetch(`${URL_BASE}/v1/score`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await get.json<ErrorJson>()).error).toMatchObject({ code: "method_not_allowed", field: null });
    const del = await worker.fetch(`${URL_BASE}/v1/model`, { method: "DELETE" });
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("GET, HEAD");
    const put = await worker.fetch(`${URL_BASE}/healthz`, { method: "PUT", body: "x" });
    expect(put.status).toBe(405);
  });
});

describe("GET /v1/model and /healthz", () => {
  it("describes the model: id, features with their types, sizes and metrics", async () => {
    const res = await worker.fetch(`${URL_BASE}/v1/model`);
    expect(res.status).toBe(200);
    const meta = await res.json<Record<string, unknown>>();
    expect(meta).toMatchObject({
      id: expected.modelId,
      featureMapId: expected.featureMapId,
      createdAt: model.createdAt,
      features: [
        { name: "site", type: "categorical", accepts: "string-or-integer" },
        { name: "user", type: "hashed", accepts: "string-or-integer" },
        { name: "price", type: "numeric", accepts: "number" },
        { name: "tags", type: "sequence", accepts: "array-or-separated-string", separator: "|", maxLength: 3 },
      ],
      student: model.student,
      metrics: model.metrics,
      sizes: { wasmBytes: model.sizes.wasmBytes, embeddingRows: 30, featureMapRows: 30, numFields: 4, numSlots: 6 },
      scorer: { abiVersion: 1, quantize: "none" },
      limits: { maxRows: 1000, maxBodyBytes: 1 << 20, unknownFields: "reject" },
    });
  });

  it("answers /healthz with 200", async () => {
    const res = await worker.fetch(`${URL_BASE}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", model: expected.modelId });
  });

  it("answers HEAD without a body", async () => {
    const res = await worker.fetch(`${URL_BASE}/healthz`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });
});
