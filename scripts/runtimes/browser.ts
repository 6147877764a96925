/**
 * Headless Chromium for `npm run test:runtimes`: Debian's `chromium` (never a downloaded browser) driven by
 * playwright-core. The fixture rows go through the example page (examples/browser/) exactly as a person
 * would use it: the page loads the model, the rows are pasted, Score is clicked, the CTRs are read back
 * and the page is saved as a screenshot. The timed loop then runs in the same page (probe-browser.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium, type Page } from "playwright-core";
import type { BenchResult } from "./probe";

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM overrides it. */
export const CHROMIUM = process.env["CHROMIUM"] ?? "/usr/bin/chromium";
/** Flags that keep Chromium off this machine's closed network (.library/env/machines/node.md). */
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
/** Longest wait for the page to load the model or to score. */
const PAGE_TIMEOUT_MS = 30_000;

export interface BrowserOptions {
  root: string;
  fixtureModelDir: string;
  benchDir: string;
  /** Folder of the built probe bundles (probe-browser.js). */
  probeDir: string;
  rows: unknown[];
  benchMs: number;
  screenshot: string;
}

export interface BrowserResult {
  version: string;
  modelId: string;
  ctr: number[];
  bench?: BenchResult;
}

/** Starts scripts/runtimes/static-server.mjs on a free loopback port; resolves with its URL. */
async function startStaticServer(root: string, mounts: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const args = [join(root, "scripts/runtimes/static-server.mjs"), "--port", "0"];
  for (const [prefix, dir] of Object.entries(mounts)) args.push("--mount", `${prefix}=${dir}`);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      const m = /^listening (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(line);
      if (m) resolve(m[1]!);
      else reject(new Error(`static-server said: ${line}`));
    });
    child.once("exit", (code) => reject(new Error(`static-server exited (${code}): ${stderr}`)));
  });
  return { url, child };
}

/** Waits until the page's `data-state` is one of `states` (or `error`, which throws with the page's message). */
async function waitForState(page: Page, states: string[]): Promise<void> {
  const selector = [...states, "error"].map((s) => `body[data-state="${s}"]`).join(", ");
  await page.waitForSelector(selector, { timeout: PAGE_TIMEOUT_MS, state: "attached" });
  if ((await page.getAttribute("body", "data-state")) === "error") throw new Error(`the page shows an error: ${await page.textContent("#error")}`);
}

export async function runBrowser(opts: BrowserOptions): Promise<BrowserResult> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (or set CHROMIUM)`);
  const server = await startStaticServer(opts.root, { "/model/": opts.fixtureModelDir, "/bench/": opts.benchDir, "/probe/": opts.probeDir });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
  try {
    const page = await browser.newPage({ viewport: { width: 960, height: 900 } });
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
    const fail = (e: unknown): never => {
      throw new Error([(e as Error).message, ...problems].join("\n"));
    };

    await page.goto(`${server.url}?model=model/`).catch(fail);
    await waitForState(page, ["ready"]).catch(fail);
    await page.fill("#rows", JSON.stringify(opts.rows, null, 1));
    await page.click("#score");
    await waitForState(page, ["scored"]).catch(fail);
    const shown = JSON.parse((await page.textContent("#result-json")) ?? "null") as { ctr: number[]; model: string };
    await page.screenshot({ path: opts.screenshot, fullPage: true });

    const result: BrowserResult = { version: browser.version(), modelId: shown.model, ctr: shown.ctr };
    if (opts.benchMs > 0) {
      result.bench = await page
        .evaluate(
          async ({ probe, base, ms }) => ((await import(probe)) as typeof import("./probe-browser")).benchFromUrl(base, ms),
          { probe: "/probe/probe-browser.js", base: "/bench/", ms: opts.benchMs },
        )
        .catch(fail);
    }
    if (problems.length > 0) throw new Error(problems.join("\n"));
    return result;
  } finally {
    await browser.close();
    server.child.kill("SIGTERM");
  }
}
