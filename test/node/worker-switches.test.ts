/**
 * The production switches end to end: a bundle written with `options` (as `deploy` writes it) and a
 * `CTR_DISTILL_TOKEN` secret (`.dev.vars`, how wrangler dev takes secrets) and a `ratelimits` binding,
 * served by wrangler dev in workerd.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readModelFiles } from "../../sdk/serve/model-files";
import { serveBundle, type ServeHandle } from "../../sdk/serve/serve";
import { writeWorkerBundle } from "../../sdk/serve/worker-bundle";
import { buildFixture, type FixtureExpected } from "../workers/fixture-builder";

const TOKEN = "a-token-for-the-test";
const SHOP = "https://shop.example";
/** Requests per minute per client the test's rate limit allows (miniflare simulates Cloudflare's binding). */
const RATE_LIMIT = 6;

/** Adds the `ratelimits` binding the generated wrangler.jsonc describes in its comment. */
async function addRateLimit(config: string): Promise<void> {
  const text = await readFile(config, "utf8");
  const json = JSON.parse(text.split("\n").filter((l) => !l.startsWith("//")).join("\n")) as Record<string, unknown>;
  json.ratelimits = [{ name: "CTR_DISTILL_RATE_LIMITER", namespace_id: "1001", simple: { limit: RATE_LIMIT, period: 60 } }];
  await writeFile(config, JSON.stringify(json, null, 2));
}

describe("a bundle with the switches on, under wrangler dev", () => {
  let dir: string;
  let bundleDir: string;
  let expected: FixtureExpected;
  let handle: ServeHandle | null = null;
  /** wrangler.jsonc as written, before the test adds its rate limit. */
  let generatedConfig: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ctr-distill-switches-test-"));
    const { modelDir } = await buildFixture(join(dir, "fixture"));
    expected = JSON.parse(await readFile(join(modelDir, "expected.json"), "utf8")) as FixtureExpected;
    bundleDir = join(dir, "bundle");
    const runtime = join(dir, "fixture", "runtime", "worker.js");
    await writeWorkerBundle(await readModelFiles(modelDir), bundleDir, { runtime, options: { corsOrigins: [SHOP], requireToken: true } });
    await writeFile(join(bundleDir, ".dev.vars"), `CTR_DISTILL_TOKEN=${TOKEN}\n`);
    generatedConfig = await readFile(join(bundleDir, "wrangler.jsonc"), "utf8");
    await addRateLimit(join(bundleDir, "wrangler.jsonc"));
    handle = await serveBundle(bundleDir, { port: 0 });
  }, 120_000);

  afterAll(async () => {
    await handle?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("compiles the options into the entry and documents the switches in wrangler.jsonc", async () => {
    expect(await readFile(join(bundleDir, "entry.js"), "utf8")).toContain(`options: {"corsOrigins":["${SHOP}"],"requireToken":true}`);
    for (const name of ["CTR_DISTILL_TOKEN", "CTR_DISTILL_CORS_ORIGINS", "CTR_DISTILL_RATE_LIMITER"]) expect(generatedConfig).toContain(name);
  });

  it("answers 401 without the token and scores with it; CORS for the listed origin", async () => {
    const body = JSON.stringify({ rows: expected.rows.slice(0, 2) });
    const score = (headers: Record<string, string>) => fetch(`${handle!.url}/v1/score`, { method: "POST", headers: { "content-type": "application/json", origin: SHOP, ...headers }, body });
    const without = await score({});
    expect(without.status).toBe(401);
    expect(without.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(without.headers.get("access-control-allow-origin")).toBe(SHOP);
    const withToken = await score({ authorization: `Bearer ${TOKEN}` });
    expect(withToken.status).toBe(200);
    expect(((await withToken.json()) as { ctr: number[] }).ctr).toHaveLength(2);
    expect(withToken.headers.get("x-request-id")).toBeTruthy();
    expect(withToken.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers HEAD with the GET's Content-Length over HTTP", async () => {
    const get = await fetch(`${handle!.url}/healthz`);
    const text = await get.text();
    const head = await fetch(`${handle!.url}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(new TextEncoder().encode(text).byteLength));
  });

  it("answers 429 rate_limited past the ratelimits binding's limit, and leaves /healthz out of it", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT + 2; i++) {
      const res = await fetch(`${handle!.url}/v1/model`, { headers: { authorization: `Bearer ${TOKEN}` } });
      statuses.push(res.status);
      if (res.status === 429) expect(((await res.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    }
    expect(statuses).toContain(429);
    expect(statuses.slice(statuses.indexOf(429)).every((s) => s === 429)).toBe(true);
    expect((await fetch(`${handle!.url}/healthz`)).status).toBe(200);
  });
});
