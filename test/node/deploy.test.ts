import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../sdk/errors";
import { FREE_PLAN_GZIP_BYTES, parseUploadSize, PLAN_GZIP_LIMITS } from "../../sdk/serve/deploy";
import { serveBundle, type ServeHandle } from "../../sdk/serve/serve";
import { wranglerBin, wranglerVersion } from "../../sdk/serve/wrangler";
import { buildFixture } from "../workers/fixture-builder";
import { tinyCsvConfig } from "./fixtures/tiny-csv-config";

/**
 * `deploy` end to end on a real (tiny) trained run: the bundle it writes is copied to another folder, started
 * there with wrangler dev, and answers exactly what `ctr-distill score` computes on the same rows. The run is
 * trained with its HTTP self-check pointed at a port another server holds, so the run's "only the HTTP
 * check failed" contract is checked on the way.
 */

const ROOT = resolve(import.meta.dirname, "../..");

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/ctr-distill.js"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 150_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A port another server holds, so that wrangler dev cannot bind it. */
function squatter(): Promise<{ server: Server; port: number }> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => resolvePort({ server, port: (server.address() as { port: number }).port }));
  });
}

/** 300 rows `id,click,C1,C2,I1`; the rows' JSON form is what the worker takes. */
function rows(): { csv: string; json: Record<string, string | number>[] } {
  const lines = ["id,click,C1,C2,I1"];
  const json: Record<string, string | number>[] = [];
  for (let i = 0; i < 300; i++) {
    const row = { C1: "abcdefg"[i % 7]!, C2: "xyz"[(i * 5) % 3]!, I1: (i * 7) % 23 };
    lines.push(`r${i},${(i % 7 < 3) !== (row.C2 === "x") ? 1 : 0},${row.C1},${row.C2},${row.I1}`);
    json.push(row);
  }
  return { csv: lines.join("\n") + "\n", json };
}

describe("ctr-distill deploy", () => {
  let dir: string;
  let run: string;
  let data: string;
  let json: Record<string, string | number>[];
  let trained: ReturnType<typeof cli>;
  let handle: ServeHandle | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ctr-distill-deploy-test-"));
    const sample = rows();
    json = sample.json;
    data = join(dir, "data.csv");
    await writeFile(data, sample.csv);
    const config = join(dir, "config.json");
    await writeFile(config, JSON.stringify(tinyCsvConfig(data)));
    run = join(dir, "run");
    const { server, port } = await squatter();
    try {
      trained = cli("run", "--config", config, "--out", run, "--port", String(port));
    } finally {
      server.close();
    }
  }, 240_000);

  afterAll(async () => {
    await handle?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("run: when only the HTTP self-check fails, exits 1 saying the run directory is complete, and leaves it in place", () => {
    expect(trained.code, trained.stderr).toBe(1);
    const errors = trained.stderr.split("\n").filter((l) => l.startsWith("ctr-distill:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/HTTP self-check failed: wrangler dev exited before the worker was ready: Address already in use .*; the run directory .*run is complete \(student\.wasm, feature-map\.json, model\.json\)/);
    expect(trained.stderr).not.toMatch(/internal error|\n\s+at /);
    for (const f of ["student.wasm", "feature-map.json", "model.json"]) expect(existsSync(join(run, f))).toBe(true);
    expect(existsSync(join(dir, ".run.partial"))).toBe(false);
  });

  it("writes a self-contained bundle that serves from another folder and scores as `ctr-distill score` does", async () => {
    const scored = cli("score", "--model", run, "--data", data);
    expect(scored.code, scored.stderr).toBe(0);
    const expected = scored.stdout.trim().split("\n").map(Number);
    expect(expected).toHaveLength(json.length);

    const out = join(dir, "bundle");
    const deployed = cli("deploy", "--model", run, "--out", out, "--json");
    expect(deployed.code, deployed.stderr).toBe(0);
    const report = JSON.parse(deployed.stdout) as { bundle: string; name: string; modelId: string; files: string[]; deployCommand: string };
    const model = JSON.parse(await readFile(join(run, "model.json"), "utf8")) as { id: string };
    expect(report).toEqual({
      bundle: out,
      name: `ctr-distill-${model.id.slice(0, 12)}`,
      modelId: model.id,
      files: ["entry.js", "ctr-distill-worker.js", "student.wasm", "feature-map.json", "model.json", "wrangler.jsonc", "README.md"],
      deployCommand: `cd ${out} && npx wrangler deploy`,
    });
    for (const f of report.files) expect(existsSync(join(out, f)), f).toBe(true);
    const wrangler = readFileSync(join(out, "wrangler.jsonc"), "utf8");
    expect(wrangler).toMatch(/"compatibility_date": "\d{4}-\d\d-\d\d"/);
    expect(wrangler).toMatch(/"type": "CompiledWasm"/);
    expect(readFileSync(join(out, "README.md"), "utf8")).toContain("    npx wrangler deploy\n");

    // Moved elsewhere, with the original bundle gone: nothing may refer back to it, the run or this package.
    const copy = join(dir, "elsewhere", "worker");
    await cp(out, copy, { recursive: true });
    await rm(out, { recursive: true });
    handle = await serveBundle(copy, { port: 0 });
    const res = await fetch(`${handle.url}/v1/score`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ rows: json }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ctr: number[]; model: string };
    expect(body.model).toBe(model.id);
    expect(body.ctr).toHaveLength(expected.length);
    // `score` prints each probability rounded for text; the worker returns the same float32 scores.
    body.ctr.forEach((p, i) => expect(Math.abs(p - expected[i]!), `row ${i}`).toBeLessThan(1e-6));
    await handle.stop();
    handle = null;
  }, 180_000);

  it("refuses a folder it did not write, and replaces its own bundle only with --overwrite", async () => {
    const foreign = join(dir, "foreign");
    await mkdir(foreign);
    await writeFile(join(foreign, "notes.txt"), "mine");
    const refused = cli("deploy", "--model", run, "--out", foreign);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^ctr-distill: --out .*foreign: the folder exists and is not a ctr-distill bundle.*\n$/);
    expect(readFileSync(join(foreign, "notes.txt"), "utf8")).toBe("mine");

    const out = join(dir, "bundle-2");
    const first = cli("deploy", "--model", run, "--out", out);
    expect(first.code, first.stderr).toBe(0);
    const id = (JSON.parse(readFileSync(join(run, "model.json"), "utf8")) as { id: string }).id.slice(0, 12);
    expect(first.stdout).toBe(`wrote ${out} (Worker ctr-distill-${id}, model ${id}…); to deploy it: cd ${out} && npx wrangler deploy\n`);
    const again = cli("deploy", "--model", run, "--out", out);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/holds a finished ctr-distill bundle; pass --overwrite/);
    const overwritten = cli("deploy", "--model", run, "--out", out, "--overwrite", "--name", "my-ctr");
    expect(overwritten.code, overwritten.stderr).toBe(0);
    expect(readFileSync(join(out, "wrangler.jsonc"), "utf8")).toContain('"name": "my-ctr"');
    // A run directory is not a bundle: --overwrite does not make deploy replace it.
    const onRun = cli("deploy", "--model", run, "--out", run, "--overwrite");
    expect(onRun.code).toBe(1);
    expect(onRun.stderr).toMatch(/holds a ctr-distill run, not a bundle/);
  }, 60_000);

  it("--dry-run --json reports wrangler's gzip size against the plan limits", () => {
    const out = join(dir, "bundle-dry");
    const r = cli("deploy", "--model", run, "--out", out, "--dry-run", "--json");
    expect(r.code, r.stderr).toBe(0);
    const { upload } = JSON.parse(r.stdout) as { upload: { totalBytes: number; gzipBytes: number; limits: typeof PLAN_GZIP_LIMITS; fits: { free: boolean; paid: boolean } } };
    expect(upload.gzipBytes).toBeGreaterThan(0);
    expect(upload.gzipBytes).toBeLessThan(FREE_PLAN_GZIP_BYTES);
    expect(upload.totalBytes).toBeGreaterThanOrEqual(upload.gzipBytes);
    expect(upload.limits).toEqual({ free: 3 * 1024 * 1024, paid: 10 * 1024 * 1024 });
    expect(upload.fits).toEqual({ free: true, paid: true });
    expect(existsSync(join(out, "student.wasm"))).toBe(true);
    expect(existsSync(join(out, ".wrangler")), "the dry run's leftovers").toBe(false);
  }, 120_000);

  it("refuses a folder that is not a run with one line naming the missing file", () => {
    const r = cli("deploy", "--model", dir, "--out", join(dir, "never"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ctr-distill: .*student\.wasm: not found.*\n$/);
    expect(existsSync(join(dir, "never"))).toBe(false);
  });

  it("compiles --cors-origin and --require-token into the entry, and refuses an origin a browser never sends", async () => {
    const out = join(dir, "switches");
    const r = cli("deploy", "--model", run, "--out", out, "--cors-origin", "https://shop.example", "--cors-origin", "https://admin.example", "--require-token");
    expect(r.code, r.stderr).toBe(0);
    const entry = await readFile(join(out, "entry.js"), "utf8");
    expect(entry).toContain(`options: ${JSON.stringify({ corsOrigins: ["https://shop.example", "https://admin.example"], requireToken: true })}`);
    const plain = cli("deploy", "--model", run, "--out", join(dir, "plain"));
    expect(await readFile(join(dir, "plain", "entry.js"), "utf8"), plain.stderr).not.toContain("options");
    const bad = cli("deploy", "--model", run, "--out", join(dir, "bad-origin"), "--cors-origin", "https://shop.example/");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ctr-distill: deploy: --cors-origin: "https:\/\/shop.example\/" is not an origin.*\n$/);
    expect(existsSync(join(dir, "bad-origin"))).toBe(false);
  });

  it("--canary puts a second run under canary/, compiles its share into the entry, and passes wrangler's dry run", async () => {
    const { modelDir: canary } = await buildFixture(join(dir, "fixture"));
    const canaryId = (JSON.parse(await readFile(join(canary, "model.json"), "utf8")) as { id: string }).id;
    const out = join(dir, "two-students");
    const r = cli("deploy", "--model", run, "--canary", canary, "--canary-share", "0.25", "--out", out, "--dry-run", "--json");
    expect(r.code, r.stderr).toBe(0);
    const written = JSON.parse(r.stdout) as { canaryModelId: string; files: string[]; upload: { fits: { free: boolean } } };
    expect(written.canaryModelId).toBe(canaryId);
    expect(written.files).toEqual(expect.arrayContaining(["canary/student.wasm", "canary/feature-map.json", "canary/model.json"]));
    expect(written.upload.fits.free).toBe(true);
    for (const file of ["student.wasm", "feature-map.json", "model.json"]) expect(await readFile(join(out, "canary", file))).toEqual(await readFile(join(canary, file)));
    const entry = await readFile(join(out, "entry.js"), "utf8");
    expect(entry).toContain('import canaryWasm from "./canary/student.wasm";');
    expect(entry).toContain("canary: { wasm: canaryWasm, featureMap: canaryFeatureMap, model: canaryModel, share: 0.25 }");
    expect(await readFile(join(out, "README.md"), "utf8")).toContain("scores 25% of the\nrequests");
  }, 120_000);

  it("refuses a canary share outside 0..1, a share without a canary, and the primary as its own canary, writing nothing", () => {
    for (const [args, message] of [
      [["--canary", run, "--canary-share", "1.5"], /--canary-share must be a number from 0 to 1, got '1.5'/],
      [["--canary", run, "--canary-share", "x"], /--canary-share must be a number from 0 to 1/],
      [["--canary-share", "0.5"], /--canary-share needs --canary DIR/],
      [["--canary", run], /the canary is the primary model/],
    ] as const) {
      const out = join(dir, "bad-canary");
      const r = cli("deploy", "--model", run, "--out", out, ...args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe("parseUploadSize", () => {
  it("reads wrangler's 'Total Upload' line in bytes", () => {
    expect(parseUploadSize("Total Upload: 12.50 KiB / gzip: 3.25 KiB\n")).toEqual({ totalBytes: 12800, gzipBytes: 3328 });
    expect(parseUploadSize("no size here")).toBeNull();
  });
});

function canResolveWrangler(dir: string): boolean {
  try {
    createRequire(join(dir, "x.js")).resolve("wrangler/package.json");
    return true;
  } catch {
    return false;
  }
}

describe("wranglerBin", () => {
  it("says how to install wrangler, the pinned peer dependency, when it cannot be resolved", async (ctx) => {
    // A folder from which Node finds no wrangler (no node_modules above it holds one).
    const base = [tmpdir(), "/var/tmp", "/dev/shm"].find((d) => existsSync(d) && !canResolveWrangler(d));
    if (base === undefined) return ctx.skip();
    const elsewhere = await mkdtemp(join(base, "ctr-distill-no-wrangler-"));
    try {
      const from = pathToFileURL(join(elsewhere, "x.js")).href;
      expect(() => wranglerBin(from)).toThrow(UserError);
      expect(() => wranglerBin(from)).toThrow(`npm install --save-dev wrangler@${wranglerVersion()}`);
      expect(wranglerVersion()).toBe(JSON.parse(readFileSync(join(ROOT, "node_modules/wrangler/package.json"), "utf8")).version);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});
