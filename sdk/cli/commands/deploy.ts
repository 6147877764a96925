import { UserError } from "../../errors";
import { cliLogger } from "../interrupt";
import { dryRunBundle, formatMiB, PLAN_GZIP_LIMITS, writeDeployBundle, type UploadReport } from "../../serve/deploy";
import { wranglerBin } from "../../serve/wrangler";
import { booleanFlag, listFlag, requiredFlag, stringFlag, type CommandSpec, type ParsedFlags } from "../command-spec";
import { checkOrigin, type WorkerOptions } from "../../../worker/switches";
import { CANARY_FLAGS, JSON_FLAG } from "../common-flags";
import { canaryFromFlags } from "../canary-flags";
import { printJson } from "../output";

/** The line of a dry run's size, e.g. `upload 91.33 KiB, gzip 47.10 KiB: fits the free plan (3.00 MiB)`. */
function sizeLine(size: UploadReport): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
  const verdict = size.fits.free
    ? `fits the free plan (${formatMiB(PLAN_GZIP_LIMITS.free)})`
    : `over the free plan's ${formatMiB(PLAN_GZIP_LIMITS.free)}, ${size.fits.paid ? "within" : "over"} the paid plan's ${formatMiB(PLAN_GZIP_LIMITS.paid)}`;
  return `upload ${kib(size.totalBytes)}, gzip ${kib(size.gzipBytes)}: ${verdict}`;
}

/** The production switches the flags turn on (none by default: the bundle's entry then passes no options). */
function workerOptions(flags: ParsedFlags): { options?: WorkerOptions } {
  const corsOrigins = listFlag(flags, "cors-origin").map((origin) => {
    try {
      return checkOrigin(origin, "deploy: --cors-origin");
    } catch (e) {
      throw new UserError((e as Error).message);
    }
  });
  const options: WorkerOptions = { ...(corsOrigins.length > 0 ? { corsOrigins } : {}), ...(booleanFlag(flags, "require-token") ? { requireToken: true } : {}) };
  return Object.keys(options).length > 0 ? { options } : {};
}

export const deployCommand: CommandSpec = {
  name: "deploy",
  summary: "write a self-contained Workers project for a run's student, ready for `npx wrangler deploy`",
  description:
    "Copies the run's checked student.wasm, feature-map.json and model.json into --out beside the worker runtime, " +
    "an entry module, wrangler.jsonc and a README. Nothing is uploaded: the command prints what to run. --out is " +
    "written aside and moved into place; an existing folder is refused unless it is a bundle ctr-distill wrote and " +
    "--overwrite is given.",
  flags: {
    model: { type: "string", valueName: "DIR", description: "a run directory", required: true },
    out: { type: "string", valueName: "DIR", description: "the folder to write the Workers project into", required: true },
    name: { type: "string", valueName: "NAME", description: "the Worker's name in wrangler.jsonc", default: "ctr-distill-<first 12 hex digits of the model id>" },
    overwrite: { type: "boolean", description: "replace a bundle ctr-distill wrote earlier in --out (anything else there is never touched)" },
    ...CANARY_FLAGS,
    "cors-origin": { type: "string", valueName: "ORIGIN", description: "a browser origin allowed to call the worker (https://shop.example, or * for any); CORS stays off without one", multiple: true },
    "require-token": { type: "boolean", description: "fail closed: answer 503 unless the Worker has the secret CTR_DISTILL_TOKEN (set it with `npx wrangler secret put CTR_DISTILL_TOKEN`); without this flag the token is checked exactly when the secret is set" },
    "dry-run": { type: "boolean", description: "also run `wrangler deploy --dry-run` on the bundle and report its gzip size against the plan limits (3 MiB free, 10 MiB paid)" },
    json: JSON_FLAG,
  },
  examples: [
    "deploy --model runs/demo --out worker",
    "deploy --model runs/demo --out worker --overwrite --dry-run --json",
    "deploy --model runs/demo --out worker --cors-origin https://shop.example --require-token",
    "deploy --model runs/demo --canary runs/demo-v2 --canary-share 0.1 --out worker",
  ],
  async run(flags) {
    const model = requiredFlag(this, flags, "model");
    const out = requiredFlag(this, flags, "out");
    const dryRun = booleanFlag(flags, "dry-run");
    if (dryRun) wranglerBin(); // refuse a missing wrangler before anything is written
    const name = stringFlag(flags, "name");
    const canary = canaryFromFlags(this, flags);
    const bundle = await writeDeployBundle(model, out, { overwrite: booleanFlag(flags, "overwrite"), ...(name !== undefined ? { name } : {}), ...(canary === undefined ? {} : { canary }), ...workerOptions(flags) });
    const upload = dryRun ? await dryRunBundle(bundle.bundle) : undefined;
    if (booleanFlag(flags, "json")) printJson(upload === undefined ? bundle : { ...bundle, upload });
    else {
      if (upload !== undefined) cliLogger(sizeLine(upload));
      const canaryNote = bundle.canaryModelId === undefined ? "" : `, canary ${bundle.canaryModelId.slice(0, 12)}… at ${canary!.share}`;
      process.stdout.write(`wrote ${out} (Worker ${bundle.name}, model ${bundle.modelId.slice(0, 12)}…${canaryNote}); to deploy it: ${bundle.deployCommand}\n`);
    }
    if (upload !== undefined && !upload.fits.paid)
      throw new UserError(`${out}: the worker is ${formatMiB(upload.gzipBytes)} gzipped, over the ${formatMiB(PLAN_GZIP_LIMITS.paid)} limit of every Cloudflare plan; shrink the student (embeddingDim, hash buckets, minCount)`);
  },
};
