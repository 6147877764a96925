/**
 * The production switches and the edge every request passes, inside workerd: bearer token, CORS, rate
 * limit, request ids, HEAD, encoded bodies, nosniff, and the row/depth bounds enforced while the body is read.
 */
import { createExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWorker, type WorkerBundle } from "../../worker/app";
import { validateFeatureMap } from "../../sdk/runtime/feature-map";
import { EnvelopeScanner, MAX_JSON_DEPTH } from "../../worker/json-scan";
import { validateModelMeta } from "../../worker/model-meta";
import type { RateLimiter } from "../../worker/switches";
import expected from "./fixture/model/expected.json";
import featureMapJson from "./fixture/model/feature-map.json";
import modelJson from "./fixture/model/model.json";
import wasm from "./fixture/model/student.wasm";
import { handlerWhoseScorerThrows, scoreRequest, type ErrorJson, type ScoreJson } from "./fixture-types";

const model = validateModelMeta(modelJson);
const bundle: WorkerBundle = { wasm, featureMap: validateFeatureMap(featureMapJson), model };
const worker = exports.default;
const BASE = "http://worker.test";
const ROWS = JSON.stringify({ rows: expected.rows.slice(0, 3) });
const TOKEN = "s3cret-token-of-the-worker";
const SHOP = "https://shop.example";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function call(handler: ExportedHandler, request: Request, env: Record<string, unknown> = {}): Promise<Response> {
  return Promise.resolve(handler.fetch!(request as Request<unknown, IncomingRequestCfProperties>, env, createExecutionContext()));
}

function score(headers: Record<string, string> = {}): Request {
  return scoreRequest(ROWS, { "content-type": "application/json", ...headers });
}

async function codeOf(res: Response): Promise<string> {
  return (await res.json<ErrorJson>()).error.code;
}

afterEach(() => vi.restoreAllMocks());

describe("bearer token (secret CTR_DISTILL_TOKEN)", () => {
  const handler = createWorker(bundle);
  const env = { CTR_DISTILL_TOKEN: TOKEN };

  it("is off without the secret", async () => {
    expect((await call(handler, score())).status).toBe(200);
  });

  it("answers 401 with WWW-Authenticate: Bearer without a token, and to a wrong one", async () => {
    const none = await call(handler, score(), env);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(await codeOf(none)).toBe("unauthorized");
    for (const wrong of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, "Bearer x", `Basic ${TOKEN}`, TOKEN]) {
      const res = await call(handler, score({ authorization: wrong }), env);
      expect(res.status, wrong).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
    }
    expect((await call(handler, score({ authorization: "Bearer nope" }), env)).headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("scores with the right token, and leaves /healthz open", async () => {
    const res = await call(handler, score({ authorization: `Bearer ${TOKEN}` }), env);
    expect(res.status).toBe(200);
    expect((await res.json<ScoreJson>()).ctr).toHaveLength(3);
    expect((await call(handler, new Request(`${BASE}/healthz`), env)).status).toBe(200);
    expect((await call(handler, new Request(`${BASE}/v1/model`), env)).status).toBe(401);
  });

  it("fails closed with requireToken and no secret: 503, logged, /healthz still answers", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const strict = createWorker({ ...bundle, options: { requireToken: true } });
    const res = await call(strict, score({ authorization: `Bearer ${TOKEN}` }));
    expect(res.status).toBe(503);
    expect(await codeOf(res)).toBe("auth_not_configured");
    expect(log).toHaveBeenCalledTimes(1);
    expect((await call(strict, new Request(`${BASE}/healthz`))).status).toBe(200);
    expect((await call(strict, score({ authorization: `Bearer ${TOKEN}` }), env)).status).toBe(200);
  });
});

describe("CORS with an origin allow-list", () => {
  const handler = createWorker({ ...bundle, options: { corsOrigins: [SHOP] } });

  it("allows a listed origin, and says Vary: Origin", async () => {
    const res = await call(handler, score({ origin: SHOP }));
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(res.headers.get("vary")).toBe("Origin");
    expect(res.headers.get("access-control-expose-headers")).toContain("x-request-id");
  });

  it("sends no allow header to an origin not listed", async () => {
    for (const origin of ["https://evil.example", `${SHOP}.evil.example`, "http://shop.example", "null"]) {
      const res = await call(handler, score({ origin }));
      expect(res.headers.get("access-control-allow-origin"), origin).toBeNull();
      expect(res.headers.get("vary")).toBe("Origin");
    }
  });

  it("answers an OPTIONS preflight 204 with the route's methods and the headers a client may send, before the token", async () => {
    const preflight = new Request(`${BASE}/v1/score`, { method: "OPTIONS", headers: { origin: SHOP, "access-control-request-method": "POST", "access-control-request-headers": "content-type, authorization" } });
    const res = await call(handler, preflight, { CTR_DISTILL_TOKEN: TOKEN });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(res.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
    expect(res.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    expect(res.headers.get("access-control-allow-headers")).toMatch(/content-type/);
    expect(await res.text()).toBe("");
    const denied = await call(handler, new Request(`${BASE}/v1/score`, { method: "OPTIONS", headers: { origin: "https://evil.example" } }));
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("takes origins from CTR_DISTILL_CORS_ORIGINS too, and is off (no headers, OPTIONS 405) without either", async () => {
    const plain = createWorker(bundle);
    const off = await call(plain, score({ origin: SHOP }));
    expect(off.headers.get("access-control-allow-origin")).toBeNull();
    expect(off.headers.get("vary")).toBeNull();
    expect((await call(plain, new Request(`${BASE}/v1/score`, { method: "OPTIONS", headers: { origin: SHOP } }))).status).toBe(405);
    const fromEnv = await call(plain, score({ origin: "https://admin.example" }), { CTR_DISTILL_CORS_ORIGINS: `${SHOP}, https://admin.example` });
    expect(fromEnv.headers.get("access-control-allow-origin")).toBe("https://admin.example");
  });

  it("refuses an origin a browser never sends at start-up: 503 naming options", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await call(createWorker({ ...bundle, options: { corsOrigins: [`${SHOP}/`] } }), new Request(`${BASE}/healthz`));
    expect(res.status).toBe(503);
    expect(JSON.parse(String(log.mock.calls[0]![0]))).toMatchObject({ event: "model_unavailable", part: "options" });
  });
});

describe("rate limit (binding CTR_DISTILL_RATE_LIMITER)", () => {
  /** Cloudflare's binding as miniflare would give it: `limit` allows `allowed` calls per key. */
  function limiter(allowed: number): RateLimiter & { keys: string[] } {
    const keys: string[] = [];
    return {
      keys,
      limit: async ({ key }) => {
        keys.push(key);
        return { success: keys.filter((k) => k === key).length <= allowed };
      },
    };
  }

  it("answers 429 rate_limited past the binding's limit, keyed by the client's IP", async () => {
    const handler = createWorker(bundle);
    const env = { CTR_DISTILL_RATE_LIMITER: limiter(2) };
    const from = (ip: string) => score({ "cf-connecting-ip": ip });
    expect((await call(handler, from("203.0.113.7"), env)).status).toBe(200);
    expect((await call(handler, from("203.0.113.7"), env)).status).toBe(200);
    const third = await call(handler, from("203.0.113.7"), env);
    expect(third.status).toBe(429);
    expect(await codeOf(third)).toBe("rate_limited");
    expect((await call(handler, from("198.51.100.1"), env)).status).toBe(200);
    expect(env.CTR_DISTILL_RATE_LIMITER.keys).toEqual(["203.0.113.7", "203.0.113.7", "203.0.113.7", "198.51.100.1"]);
  });

  it("uses the binding named by options.rateLimitBinding", async () => {
    const handler = createWorker({ ...bundle, options: { rateLimitBinding: "SCORES_LIMIT" } });
    expect((await call(handler, score(), { SCORES_LIMIT: limiter(0) })).status).toBe(429);
    expect((await call(handler, score(), { CTR_DISTILL_RATE_LIMITER: limiter(0) })).status).toBe(200);
  });
});

describe("request ids", () => {
  it("echoes cf-ray as x-request-id, else a fresh UUID; a malformed cf-ray is replaced", async () => {
    const ray = await worker.fetch(`${BASE}/healthz`, { headers: { "cf-ray": "8f1e2d3c4b5a6978-AMS" } });
    expect(ray.headers.get("x-request-id")).toBe("8f1e2d3c4b5a6978-AMS");
    const a = (await worker.fetch(`${BASE}/healthz`)).headers.get("x-request-id");
    const b = (await worker.fetch(`${BASE}/healthz`)).headers.get("x-request-id");
    expect(a).toMatch(UUID);
    expect(b).toMatch(UUID);
    expect(a).not.toBe(b);
    expect((await worker.fetch(`${BASE}/healthz`, { headers: { "cf-ray": "x".repeat(65) } })).headers.get("x-request-id")).toMatch(UUID);
    expect((await worker.fetch(`${BASE}/nope`, { headers: { "cf-ray": "a b\"c" } })).headers.get("x-request-id")).toMatch(UUID);
  });

  it("puts the request id in the log line, and never the body", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const handler = handlerWhoseScorerThrows(bundle, new Error("boom"));
    const body = JSON.stringify({ rows: [{ site: "secret-site-value" }] });
    const res = await call(handler, scoreRequest(body, { "content-type": "application/json", "cf-ray": "1234abcd-LHR" }));
    expect(res.status).toBe(500);
    expect(res.headers.get("x-request-id")).toBe("1234abcd-LHR");
    expect(log).toHaveBeenCalledTimes(1);
    const line = String(log.mock.calls[0]![0]);
    expect(JSON.parse(line)).toMatchObject({ level: "error", event: "unexpected_error", requestId: "1234abcd-LHR", path: "/v1/score" });
    expect(line).not.toContain("secret-site-value");
  });
});

describe("HTTP details", () => {
  it("answers HEAD with the GET's headers, Content-Length included, and no body", async () => {
    for (const path of ["/v1/model", "/healthz"]) {
      const get = await worker.fetch(`${BASE}${path}`);
      const getBody = new Uint8Array(await get.arrayBuffer());
      const head = await worker.fetch(`${BASE}${path}`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe("");
      expect(head.headers.get("content-length"), path).toBe(String(getBody.byteLength));
      const withoutId = (h: Headers) => [...h].filter(([k]) => k !== "x-request-id");
      expect(withoutId(head.headers)).toEqual(withoutId(get.headers));
    }
  });

  it("answers 415 unsupported_encoding to a gzip body, and to any encoding but identity", async () => {
    const gzipped = await new Response(new Blob([ROWS]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
    for (const encoding of ["gzip", "br", "deflate, gzip"]) {
      const res = await worker.fetch(`${BASE}/v1/score`, { method: "POST", headers: { "content-type": "application/json", "content-encoding": encoding }, body: gzipped });
      expect(res.status, encoding).toBe(415);
      expect(await codeOf(res)).toBe("unsupported_encoding");
    }
    const identity = await worker.fetch(`${BASE}/v1/score`, { method: "POST", headers: { "content-type": "application/json", "content-encoding": "identity" }, body: ROWS });
    expect(identity.status).toBe(200);
  });

  it("sends X-Content-Type-Options: nosniff on every response", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const responses = [
      await worker.fetch(`${BASE}/healthz`),
      await worker.fetch(`${BASE}/v1/score`, { method: "POST", headers: { "content-type": "application/json" }, body: ROWS }),
      await worker.fetch(`${BASE}/nope`),
      await worker.fetch(`${BASE}/v1/score`),
      await worker.fetch(`${BASE}/v1/score`, { method: "POST", body: ROWS }),
      await call(createWorker(bundle), score(), { CTR_DISTILL_TOKEN: TOKEN }),
      await call(createWorker({ ...bundle, options: { corsOrigins: [SHOP] } }), new Request(`${BASE}/v1/score`, { method: "OPTIONS", headers: { origin: SHOP } })),
      await call(createWorker({ ...bundle, model: { ...model, id: "0".repeat(64) } }), new Request(`${BASE}/healthz`)),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 404, 405, 415, 401, 204, 503]);
    for (const r of responses) expect(r.headers.get("x-content-type-options"), String(r.status)).toBe("nosniff");
  });
});

describe("bounds enforced while the body is read", () => {
  /** A 1 MiB body of 100k tiny rows, streamed in 4 KiB chunks, counting how many bytes the worker pulled. */
  function hostileStream(body: string): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
    const bytes = new TextEncoder().encode(body);
    let at = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (at >= bytes.length) return controller.close();
          controller.enqueue(bytes.slice(at, (at += 4096)));
        },
      },
      { highWaterMark: 0 },
    );
    return { stream, pulled: () => at };
  }

  it("refuses 100k rows at row 1,001, having read a few KiB of the 1 MiB body", async () => {
    const body = `{"rows": [${Array.from({ length: 100_000 }, (_, i) => (i % 2 === 0 ? '{"price":1.25}' : "{}")).join(",")}]}`;
    expect(body.length).toBeGreaterThan(850_000);
    expect(body.length).toBeLessThan(1 << 20);
    const { stream, pulled } = hostileStream(body);
    const res = await call(createWorker(bundle), scoreRequest(stream));
    expect(res.status).toBe(413);
    expect((await res.json<ErrorJson>()).error).toMatchObject({ code: "too_many_rows", field: "rows" });
    // Row 1,001 starts at byte ~12,000: a few chunks, not the megabyte.
    expect(pulled()).toBeLessThan(32 * 1024);
  });

  it("refuses a deeply nested body at the ninth level, having read one chunk", async () => {
    const { stream, pulled } = hostileStream(`{"rows": ${"[".repeat(500_000)}${"]".repeat(500_000)}}`);
    const res = await call(createWorker(bundle), scoreRequest(stream));
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe("too_deep");
    expect(pulled()).toBeLessThanOrEqual(8192);
  });

  it("does not count commas or brackets inside strings, nor rows' own arrays", async () => {
    const handler = createWorker({ ...bundle, limits: { maxRows: 2 } });
    const rows = [{ site: "a,b,[c],{d}", tags: ["x", "y", "z"] }, { site: '\\",{' }];
    const res = await call(handler, scoreRequest(JSON.stringify({ rows })));
    expect(res.status).toBe(200);
    expect((await res.json<ScoreJson>()).ctr).toHaveLength(2);
  });

  /** Nesting depth of a JSON value: 0 for a scalar. */
  function depthOf(v: unknown): number {
    if (typeof v !== "object" || v === null) return 0;
    return 1 + Math.max(0, ...Object.values(v).map(depthOf));
  }

  it("agrees with JSON.parse on the row count and the depth, however the body is cut into chunks", () => {
    // Strings full of quotes, backslashes, brackets and commas, and chunk cuts anywhere (inside escapes too).
    const tricky = fc.string({ unit: fc.constantFrom('"', "\\", "[", "]", "{", "}", ",", "a", "é", " ") });
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: "small", withCrossShrink: true }, tricky, fc.integer(), fc.constant(null), fc.array(tie("v"), { maxLength: 4 }), fc.dictionary(tricky, tie("v"), { maxKeys: 3 })),
    })).v;
    fc.assert(
      fc.property(tricky, fc.array(value, { maxLength: 12 }), fc.integer({ min: 1, max: 10 }), fc.array(fc.nat(), { maxLength: 8 }), (note, rows, maxRows, cuts) => {
        const bytes = new TextEncoder().encode(JSON.stringify({ note, rows }));
        const at = [0, ...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
        const scanner = new EnvelopeScanner(maxRows);
        let refused: string | null = null;
        try {
          for (let k = 1; k < at.length; k++) scanner.push(bytes.subarray(at[k - 1], at[k]));
        } catch (e) {
          refused = (e as { code: string }).code;
        }
        const tooDeep = 1 + depthOf(rows) > MAX_JSON_DEPTH; // the envelope object is level 1
        const tooMany = rows.length > maxRows;
        if (!tooDeep && !tooMany) expect(refused).toBeNull();
        if (tooMany && !tooDeep) expect(refused).toBe("too_many_rows");
        if (tooDeep && !tooMany) expect(refused).toBe("too_deep");
        if (tooDeep && tooMany) expect(["too_deep", "too_many_rows"]).toContain(refused);
      }),
      { numRuns: 500 },
    );
  });
});
