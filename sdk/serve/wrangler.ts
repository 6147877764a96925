import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { UserError } from "../errors";
import { packageRoot } from "../package-root";

/** The wrangler release ctr-distill is tested with: its peer dependency in package.json (the last for Node 20). */
export function wranglerVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { peerDependencies: Record<string, string> };
  return pkg.peerDependencies["wrangler"]!;
}

/** Whether wrangler resolves from this package (it is an optional peer dependency). */
export function wranglerInstalled(): boolean {
  try {
    wranglerBin();
    return true;
  } catch {
    return false;
  }
}

/**
 * wrangler's CLI script as Node resolves it from `from` (default: this module, so this package's own
 * node_modules, never whatever `wrangler` is on PATH). wrangler is an optional peer dependency: without it,
 * a UserError says how to install it.
 */
export function wranglerBin(from: string = import.meta.url): string {
  let pkgPath: string;
  try {
    pkgPath = createRequire(from).resolve("wrangler/package.json");
  } catch {
    throw new UserError(`wrangler is not installed; it runs and measures the worker: npm install --save-dev wrangler@${wranglerVersion()}`);
  }
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { bin: Record<string, string> };
  return join(dirname(pkgPath), pkg.bin["wrangler"]!);
}

/**
 * The environment for every wrangler run: offline (no `Request.cf` download unless the caller's environment
 * asks for it), no metrics, no colours to strip.
 */
export function wranglerEnv(): NodeJS.ProcessEnv {
  return { CLOUDFLARE_CF_FETCH_ENABLED: "false", ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0", NO_COLOR: "1" };
}

/** Removes ANSI colour codes (wrangler colours its size report). */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, "");
}

export interface WranglerResult {
  code: number | null;
  output: string;
}

/** Runs a wrangler command to completion and returns its exit code with stdout and stderr interleaved. */
export function runWrangler(args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<WranglerResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [wranglerBin(), ...args], { cwd, env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => killGroup(child.pid, "SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output: stripAnsi(output) });
    });
  });
}

/** Signals the whole process group of a detached child (wrangler, its CLI child and workerd). */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is gone
  }
}

/** True while any process of the group is alive. */
export function groupAlive(pid: number | undefined): boolean {
  return killGroup(pid, 0 as unknown as NodeJS.Signals);
}

/** wrangler's own reason for failing (`✘ [ERROR] Address already in use …`), when it printed one. */
export function wranglerError(output: string): string | null {
  return /✘ \[ERROR\] (.+)/.exec(output)?.[1]?.trim() ?? null;
}

/** The last `n` lines of some output, for error messages. */
export function tail(output: string, n = 15): string {
  return output.trimEnd().split("\n").slice(-n).join("\n");
}
