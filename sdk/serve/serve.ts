import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { UserError } from "../errors";
import type { Limits } from "../../worker/limits";
import { MODEL_FILES, writeWorkerBundle } from "./worker-bundle";
import { groupAlive, killGroup, stripAnsi, tail, wranglerBin, wranglerEnv } from "./wrangler";

export const DEFAULT_PORT = 8787;

export interface ServeOptions {
  /** A run directory: `student.wasm`, `feature-map.json`, `model.json`. */
  modelDir: string;
  port?: number;
  /** Only loopback: the dev server is not meant to face a network. */
  host?: "127.0.0.1";
  /** How long to wait for `/healthz` (wrangler dev is ready in ~3 s on 2 cores). Default 60 s. */
  readyTimeoutMs?: number;
  limits?: Partial<Limits>;
  /** Receives wrangler's output line by line (default: dropped; it is kept for error messages). */
  onLog?: (line: string) => void;
}

export interface ServeHandle {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** SIGTERM to wrangler's process group (workerd included), SIGKILL after 5 s; resolves when all are gone. */
  stop(): Promise<void>;
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
 * Serves a model under `wrangler dev` on 127.0.0.1, offline: writes a worker bundle into a temporary folder,
 * spawns wrangler in its own process group and resolves once `/healthz` answers 200. A model the worker
 * refuses (500 `model_unavailable`), a wrangler that exits, or a timeout stop everything and throw a UserError.
 */
export async function serve(opts: ServeOptions): Promise<ServeHandle> {
  const port = opts.port ?? DEFAULT_PORT;
  const host = opts.host ?? "127.0.0.1";
  const bundleDir = await mkdtemp(join(tmpdir(), "ctr-distill-worker-"));
  const bundle = await writeWorkerBundle(opts.modelDir, bundleDir, opts.limits === undefined ? {} : { limits: opts.limits });
  const args = [
    wranglerBin(), "dev", "--config", bundle.config, "--ip", host, "--port", String(port),
    "--show-interactive-dev-session=false", "--log-level", "warn",
  ];
  const child = spawn(process.execPath, args, { cwd: bundleDir, env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true });
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
      await rm(bundleDir, { recursive: true, force: true });
    })());

  const url = `http://${host}:${port}`;
  const modelId = (JSON.parse(await readFile(join(opts.modelDir, MODEL_FILES.model), "utf8")) as { id?: unknown }).id;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      await stop();
      throw new UserError(`wrangler dev exited before the worker was ready:\n${tail(output)}`);
    }
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
    if (res !== null) {
      const body = await res.text();
      if (res.status === 200 && healthyModel(body) === modelId) break;
      await stop();
      if (res.status === 200) throw new UserError(`${url} is answered by something else (port ${port} in use?): ${body.slice(0, 200)}`);
      throw new UserError(`the worker for ${opts.modelDir} answered /healthz with ${res.status}: ${body}\n${tail(output)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new UserError(`wrangler dev did not answer on ${url} within ${opts.readyTimeoutMs ?? 60_000} ms:\n${tail(output)}`);
    }
    await sleep(POLL_MS);
  }
  return { url, stop };
}
