import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../sdk/errors";
import { deployDryRun, FREE_PLAN_GZIP_BYTES, parseUploadSize } from "../../sdk/serve/deploy";
import { buildFixture } from "../workers/fixture-builder";

describe("parseUploadSize", () => {
  it("reads wrangler's 'Total Upload' line in bytes", () => {
    expect(parseUploadSize("Total Upload: 12.50 KiB / gzip: 3.25 KiB\n")).toEqual({ totalBytes: 12800, gzipBytes: 3328 });
    expect(parseUploadSize("no size here")).toBeNull();
  });
});

describe("deployDryRun()", () => {
  let dir: string;
  let modelDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ctr-distill-deploy-test-"));
    ({ modelDir } = await buildFixture(dir));
  }, 180_000);

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("reports the upload size of the bundled worker, gzip under the free plan's 3 MiB", async () => {
    const size = await deployDryRun(modelDir);
    expect(size.gzipBytes).toBeGreaterThan(0);
    expect(size.gzipBytes).toBeLessThan(FREE_PLAN_GZIP_BYTES);
    expect(size.totalBytes).toBeGreaterThanOrEqual(size.gzipBytes);
  }, 120_000);

  it("refuses with a UserError when the gzip size is over the limit", async () => {
    await expect(deployDryRun(modelDir, { maxGzipBytes: 100 })).rejects.toThrow(UserError);
  }, 120_000);

  it("refuses a directory that is not a model", async () => {
    await expect(deployDryRun(dir)).rejects.toThrow(/student\.wasm: not found/);
  });
});
