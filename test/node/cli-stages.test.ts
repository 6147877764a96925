import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { generateSynthetic } from "../../sdk/data/synthetic";

const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "cli-stages-"));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/ctr-distill.js"), ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const synthetic = { seed: 21, rows: { train: 2000, valid: 500, test: 500 }, fields: 5, vocabSize: 10, interactions: 3, zipf: 1.0, ctr: 0.3 };

/** The synthetic test split as a CSV file, for `evaluate --data` and `score --data`. */
function testCsv(): string {
  const gen = generateSynthetic(synthetic);
  const lines = [[...gen.fields, "click"].join(",")];
  gen.test.rows.forEach((row, r) => lines.push([...row, gen.test.labels[r]].join(",")));
  const file = join(dir, "test.csv");
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

describe("the CLI's single stages", () => {
  it("train, then distill, then evaluate and score on a run directory", () => {
    const config = join(dir, "config.json");
    writeFileSync(
      config,
      JSON.stringify({
        data: { synthetic, label: "click", format: "csv", features: generateSynthetic(synthetic).fields.map((name) => ({ name })) },
        teachers: [{ model: "DNN", hiddenUnits: [16] }],
        student: { embeddingDim: 4, hiddenUnits: [8] },
        distill: { ensemble: "mean" },
        training: { batchSize: 256, epochs: 2, learningRate: 0.01, seed: 1, patience: 1 },
      }),
    );
    const run = join(dir, "run");
    const trained = cli("train", "--config", config, "--out", run, "--json");
    expect(trained.code, trained.stderr).toBe(0);
    expect(JSON.parse(trained.stdout).teachers).toEqual([expect.objectContaining({ model: "DNN" })]);

    const distilled = cli("distill", "--run", run, "--json", "--no-http-check");
    expect(distilled.code, distilled.stderr).toBe(0);
    const report = JSON.parse(distilled.stdout) as { students: { name: string }[]; wasm: { maxAbsDiff: number } };
    expect(report.students.map((s) => s.name)).toEqual(["student (no KD)", "student (KD, mean)"]);
    expect(report.wasm.maxAbsDiff).toBeLessThan(1e-5);

    const data = testCsv();
    const evaluated = cli("evaluate", "--run", run, "--data", data, "--json");
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const metrics = JSON.parse(evaluated.stdout) as { rows: number; models: { name: string; auc: number }[] };
    expect(metrics.rows).toBe(500);
    expect(metrics.models.map((m) => m.name)).toEqual(["DNN", "student", "student.wasm"]);
    // The compiled module and the tfjs student agree on the file's AUC.
    expect(metrics.models[2]!.auc).toBeCloseTo(metrics.models[1]!.auc, 4);

    const scored = cli("score", "--model", run, "--data", data);
    expect(scored.code, scored.stderr).toBe(0);
    const probs = scored.stdout.trim().split("\n").map(Number);
    expect(probs).toHaveLength(500);
    expect(probs.every((p) => p > 0 && p < 1)).toBe(true);
  });

  it("refuses a directory that is not a run, with one line and exit 1", () => {
    const r = cli("distill", "--run", mkdtempSync(join(tmpdir(), "not-a-run-")));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ctr-distill: .*not a run directory.*\n$/);
  });
});
