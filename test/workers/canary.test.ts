/**
 * Two students in one worker, inside workerd: the split by key (stable, at the configured share, the same
 * from the body and the header), a model asked for by id, rows checked against the student that scores
 * them, every response naming its model, `GET /v1/model` and `/healthz` listing both, and a canary that
 * does not load refused at start-up, naming its file.
 */
import { createExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWorker, type WorkerBundle } from "../../worker/app";
import { splitPosition, MAX_SPLIT_KEY_LENGTH } from "../../worker/split";
import canaryExpected from "./fixture/canary/expected.json";
import canaryMap from "./fixture/canary/feature-map.json";
import canaryModel from "./fixture/canary/model.json";
import canaryWasm from "./fixture/canary/student.wasm";
import expected from "./fixture/model/expected.json";
import featureMap from "./fixture/model/feature-map.json";
import model from "./fixture/model/model.json";
import wasm from "./fixture/model/student.wasm";
import tamperedWasm from "./fixture/model/tampered/student.wasm";
import { maxAbsDiff, scoreRequest, type ErrorJson } from "./fixture-types";

const BASE = "http://worker.test";
const SHARE = 0.3;
const canary = { wasm: canaryWasm, featureMap: canaryMap, model: canaryModel };
const bundle = (share = SHARE): WorkerBundle => ({ wasm, featureMap, model, canary: { ...canary, share } });

/** Rows both students accept: the canary's map has no `tags`. */
const ROWS = canaryExpected.rows.slice(0, 4);
/** Each student's scores of ROWS (the primary scores them without tags too, so its own expected rows do not apply). */
const SCORES: Record<string, number[] | undefined> = { [canaryExpected.modelId]: canaryExpected.ctr.slice(0, 4) };

interface SplitJson {
  ctr: number[];
  model: string;
  variant?: "primary" | "canary";
}

function call(handler: ExportedHandler, request: Request): Promise<Response> {
  return Promise.resolve(handler.fetch!(request as Request<unknown, IncomingRequestCfProperties>, {}, createExecutionContext()));
}

function score(body: Record<string, unknown>, headers: Record<string, string> = {}): Request {
  return scoreRequest(JSON.stringify({ rows: ROWS, ...body }), { "content-type": "application/json", ...headers });
}

async function scored(handler: ExportedHandler, request: Request): Promise<SplitJson & { header: string | null }> {
  const res = await call(handler, request);
  expect(res.status).toBe(200);
  return { ...(await res.json<SplitJson>()), header: res.headers.get("x-model-id") };
}

afterEach(() => vi.restoreAllMocks());

describe("a canary taking a share of the traffic", () => {
  const handler = createWorker(bundle());

  it("places a key at the first 32 bits of sha256(salt, NUL, key), over 2^32", async () => {
    for (const [salt, key] of [["s", "k"], [canaryExpected.modelId, "user-42"], ["", "ü"]] as const) {
      const digest = new DataView(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${salt}\u0000${key}`)));
      expect(splitPosition(salt, key)).toBe(digest.getUint32(0) / 2 ** 32);
    }
  });

  it("assigns a key to the canary exactly when its position is below the share, and names the model three ways", async () => {
    let canaries = 0;
    for (let i = 0; i < 200; i++) {
      const key = `user-${i}`;
      const r = await scored(handler, score({ key }));
      const wanted = splitPosition(canaryExpected.modelId, key) < SHARE ? "canary" : "primary";
      expect(r.variant, key).toBe(wanted);
      expect(r.model).toBe(wanted === "canary" ? canaryExpected.modelId : expected.modelId);
      expect(r.header).toBe(r.model);
      if (wanted === "canary") {
        canaries++;
        expect(maxAbsDiff(r.ctr, SCORES[r.model]!)).toBeLessThan(1e-6);
      }
    }
    // 200 keys at a share of 0.3: 60 expected, σ ≈ 6.5.
    expect(canaries).toBeGreaterThan(35);
    expect(canaries).toBeLessThan(85);
  });

  it("gives a key the same student on every request, from the body or the x-split-key header; integers are keys too", async () => {
    for (const key of ["a", "user-7", "ü-42", "x".repeat(MAX_SPLIT_KEY_LENGTH)]) {
      const first = await scored(handler, score({ key }));
      for (let k = 0; k < 3; k++) expect((await scored(handler, score({ key }))).model).toBe(first.model);
      // Header values are bytes; only ASCII keys mean the same in a header as in JSON.
      if (/^[\x20-\x7e]+$/.test(key)) expect((await scored(handler, score({}, { "x-split-key": key }))).model, key).toBe(first.model);
    }
    // The body's key wins over the header's: a header key that alone would go elsewhere changes nothing.
    const [toPrimary, toCanary] = ["primary", "canary"].map((v) => Array.from({ length: 100 }, (_, i) => `k${i}`).find((k) => (splitPosition(canaryExpected.modelId, k) < SHARE) === (v === "canary"))!);
    expect((await scored(handler, score({ key: toPrimary }, { "x-split-key": toCanary! }))).variant).toBe("primary");
    expect((await scored(handler, score({ key: toCanary }, { "x-split-key": toPrimary! }))).variant).toBe("canary");
    expect((await scored(handler, score({ key: 12345 }))).model).toBe((await scored(handler, score({ key: "12345" }))).model);
  });

  it("splits requests without a key at random, at about the share", async () => {
    let canaries = 0;
    for (let i = 0; i < 200; i++) if ((await scored(handler, score({}))).variant === "canary") canaries++;
    expect(canaries).toBeGreaterThan(35);
    expect(canaries).toBeLessThan(85);
  });

  it("sends everything to one student at a share of 0 or 1", async () => {
    for (const [share, model] of [
      [0, expected.modelId],
      [1, canaryExpected.modelId],
    ] as const) {
      const h = createWorker(bundle(share));
      for (let i = 0; i < 20; i++) expect((await scored(h, score(i % 2 === 0 ? { key: `k${i}` } : {}))).model).toBe(model);
    }
  });

  it("scores with the model a request asks for, whatever its key, and refuses one it does not serve", async () => {
    for (const id of [expected.modelId, canaryExpected.modelId])
      for (const key of ["a", "b", "c", "d"]) expect((await scored(handler, score({ model: id, key }))).model).toBe(id);
    const res = await call(handler, score({ model: "f".repeat(64) }));
    expect(res.status).toBe(400);
    expect((await res.json<ErrorJson>()).error).toMatchObject({ code: "unknown_model", field: "model" });
  });

  it("checks rows against the student that scores them: the canary's map has no tags", async () => {
    const withTags = JSON.stringify({ rows: [{ site: "news", tags: ["sale"] }], model: canaryExpected.modelId });
    const res = await call(handler, scoreRequest(withTags));
    expect(res.status).toBe(400);
    expect((await res.json<ErrorJson>()).error).toMatchObject({ code: "unknown_field", field: "rows[0].tags" });
    const primary = JSON.stringify({ rows: [{ site: "news", tags: ["sale"] }], model: expected.modelId });
    expect((await call(handler, scoreRequest(primary))).status).toBe(200);
  });

  it("refuses a bad key with a 400 naming it", async () => {
    for (const [body, headers, field] of [
      [{ key: "" }, {}, "key"],
      [{ key: "x".repeat(MAX_SPLIT_KEY_LENGTH + 1) }, {}, "key"],
      [{ key: { id: 1 } }, {}, "key"],
      [{ key: 1.5 }, {}, "key"],
      [{ model: 7 }, {}, "model"],
      [{}, { "x-split-key": "x".repeat(MAX_SPLIT_KEY_LENGTH + 1) }, "x-split-key"],
    ] as const) {
      const res = await call(handler, score(body, headers));
      expect(res.status, JSON.stringify(body)).toBe(400);
      const { error } = await res.json<ErrorJson>();
      expect(error.field).toBe(field);
      expect(error.message.length).toBeLessThan(200);
    }
  });

  it("lists both students, with their shares and the split, on GET /v1/model; /healthz names both", async () => {
    const meta = await (await call(handler, new Request(`${BASE}/v1/model`))).json<{ id: string; students: { variant: string; share: number; id: string; featureMapId: string }[]; split: { canaryShare: number; salt: string } }>();
    expect(meta.id).toBe(expected.modelId);
    expect(meta.students.map((s) => [s.variant, s.id, s.featureMapId])).toEqual([
      ["primary", expected.modelId, expected.featureMapId],
      ["canary", canaryExpected.modelId, canaryExpected.featureMapId],
    ]);
    expect(meta.students[0]!.share).toBeCloseTo(1 - SHARE, 12);
    expect(meta.students[1]!.share).toBe(SHARE);
    expect(meta.split).toMatchObject({ canaryShare: SHARE, salt: canaryExpected.modelId });
    expect(await (await call(handler, new Request(`${BASE}/healthz`))).json()).toEqual({ status: "ok", model: expected.modelId, canary: canaryExpected.modelId });
  });
});

describe("one student", () => {
  it("keeps the one-model replies: no variant, no students list, no canary in /healthz", async () => {
    const handler = createWorker({ wasm, featureMap, model });
    const r = await scored(handler, score({ key: "user-1" }));
    expect(r).toMatchObject({ model: expected.modelId, header: expected.modelId });
    expect(r.variant).toBeUndefined();
    expect(await (await call(handler, new Request(`${BASE}/v1/model`))).json()).not.toHaveProperty("students");
    expect(await (await call(handler, new Request(`${BASE}/healthz`))).json()).toEqual({ status: "ok", model: expected.modelId });
  });
});

describe("a canary that does not load", () => {
  it.each([
    ["a tampered module", { ...canary, wasm: tamperedWasm, share: SHARE }, "canary/student.wasm"],
    ["the primary again", { wasm, featureMap, model, share: SHARE }, "canary"],
    ["a share over 1", { ...canary, share: 1.5 }, "canary"],
    ["model.json of the other student", { ...canary, model, share: SHARE }, "canary/model.json"],
  ])("is refused at start-up: %s answers 503 naming the part, logged once", async (_, canaryBundle, part) => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const handler = createWorker({ wasm, featureMap, model, canary: canaryBundle });
    const res = await call(handler, score({}));
    expect(res.status).toBe(503);
    expect((await res.json<ErrorJson>()).error.message).toContain(`${part} was refused`);
    expect(log).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(log.mock.calls[0]![0]))).toMatchObject({ event: "model_unavailable", part });
  });
});
