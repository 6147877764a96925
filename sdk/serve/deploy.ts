import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../errors";
import { writeWorkerBundle } from "./worker-bundle";
import { runWrangler, tail } from "./wrangler";

/** Cloudflare's script-size limit on the free plan: 3 MiB after gzip (wrangler's MAX_GZIP_SIZE_BYTES). */
export const FREE_PLAN_GZIP_BYTES = 3 * 1024 * 1024;

export interface DeployDryRunOptions {
  /** Where wrangler writes the upload; a temporary folder (removed afterwards) by default. */
  outDir?: string;
  /** Refuse above this gzip size; default the free plan's 3 MiB. */
  maxGzipBytes?: number;
}

export interface UploadSize {
  /** Sum of the modules' sizes (bytes, from wrangler's KiB figure, so ±5 bytes). */
  totalBytes: number;
  /** gzip of the modules, what the script-size limit counts. */
  gzipBytes: number;
}

/** Reads `Total Upload: 123.45 KiB / gzip: 45.67 KiB` from wrangler's output. */
export function parseUploadSize(output: string): UploadSize | null {
  const m = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(output);
  if (m === null) return null;
  return { totalBytes: Math.round(Number(m[1]) * 1024), gzipBytes: Math.round(Number(m[2]) * 1024) };
}

/**
 * `wrangler deploy --dry-run` of a model directory (offline: nothing is uploaded) and the upload size it
 * reports. Throws a UserError when wrangler fails or the gzip size is over `maxGzipBytes`.
 */
export async function deployDryRun(modelDir: string, opts: DeployDryRunOptions = {}): Promise<UploadSize> {
  const work = await mkdtemp(join(tmpdir(), "ctr-distill-deploy-"));
  try {
    const bundle = await writeWorkerBundle(modelDir, join(work, "bundle"));
    const outDir = opts.outDir ?? join(work, "dist");
    const { code, output } = await runWrangler(["deploy", "--dry-run", "--outdir", outDir, "--config", bundle.config], bundle.dir);
    if (code !== 0) throw new UserError(`wrangler deploy --dry-run failed (exit ${code}):\n${tail(output)}`);
    const size = parseUploadSize(output);
    if (size === null) throw new Error(`wrangler deploy --dry-run printed no upload size:\n${tail(output)}`);
    const limit = opts.maxGzipBytes ?? FREE_PLAN_GZIP_BYTES;
    if (size.gzipBytes > limit)
      throw new UserError(
        `the worker for ${modelDir} is ${(size.gzipBytes / 1024 / 1024).toFixed(2)} MiB gzipped, over the ${(limit / 1024 / 1024).toFixed(2)} MiB limit of Cloudflare's free plan; shrink the student (embeddingDim, hash buckets, minCount)`,
      );
    return size;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
