import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { tinyCsvConfig } from "./fixtures/tiny-csv-config";

/**
 * The CLI's error path end to end (DESIGN.md "Command line"): `node bin/ctr-distill.js run …` on bad data exits 1
 * with one `ctr-distill: …` line on stderr and no stack trace; `--skip-bad-lines` goes on and reports the count.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "cli-errors-"));

/** 200 rows `click,C1,C2,I1`, with `bad` (1-based line → text) put in place of the lines given. */
function csv(name: string, bad: Record<number, string> = {}): string {
  const lines = ["click,C1,C2,I1"];
  for (let i = 0; i < 200; i++) lines.push(`${i % 3 === 0 ? 1 : 0},${"abcdef"[i % 6]},${"xyz"[i % 5 % 3]},${i % 17}`);
  for (const [line, text] of Object.entries(bad)) lines[Number(line) - 1] = text;
  const file = join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

/** A tiny run configuration (tiny-csv-config.ts) on `train`, as a file. */
function config(name: string, train: string, overrides: { format?: string; features?: unknown[] } = {}): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(tinyCsvConfig(train, overrides)));
  return file;
}

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The stderr lines that start with "ctr-distill:" (the error messages). */
  errors: string[];
}

function cli(...args: string[]): Outcome {
  const out = spawnSync(process.execPath, [join(ROOT, "bin/ctr-distill.js"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  const stderr = out.stderr ?? "";
  return { status: out.status, stdout: out.stdout ?? "", stderr, errors: stderr.split("\n").filter((l) => l.startsWith("ctr-distill:")) };
}

let runs = 0;
/** `run` into a fresh --out each time: an existing run is refused without --overwrite. */
function run(cfg: string, ...flags: string[]): Outcome {
  return cli("run", "--config", cfg, "--out", join(dir, `out-${++runs}`), "--no-http-check", ...flags);
}

/** Exit 1, exactly one error line equal to (or matching) `message`, and no stack trace anywhere. */
function expectUserError(o: Outcome, message: string | RegExp): void {
  expect(o.status, o.stderr).toBe(1);
  expect(o.errors).toHaveLength(1);
  if (typeof message === "string") expect(o.errors[0]).toBe(message);
  else expect(o.errors[0]).toMatch(message);
  expect(o.stderr).not.toMatch(/^\s+at /m);
  expect(o.stderr).not.toMatch(/internal error/);
  expect(o.stdout).toBe("");
}

describe("ctr-distill run: errors in the data", () => {
  const bad = csv("bad.csv", { 59: "1,b,x,oops" });

  it("exits 1 with FILE:LINE: field 'X': … for a malformed line", () => {
    expectUserError(run(config("bad.json", bad)), `ctr-distill: ${bad}:59: field 'I1': expected a finite number, got "oops"`);
  });

  it("with --skip-bad-lines goes on, reports how many lines it skipped and where, and prints the run's JSON", () => {
    const o = run(config("skip.json", bad), "--skip-bad-lines", "--json");
    expect(o.status, o.stderr).toBe(0);
    expect(o.stderr).toContain(`data: ${bad}: skipped 1 bad lines, first: ${bad}:59: field 'I1': expected a finite number, got "oops"`);
    expect(o.stderr).toMatch(/data: train \d+ rows, valid \d+ rows, test \d+ rows/);
    const report = JSON.parse(o.stdout) as { teachers: { model: string }[]; students: unknown[] };
    expect(report.teachers.map((t) => t.model)).toEqual(["DNN"]);
    expect(report.students).toHaveLength(2);
  });

  it("exits 1 with one line for a line with too few cells", () => {
    const short = csv("short.csv", { 12: "0,a" });
    expectUserError(run(config("short.json", short)), `ctr-distill: ${short}:12: field 'C2': has 2 cells, expected 4`);
  });

  it("exits 1 with one line for a missing file", () => {
    const missing = join(dir, "missing.csv");
    expectUserError(run(config("missing.json", missing)), `ctr-distill: data file not found: ${missing}`);
  });

  it("exits 1 with one line for an empty file", () => {
    const empty = join(dir, "empty.csv");
    writeFileSync(empty, "");
    expectUserError(run(config("empty.json", empty)), `ctr-distill: data file is empty: ${empty}`);
  });

  it("exits 1 with one line naming the file's columns for an unknown column", () => {
    const good = csv("good.csv");
    const cfg = config("unknown.json", good, { features: [{ name: "C9", type: "categorical" }] });
    expectUserError(run(cfg), `ctr-distill: ${good}: unknown column 'C9' (columns: click, C1, C2, I1)`);
  });

  it("exits 1 with one line for a null label in a parquet file, naming file and row", () => {
    const file = join(dir, "nulls.parquet");
    const n = 50;
    parquetWriteFile({
      filename: file,
      columnData: [
        { name: "click", data: Array.from({ length: n }, (_, i) => (i === 6 ? null : i % 2)), type: "INT32" },
        { name: "C1", data: Array.from({ length: n }, (_, i) => `v${i % 4}`), type: "STRING" },
      ],
    });
    const cfg = config("parquet.json", file, { format: "parquet", features: [{ name: "C1", type: "categorical" }] });
    expectUserError(run(cfg), `ctr-distill: ${file}:7: field 'click': missing label`);
  });

  it("exits 1 with one line for a missing config file", () => {
    const missing = join(dir, "nope.json");
    expectUserError(run(missing), `ctr-distill: cannot read config file '${missing}'`);
  });
});
