import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { UserError } from "../errors";
import type { Limits } from "../../worker/limits";
import { readCanary, type CanaryRun } from "./deploy";
import { readModelFiles } from "./model-files";
import { BUNDLE_FILES, writeWorkerBundle, type WorkerBundlePaths } from "./worker-bundle";
import { groupAlive, killGroup, stripAnsi, tail, wranglerBin, wranglerEnv, wranglerError } from "./wrangler";

export const DEFAULT_PORT = 8787;

export interface DevServerOptions {
  /** 0 (the default of the self-checks): a free ephemeral port. Default DEFAULT_PORT. */
  port?: number;
  /** Only loopback: the dev server is not meant to face a network. */
  host?: "127.0.0.1";
  /** How long to wait for `/healthz` (wrangler dev is ready in ~3 s on 2 cores). Default 60 s. */
  readyTimeoutMs?: number;
  /** Receives wrangler's output line by line (default: dropped; it is kept for error messages). */
  onLog?: (line: string) => void;
}

export interface ServeOptions extends DevServerOptions {
  /** A run directory: `student.wasm`, `feature-map.json`, `model.json`. */
  modelDir: string;
  /** A second run directory that scores `share` of the requests (worker/split.ts). */
  canary?: CanaryRun;
  limits?: Partial<Limits>;
}

export interface ServeHandle {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The id of the model it serves. */
  modelId: string;
  /** The canary's model id, when it serves one. */
  canaryModelId?: string;
  /** SIGTERM to wrangler's process group (workerd included), SIGKILL after 5 s; resolves when all are gone. */
  stop(): Promise<void>;
}

/**
 * A port nobody listens on right now, as the OS hands out for port 0 (wrangler dev does not take 0 itself).
 * Another process may take it before wrangler binds it; the start then fails with a UserError.
 */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

/** The model id in a `/healthz` body (`{"status": "ok", "model": id}`), or null. */
function healthyModel(body: string): unknown {
  try {
    return (JSON.parse(body) as { model?: unknown }).model ?? null;
  } catch {
    return null;
  }
}

/** Grace period between SIGTERM and SIGKILL. */
const STOP_GRACE_MS = 5_000;
/** Interval of the `/healthz` polls. */
const POLL_MS = 250;

/**
 * Serves a run directory's model under `wrangler dev` on 127.0.0.1, offline: the files are checked
 * (readModelFiles) and copied into a temporary bundle, removed again by `stop()`. A model the worker refuses,
 * a wrangler that exits, or a timeout stop everything and throw a UserError.
 */
export async function serve(opts: ServeOptions): Promise<ServeHandle> {
  const model = await readModelFiles(opts.modelDir);
  const canary = await readCanary(opts.canary, model.modelId);
  const bin = wranglerBin();
  const bundleDir = await mkdtemp(join(tmpdir(), "ctr-distill-worker-"));
  const removeBundle = () => rm(bundleDir, { recursive: true, force: true });
  let bundle: WorkerBundlePaths;
  try {
    bundle = await writeWorkerBundle(model, bundleDir, { ...(opts.limits === undefined ? {} : { limits: opts.limits }), ...(canary === undefined ? {} : { canary }) });
  } catch (e) {
    await removeBundle();
    throw e;
  }
  const handle = await startDevServer(bin, bundle.config, model.modelId, opts, removeBundle);
  return canary === undefined ? handle : { ...handle, canaryModelId: canary.model.modelId };
}

/** Serves a bundle folder as `deploy` writes it (checked again first) under `wrangler dev`, from that folder. */
export async function serveBundle(bundleDir: string, opts: DevServerOptions = {}): Promise<ServeHandle> {
  const config = join(resolve(bundleDir), BUNDLE_FILES.config);
  if (!existsSync(config)) throw new UserError(`${bundleDir}: not a worker bundle (no ${BUNDLE_FILES.config}); write one with \`ctr-distill deploy\``);
  const model = await readModelFiles(bundleDir);
  return startDevServer(wranglerBin(), config, model.modelId, opts, async () => {});
}

/**
 * Spawns `wrangler dev` on the bundle of `config` (its folder as the working directory) in its own process
 * group and resolves once `/healthz` answers 200 for `modelId`; `cleanup` runs after the group is gone.
 */
async function startDevServer(bin: string, config: string, modelId: string, opts: DevServerOptions, cleanup: () => Promise<void>): Promise<ServeHandle> {
  const requested = opts.port ?? DEFAULT_PORT;
  const host = opts.host ?? "127.0.0.1";
  const port = requested === 0 ? await freePort(host) : requested;
  const args = [bin, "dev", "--config", config, "--ip", host, "--port", String(port), "--show-interactive-dev-session=false", "--log-level", "warn"];
  const child = spawn(process.execPath, args, { cwd: dirname(config), env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  const onData = (d: Buffer) => {
    const text = stripAnsi(d.toString());
    output += text;
    if (output.length > 64_000) output = output.slice(-32_000);
    if (opts.onLog) for (const line of text.split("\n")) if (line.trim() !== "") opts.onLog(line);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  let exited = false;
  const exit = new Promise<void>((r) => child.once("exit", () => ((exited = true), r())));
  // Never leave workerd behind if this process ends without calling stop().
  const onProcessExit = () => killGroup(child.pid, "SIGKILL");
  process.once("exit", onProcessExit);

  /** Polls until no process of the group is left (zombies included) or `ms` have passed. */
  const groupGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (groupAlive(child.pid) && Date.now() < deadline) await sleep(50);
    return !groupAlive(child.pid);
  };
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      process.off("exit", onProcessExit);
      killGroup(child.pid, "SIGTERM");
      if (!(await groupGone(STOP_GRACE_MS))) {
        killGroup(child.pid, "SIGKILL");
        await groupGone(STOP_GRACE_MS);
      }
      await exit;
      await cleanup();
    })());

  const url = `http://${host}:${port}`;
  const timeoutMs = opts.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      const reason = wranglerError(output);
      throw new UserError(`wrangler dev exited before the worker was ready: ${reason ?? `\n${tail(output)}`}`);
    }
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
    if (res !== null) {
      const body = await res.text();
      if (res.status === 200 && healthyModel(body) === modelId) break;
      await stop();
      if (res.status === 200) throw new UserError(`${url} is answered by something else (port ${port} in use?): ${body.slice(0, 200)}`);
      throw new UserError(`the worker answered /healthz with ${res.status}: ${body}\n${tail(output)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new UserError(`wrangler dev did not answer on ${url} within ${timeoutMs} ms:\n${tail(output)}`);
    }
    await sleep(POLL_MS);
  }
  return { url, modelId, stop };
}
