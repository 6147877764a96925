import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * `--out` never loses data (issue 13), through the real CLI: a folder holding a foreign file, a regular file, a
 * finished run without --overwrite and a run interrupted by Ctrl-C are all left exactly as they were.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/ctr-distill.js");
const dir = mkdtempSync(join(tmpdir(), "cli-out-"));

const SYNTHETIC = { seed: 4, rows: { train: 2000, valid: 400, test: 400 }, fields: 4, vocabSize: 10, interactions: 2, zipf: 1, ctr: 0.25 };
const config = (name: string, rows = SYNTHETIC.rows, batchSize = 256) => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ data: { synthetic: { ...SYNTHETIC, rows } }, teachers: [{ model: "LR" }], student: { embeddingDim: 4, hiddenUnits: [8] }, training: { epochs: 1, batchSize } }));
  return file;
};

function cli(...args: string[]) {
  const out = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000 });
  return { status: out.status, stderr: out.stderr, errors: out.stderr.split("\n").filter((l) => l.startsWith("ctr-distill:")) };
}

/** Every file below `root` with its contents: what "left exactly as it was" compares. */
function snapshot(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files[p.slice(root.length)] = readFileSync(p).toString("base64");
    }
  };
  walk(root);
  return files;
}

let finished = "";
beforeAll(() => {
  finished = join(dir, "finished");
  const first = cli("run", "--config", config("tiny.json"), "--out", finished, "--no-http-check", "--json");
  expect(first.status, first.stderr).toBe(0);
});

describe("run --out", () => {
  it("refuses a folder holding a file ctr-distill did not write, and the file is still there", () => {
    const out = join(dir, "mine");
    mkdirSync(out);
    writeFileSync(join(out, "notes.txt"), "my notes");
    const o = cli("run", "--config", config("tiny.json"), "--out", out, "--no-http-check", "--overwrite");
    expect(o.status).toBe(1);
    expect(o.errors).toHaveLength(1);
    expect(o.errors[0]).toContain(out);
    expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("my notes");
    expect(readdirSync(out)).toEqual(["notes.txt"]);
    expect(readdirSync(dir).filter((n) => n.endsWith(".partial"))).toEqual([]);
  });

  it("refuses a regular file as --out and leaves it alone", () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "data");
    const o = cli("run", "--config", config("tiny.json"), "--out", file, "--no-http-check", "--overwrite");
    expect(o.status).toBe(1);
    expect(o.errors).toHaveLength(1);
    expect(readFileSync(file, "utf8")).toBe("data");
  });

  it("refuses to rerun into a finished run without --overwrite, leaving it intact", () => {
    const before = snapshot(finished);
    const o = cli("run", "--config", config("tiny.json"), "--out", finished, "--no-http-check");
    expect(o.status).toBe(1);
    expect(o.errors[0]).toMatch(/--overwrite/);
    expect(snapshot(finished)).toEqual(before);
  });

  it("refuses --resume with a changed config, naming the keys that differ", () => {
    const changed = join(dir, "changed.json");
    writeFileSync(changed, readFileSync(config("tiny.json"), "utf8").replace('"epochs":1', '"epochs":2'));
    const o = cli("run", "--config", changed, "--out", finished, "--no-http-check", "--resume");
    expect(o.status).toBe(1);
    expect(o.errors[0]).toContain("training.epochs");
  });

  it("stops on Ctrl-C with exit 130, and the run it was replacing is exactly as it was, with no partial folder left", async () => {
    const before = snapshot(finished);
    // Slow enough (tiny batches) that SIGINT lands while the teacher trains.
    const slow = config("slow.json", { train: 60000, valid: 400, test: 400 }, 8);
    const child = spawn(process.execPath, [BIN, "run", "--config", slow, "--out", finished, "--no-http-check", "--overwrite"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    const exit = new Promise<number | null>((r) => child.on("close", r));
    await new Promise<void>((r) => child.stderr.on("data", (d: Buffer) => ((stderr += d.toString()), stderr.includes("teachers:") && r())));
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGINT");
    expect(await exit, stderr).toBe(130);
    expect(stderr).toMatch(/aborted/);
    expect(snapshot(finished)).toEqual(before);
    expect(existsSync(join(dir, ".finished.partial"))).toBe(false);
  });
});
