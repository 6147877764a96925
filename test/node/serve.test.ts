import { spawn, type ChildProcess } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../sdk/errors";
import { freePort, serve } from "../../sdk/serve/serve";
import { buildFixture } from "../workers/fixture-builder";
import type { FixtureExpected } from "../workers/fixture-builder";

const ROOT = resolve(import.meta.dirname, "../..");

/** Resolves with the first match of `pattern` in what `child` writes on stderr, or rejects when it exits first. */
function waitForStderr(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolveMatch, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`)), timeoutMs);
    child.stderr!.on("data", (d: Buffer) => {
      text += d.toString();
      const m = pattern.exec(text);
      if (m !== null) {
        clearTimeout(timer);
        resolveMatch(m);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${pattern}:\n${text}`));
    });
  });
}

describe("ctr-distill serve", () => {
  let dir: string;
  let modelDir: string;
  let expected: FixtureExpected;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ctr-distill-serve-test-"));
    ({ modelDir } = await buildFixture(dir));
    expected = JSON.parse(await readFile(join(modelDir, "expected.json"), "utf8")) as FixtureExpected;
  }, 180_000);

  afterAll(async () => {
    child?.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("--port 0 serves the run on a free port of 127.0.0.1, offline, and Ctrl-C stops wrangler and workerd", async () => {
    child = spawn(process.execPath, [join(ROOT, "bin/ctr-distill.js"), "serve", "--model", modelDir, "--port", "0"], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    const exited = new Promise<number | null>((r) => child!.once("exit", (code) => r(code)));
    const [, id, url] = await waitForStderr(child, /serving model ([0-9a-f]{12})… at (http:\/\/127\.0\.0\.1:\d+) /, 120_000);
    expect(expected.modelId.startsWith(id!)).toBe(true);
    expect(url).not.toBe("http://127.0.0.1:0");

    const res = await fetch(`${url}/v1/score`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ rows: expected.rows }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-model-id")).toBe(expected.modelId);
    const body = (await res.json()) as { ctr: number[]; model: string };
    expect(body.model).toBe(expected.modelId);
    expect(body.ctr).toHaveLength(expected.ctr.length);
    body.ctr.forEach((p, i) => expect(Math.abs(p - expected.ctr[i]!), `row ${i}`).toBeLessThan(1e-6));
    const bad = await fetch(`${url}/v1/score`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(bad.status).toBe(400);

    child.kill("SIGINT");
    expect(await exited).toBe(0);
    child = null;
    // wrangler and workerd are gone: nothing answers on the port any more.
    await expect(fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  }, 180_000);

  it("--canary serves two students: /healthz names both, a request asking for the canary gets its scores", async () => {
    const canary = JSON.parse(await readFile(join(dir, "canary", "expected.json"), "utf8")) as FixtureExpected;
    child = spawn(process.execPath, [join(ROOT, "bin/ctr-distill.js"), "serve", "--model", modelDir, "--canary", join(dir, "canary"), "--canary-share", "0.5", "--port", "0"], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    const exited = new Promise<number | null>((r) => child!.once("exit", (code) => r(code)));
    const [, id, canaryId, url] = await waitForStderr(child, /serving model ([0-9a-f]{12})… with canary ([0-9a-f]{12})… at 0\.5 at (http:\/\/127\.0\.0\.1:\d+) /, 120_000);
    expect(expected.modelId.startsWith(id!) && canary.modelId.startsWith(canaryId!)).toBe(true);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: "ok", model: expected.modelId, canary: canary.modelId });
    const res = await fetch(`${url}/v1/score`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ rows: canary.rows, model: canary.modelId }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-model-id")).toBe(canary.modelId);
    const body = (await res.json()) as { ctr: number[]; model: string; variant: string };
    expect([body.model, body.variant]).toEqual([canary.modelId, "canary"]);
    body.ctr.forEach((p, i) => expect(Math.abs(p - canary.ctr[i]!), `row ${i}`).toBeLessThan(1e-6));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    child = null;
  }, 180_000);

  it("refuses files of different runs with a UserError naming them, before anything starts", async () => {
    const model = JSON.parse(await readFile(join(modelDir, "model.json"), "utf8")) as { featureMapId: string };
    const bad = join(dir, "bad");
    await cp(modelDir, bad, { recursive: true });
    await writeFile(join(bad, "model.json"), JSON.stringify({ ...model, featureMapId: "0".repeat(64) }));
    const port = await freePort();
    const started = serve({ modelDir: bad, port });
    await expect(started).rejects.toThrow(UserError);
    await expect(started).rejects.toThrow(/model\.json was trained on feature map 000000000000…, feature-map\.json is/);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  }, 60_000);
});
