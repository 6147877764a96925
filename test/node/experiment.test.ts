import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../sdk/config";
import { silentLogger } from "../../sdk/log";
import { runExperiment, variantName } from "../../sdk/pipeline/experiment";
import { averageRows } from "../../sdk/pipeline/experiment-seeds";
import type { ExperimentRow } from "../../sdk/report/types";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const row = (name: string, auc: number, logloss: number): ExperimentRow => ({ name, kind: "student", ensemble: null, hint: false, earlyStop: "auc", auc, logloss, params: 10, flopsPerRow: 20 });

describe("the experiment table", () => {
  it("averages rows over seeds by name, with the sample standard deviation", () => {
    const rows = averageRows([
      [row("a", 0.7, 0.5), row("b", 0.6, 0.6)],
      [row("b", 0.62, 0.58), row("a", 0.72, 0.48)],
    ]);
    expect(rows.map((r) => r.name)).toEqual(["a", "b"]);
    expect(rows[0]!.auc).toBeCloseTo(0.71, 10);
    expect(rows[0]!.aucStd).toBeCloseTo(Math.SQRT2 * 0.01, 10);
    expect(rows[1]!.logloss).toBeCloseTo(0.59, 10);
    expect(rows[0]!.seeds).toBe(2);
  });

  it("trains the teachers and the requested students, and writes report.html and experiment.json", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "ctr-distill-experiment-")), "exp");
    const config = parseConfig({
      data: { synthetic: { seed: 4, rows: { train: 2000, valid: 600, test: 600 }, fields: 5, vocabSize: 10, interactions: 3, zipf: 1, ctr: 0.3 } },
      teachers: [{ model: "LR" }, { model: "FM", embeddingDim: 4 }],
      student: { embeddingDim: 4, hiddenUnits: [8] },
      training: { batchSize: 256, epochs: 2, learningRate: 0.01, seed: 1, patience: 1 },
    });
    const variants = [
      { ensemble: "mean", hint: false, earlyStop: "kd-loss" },
      { ensemble: "gating", hint: false, earlyStop: "kd-loss" },
    ] as const;
    const result = await runExperiment({ config, outDir: out, log: silentLogger, variants });
    expect(result.rows.map((r) => r.name)).toEqual(["LR", "FM", "student (no KD)", ...variants.map(variantName)]);
    for (const r of result.rows) {
      expect(r.auc).toBeGreaterThan(0.5);
      expect(r.flopsPerRow).toBeGreaterThanOrEqual(0);
    }
    const html = readFileSync(result.report, "utf8");
    expect(html).toContain("Gate weights per teacher");
    expect(html).not.toMatch(/NaN/);
    expect(existsSync(join(out, "experiment.json"))).toBe(true);
  });
});
