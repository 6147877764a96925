import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../sdk/errors";
import { serve, type ServeHandle } from "../../sdk/serve/serve";
import { buildFixture } from "../workers/fixture-builder";
import type { FixtureExpected } from "../workers/fixture-builder";

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("serve()", () => {
  let dir: string;
  let modelDir: string;
  let expected: FixtureExpected;
  let handle: ServeHandle | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ctr-distill-serve-test-"));
    ({ modelDir } = await buildFixture(dir));
    expected = JSON.parse(await readFile(join(modelDir, "expected.json"), "utf8")) as FixtureExpected;
  }, 180_000);

  afterAll(async () => {
    await handle?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves the model under wrangler dev on 127.0.0.1, offline, and stops it", async () => {
    const port = await freePort();
    handle = await serve({ modelDir, port });
    expect(handle.url).toBe(`http://127.0.0.1:${port}`);

    const res = await fetch(`${handle.url}/v1/score`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rows: expected.rows.slice(0, 5) }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-model-id")).toBe(expected.modelId);
    const body = (await res.json()) as { ctr: number[]; model: string };
    expect(body.model).toBe(expected.modelId);
    body.ctr.forEach((p, i) => expect(Math.abs(p - expected.ctr[i]!)).toBeLessThan(1e-6));

    const bad = await fetch(`${handle.url}/v1/score`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(bad.status).toBe(400);

    await handle.stop();
    handle = null;
    // wrangler and workerd are gone: nothing answers on the port any more.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  }, 180_000);
});

describe("serve() of a model the worker refuses", () => {
  it("throws a UserError naming model_unavailable and leaves nothing running", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ctr-distill-serve-bad-"));
    try {
      const { modelDir } = await buildFixture(dir);
      const model = JSON.parse(await readFile(join(modelDir, "model.json"), "utf8")) as { featureMapId: string };
      await writeFile(join(modelDir, "model.json"), JSON.stringify({ ...model, featureMapId: "0".repeat(64) }));
      const port = await freePort();
      const started = serve({ modelDir, port });
      await expect(started).rejects.toThrow(UserError);
      await expect(started).rejects.toThrow(/model_unavailable/);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
