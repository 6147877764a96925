import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { UserError } from "../errors";
import { writeOutputFolder } from "../pipeline/output-folder";
import { deployCommandLine } from "./bundle-readme";
import { readModelFiles } from "./model-files";
import { BUNDLE_FILES, checkCanary, writeWorkerBundle, type CanaryFiles, type WorkerBundleOptions } from "./worker-bundle";
import { runWrangler, tail, wranglerBin, wranglerError } from "./wrangler";

const MiB = 1024 * 1024;

/** Cloudflare's Worker size limits after gzip, per plan (wrangler's MAX_GZIP_SIZE_BYTES is the free one). */
export const PLAN_GZIP_LIMITS = { free: 3 * MiB, paid: 10 * MiB } as const;
export const FREE_PLAN_GZIP_BYTES = PLAN_GZIP_LIMITS.free;

export interface UploadSize {
  /** Sum of the modules' sizes (bytes, from wrangler's KiB figure, so ±5 bytes). */
  totalBytes: number;
  /** gzip of the modules, what the script-size limit counts. */
  gzipBytes: number;
}

/** An upload size judged against the plan limits. */
export interface UploadReport extends UploadSize {
  limits: typeof PLAN_GZIP_LIMITS;
  /** Per plan: whether the gzip size is within its limit. */
  fits: Record<keyof typeof PLAN_GZIP_LIMITS, boolean>;
}

/** What `deploy` wrote: the `--json` object of the command, less the dry run. */
export interface DeployBundle {
  /** The bundle folder, absolute. */
  bundle: string;
  /** The Worker name in `wrangler.jsonc`. */
  name: string;
  modelId: string;
  /** The canary's model id, when the bundle has one. */
  canaryModelId?: string;
  /** The files of the bundle, relative to it. */
  files: string[];
  /** What to run to upload it (`cd DIR && npx wrangler deploy`). */
  deployCommand: string;
}

/** Reads `Total Upload: 123.45 KiB / gzip: 45.67 KiB` from wrangler's output. */
export function parseUploadSize(output: string): UploadSize | null {
  const m = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(output);
  if (m === null) return null;
  return { totalBytes: Math.round(Number(m[1]) * 1024), gzipBytes: Math.round(Number(m[2]) * 1024) };
}

/** `1.23 MiB` */
export function formatMiB(bytes: number): string {
  return `${(bytes / MiB).toFixed(2)} MiB`;
}

/** A canary run directory for a bundle, and its share of the traffic (0 to 1). */
export interface CanaryRun {
  modelDir: string;
  share: number;
}

export interface DeployBundleOptions extends Omit<WorkerBundleOptions, "canary"> {
  overwrite?: boolean;
  canary?: CanaryRun;
}

/** Reads and checks a canary's run directory, and its share against the primary (before anything is written). */
export async function readCanary(canary: CanaryRun | undefined, primaryId: string): Promise<CanaryFiles | undefined> {
  if (canary === undefined) return undefined;
  const files = { model: await readModelFiles(canary.modelDir), share: canary.share };
  checkCanary(files, primaryId);
  return files;
}

/**
 * Writes the Workers project of a run directory's model (and of a canary, if given) into `outDir` through
 * writeOutputFolder: the folder is written aside and moved into place, a folder ctr-distill did not write is
 * refused, and an earlier bundle is replaced only with `overwrite`. `outDir` as given appears in `deployCommand`.
 */
export async function writeDeployBundle(modelDir: string, outDir: string, opts: DeployBundleOptions = {}): Promise<DeployBundle> {
  const model = await readModelFiles(modelDir);
  const { overwrite, canary: canaryRun, ...rest } = opts;
  const canary = await readCanary(canaryRun, model.modelId);
  const bundleOptions: WorkerBundleOptions = { ...rest, ...(canary === undefined ? {} : { canary }) };
  const marker = { model: model.modelId, name: bundleOptions.name ?? null, ...(canary === undefined ? {} : { canary: canary.model.modelId, share: canary.share }) };
  const bundle = await writeOutputFolder(outDir, { kind: "bundle", config: marker, overwrite }, (dir) => writeWorkerBundle(model, dir, bundleOptions));
  return {
    bundle: resolve(outDir),
    name: bundle.name,
    modelId: bundle.modelId,
    ...(bundle.canaryModelId === undefined ? {} : { canaryModelId: bundle.canaryModelId }),
    files: bundle.files,
    deployCommand: deployCommandLine(outDir),
  };
}

/**
 * `wrangler deploy --dry-run --outdir` on a bundle folder (offline: nothing is uploaded, the output goes to a
 * temporary folder) and the upload size it reports, against the plan limits.
 */
export async function dryRunBundle(bundleDir: string): Promise<UploadReport> {
  wranglerBin(); // a missing wrangler is the user's to install, said before anything runs
  const dir = resolve(bundleDir);
  const outDir = await mkdtemp(join(tmpdir(), "ctr-distill-dry-run-"));
  // wrangler leaves an empty `.wrangler/tmp` behind; it goes again unless the folder had one already.
  const state = join(dir, ".wrangler");
  const hadState = existsSync(state);
  try {
    const { code, output } = await runWrangler(["deploy", "--dry-run", "--outdir", outDir, "--config", join(dir, BUNDLE_FILES.config)], dir);
    if (code !== 0) throw new UserError(`wrangler deploy --dry-run failed in ${bundleDir} (exit ${code}): ${wranglerError(output) ?? `\n${tail(output)}`}`);
    const size = parseUploadSize(output);
    if (size === null) throw new Error(`wrangler deploy --dry-run printed no upload size:\n${tail(output)}`);
    return { ...size, limits: PLAN_GZIP_LIMITS, fits: { free: size.gzipBytes <= PLAN_GZIP_LIMITS.free, paid: size.gzipBytes <= PLAN_GZIP_LIMITS.paid } };
  } finally {
    await rm(outDir, { recursive: true, force: true });
    if (!hadState) await rm(state, { recursive: true, force: true });
  }
}

/** The dry run of a run directory's model (and canary) without keeping a bundle (a temporary one is written and removed). */
export async function deployDryRun(modelDir: string, canaryRun?: CanaryRun): Promise<UploadReport> {
  const model = await readModelFiles(modelDir);
  const canary = await readCanary(canaryRun, model.modelId);
  const work = await mkdtemp(join(tmpdir(), "ctr-distill-deploy-"));
  try {
    return await dryRunBundle((await writeWorkerBundle(model, work, canary === undefined ? {} : { canary })).dir);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
