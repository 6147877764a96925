import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { parseConfig } from "../../sdk/config";
import { disposeData, prepareData } from "../../sdk/data/prepare";
import { silentLogger, type Logger } from "../../sdk/log";
import { runExperiment, studentSlug, variantName, type ExperimentResult, type StudentVariant } from "../../sdk/pipeline/experiment";
import { averageRows, runSeededExperiment } from "../../sdk/pipeline/experiment-seeds";
import { loadSavedModel } from "../../sdk/pipeline/load-models";
import { formatExperimentTable } from "../../sdk/pipeline/table";
import type { ProgressEvent } from "../../sdk/progress-events";
import type { ExperimentRow } from "../../sdk/report/types";
import { Scorer } from "../../sdk/runtime/scorer";
import { loadRunDirectory } from "../../sdk/score/load-run";
import { readCheckpointManifest } from "../../sdk/train/checkpoint";
import { evaluateLogits, probabilities } from "../../sdk/train/evaluate";
import type { FitResult } from "../../sdk/train/fit";
import { predictLogits } from "../../sdk/train/step";

beforeAll(async () => {
  await selectBackend("cpu");
});

const row = (name: string, auc: number, logloss: number, validAuc = auc): ExperimentRow => ({
  name, kind: "student", ensemble: null, hint: false, earlyStop: "auc", auc, logloss, validAuc, validLogloss: logloss, params: 10, flopsPerRow: 20, dir: `d/${name}`, best: false,
});

/** A tiny synthetic table: two teachers (one with a hidden layer, for the hint), the student without KD and two distilled ones (a few seconds). */
const CONFIG = parseConfig({
  data: { synthetic: { seed: 4, rows: { train: 2000, valid: 600, test: 600 }, fields: 5, vocabSize: 10, interactions: 3, zipf: 1, ctr: 0.3 } },
  teachers: [{ model: "LR" }, { model: "DNN", hiddenUnits: [8] }],
  student: { embeddingDim: 4, hiddenUnits: [8] },
  training: { batchSize: 256, epochs: 2, learningRate: 0.01, seed: 1, patience: 1 },
});
const VARIANTS: readonly StudentVariant[] = [
  { ensemble: "mean", hint: false, earlyStop: "kd-loss" },
  { ensemble: "gating", hint: true, earlyStop: "auc" },
];

/** A logger that keeps its messages and progress events. */
function recorder(): { log: Logger; lines: string[]; events: ProgressEvent[] } {
  const lines: string[] = [];
  const events: ProgressEvent[] = [];
  return { log: Object.assign((m: string) => void lines.push(m), { progress: (e: ProgressEvent) => void events.push(e) }), lines, events };
}

describe("the experiment table", () => {
  it("averages rows over seeds by name, with the sample standard deviation, and picks the best on mean validation AUC", () => {
    const rows = averageRows([
      [row("a", 0.7, 0.5, 0.69), row("b", 0.6, 0.6, 0.7)],
      [row("b", 0.62, 0.58, 0.72), row("a", 0.72, 0.48, 0.69)],
    ]);
    expect(rows.map((r) => r.name)).toEqual(["a", "b"]);
    expect(rows[0]!.auc).toBeCloseTo(0.71, 10);
    expect(rows[0]!.aucStd).toBeCloseTo(Math.SQRT2 * 0.01, 10);
    expect(rows[1]!.logloss).toBeCloseTo(0.59, 10);
    expect(rows[1]!.validAuc).toBeCloseTo(0.71, 10);
    expect(rows[1]!.validAucStd).toBeCloseTo(Math.SQRT2 * 0.01, 10);
    expect(rows[0]!.seeds).toBe(2);
    expect(rows[0]!.dirs).toEqual(["d/a", "d/a"]);
    // b has the lower test AUC but the higher validation AUC: the choice ignores test.
    expect(rows.map((r) => r.best)).toEqual([false, true]);
  });

  it("prints the table with validation AUC, a star on the best row and the best row's run directory", () => {
    const text = formatExperimentTable(averageRows([[row("a", 0.9, 0.5, 0.6), row("b", 0.6, 0.6, 0.7)]]), { auc: 0.95, logloss: 0.3 });
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^ {2}model +kind +valid AUC +test AUC/);
    expect(lines[1]).toMatch(/^ {2}a +student +0\.6000 +0\.9000/);
    expect(lines[2]).toMatch(/^\* b /);
    expect(lines.at(-1)).toBe("* best by validation AUC; its run directory: d/b");
  });

  describe("one experiment", () => {
    const out = join(mkdtempSync(join(tmpdir(), "ctr-distill-experiment-")), "exp");
    const rec = recorder();
    let result: ExperimentResult;

    beforeAll(async () => {
      result = await runExperiment({ config: CONFIG, outDir: out, log: rec.log, variants: VARIANTS });
    }, 120_000);

    it("trains the teachers and the requested students, and writes report.html and experiment.json", () => {
      expect(result.rows.map((r) => r.name)).toEqual(["LR", "DNN", "student (no KD)", ...VARIANTS.map(variantName)]);
      for (const r of result.rows) {
        expect(r.auc).toBeGreaterThan(0.5);
        expect(r.validAuc).toBeGreaterThan(0.5);
        expect(r.flopsPerRow).toBeGreaterThanOrEqual(0);
      }
      const html = readFileSync(result.report, "utf8");
      expect(html).toContain("Gate weights per teacher");
      expect(html).not.toMatch(/NaN/);
      const saved = JSON.parse(readFileSync(join(out, "experiment.json"), "utf8")) as { rows: ExperimentRow[] };
      expect(saved.rows.map((r) => [r.name, r.dir, r.best])).toEqual(result.rows.map((r) => [r.name, r.dir, r.best]));
    });

    it("marks exactly the row with the highest validation AUC as best", () => {
      const top = Math.max(...result.rows.map((r) => r.validAuc));
      expect(result.rows.filter((r) => r.best).map((r) => r.validAuc)).toEqual([top]);
    });

    it("keeps every student as a run directory that scores like the student it trained", async () => {
      const students = result.rows.filter((r) => r.kind === "student");
      expect(students.map((r) => r.dir)).toEqual([null, ...VARIANTS].map((v) => join(out, "students", studentSlug(v))));
      expect(result.rows.filter((r) => r.kind === "teacher").every((r) => r.dir === null)).toBe(true);
      for (const [k, r] of students.entries()) {
        const run = await loadRunDirectory(r.dir!);
        const v = k === 0 ? null : VARIANTS[k - 1]!;
        // The stored config is this student's: its distillation, and alpha 1 (labels only) without KD.
        if (v === null) expect(run.config.distill).toMatchObject({ alpha: 1, hint: false, earlyStop: "auc" });
        else expect(run.config.distill).toMatchObject(v);
        // Its data, re-read from the stored config, is the experiment's (the same feature map).
        const data = await prepareData(run.config.data, { seed: run.config.training.seed });
        try {
          expect(data.featureMap.id).toBe(run.featureMap.id);
          const scorer = await Scorer.fromBytes(run.wasm);
          scorer.checkFeatureMap(run.featureMap);
          const scores = scorer.score(data.test.ids, data.test.values, data.test.n);
          const student = await loadSavedModel(join(r.dir!, "student"), run.featureMap, "student");
          const expected = probabilities(predictLogits(student.model, data.test));
          let worst = 0;
          for (let i = 0; i < scores.length; i++) worst = Math.max(worst, Math.abs(scores[i]! - expected[i]!));
          expect(worst).toBeLessThan(1e-5);
          // …and it is the model the row measured.
          const logits = Float32Array.from(scores, (p) => Math.log(p / (1 - p)));
          expect(evaluateLogits(data.test.labels, logits).auc).toBeCloseTo(r.auc, 4);
        } finally {
          disposeData(data);
        }
      }
    }, 60_000);

    it("names the data set, row counts, positive rate, seed, backend and wall time in report.html", () => {
      const html = readFileSync(result.report, "utf8");
      expect(result.meta).toMatchObject({ data: "synthetic", seeds: [1], backend: "cpu" });
      expect(result.meta.splits.train.rows).toBe(2000);
      expect(result.meta.splits.test.positiveRate).toBeGreaterThan(0.1);
      for (const fact of ["synthetic: generator seed 4", "2,000", result.meta.splits.test.positiveRate.toFixed(4), "<dd>1</dd>", "<dd>cpu</dd>", `${result.meta.seconds.toFixed(1)} s`]) expect(html).toContain(fact);
      expect(result.meta.seconds).toBeGreaterThan(0);
    });

    it("writes metrics.jsonl: one parsable line per model epoch, as many as each model's history", async () => {
      const lines = readFileSync(join(out, "metrics.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as { model: string; epoch: number; trainLoss: number; valid: Record<string, number> });
      const byModel = new Map<string, number[]>();
      for (const l of lines) byModel.set(l.model, [...(byModel.get(l.model) ?? []), l.epoch]);
      expect([...byModel.keys()]).toEqual(result.rows.map((r) => r.name));
      for (const [i, name] of ["LR", "DNN"].entries()) {
        const fit = (await readCheckpointManifest(join(out, "teachers", `${i}-${name}`))).extra.fit as FitResult;
        expect(byModel.get(name)).toEqual(fit.history.map((e) => e.epoch));
      }
      for (const epochs of byModel.values()) expect(epochs).toEqual(epochs.map((_, i) => i + 1));
      expect(lines.every((l) => Number.isFinite(l.trainLoss) && Number.isFinite(l.valid.auc!))).toBe(true);
    });

    it("says which training it is on, of how many, with an overall ETA once one has finished", () => {
      const names = ["LR", "DNN", "student (no KD)", ...VARIANTS.map(variantName)];
      const counted = rec.lines.filter((l) => /^training \d+\/\d+: /.test(l));
      expect(counted.map((l) => l.replace(/ \(overall ETA .*\)$/, ""))).toEqual(names.map((n, i) => `training ${i + 1}/5: ${n}`));
      expect(counted[0]).not.toContain("ETA");
      expect(counted.slice(1).every((l) => /\(overall ETA \d+(m\d\d)?s\)$/.test(l))).toBe(true);
      const events = rec.events.filter((e) => e.type === "training");
      expect(events.map((e) => [e.index, e.total, e.model])).toEqual(names.map((n, i) => [i + 1, 5, n]));
      expect(events[0]!.etaSeconds).toBeNull();
    });
  });

  it("--seeds 2 writes one combined report (mean ± std, links to each seed's) and experiment.json with the spread", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "ctr-distill-seeds-")), "exp");
    const config = parseConfig({ ...CONFIG, teachers: [{ model: "LR" }], training: { ...CONFIG.training, epochs: 1 } });
    const result = await runSeededExperiment(config, out, 2, silentLogger, { variants: [VARIANTS[0]!] });
    expect(result.reports).toEqual([join(out, "report.html"), join(out, "seed-1", "report.html"), join(out, "seed-2", "report.html")]);
    for (const r of result.reports) expect(existsSync(r)).toBe(true);
    const saved = JSON.parse(readFileSync(join(out, "experiment.json"), "utf8")) as { rows: Record<string, unknown>[]; meta: { seeds: number[] } };
    expect(saved.meta.seeds).toEqual([1, 2]);
    for (const key of ["seeds", "aucStd", "loglossStd", "validAucStd", "validLoglossStd", "dirs", "best", "dir", "validAuc"]) expect(saved.rows[0]).toHaveProperty(key);
    const student = result.rows.find((r) => r.name === "student (no KD)")!;
    expect(student.dirs).toEqual([join(out, "seed-1", "students", "no-kd"), join(out, "seed-2", "students", "no-kd")]);
    for (const d of student.dirs) await loadRunDirectory(d);
    expect(result.rows.filter((r) => r.best)).toHaveLength(1);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain(`<a href="seed-2/report.html">seed 2</a>`);
    expect(html).toMatch(/\d\.\d{4} ± \d\.\d{4}/);
    expect(html).toContain("over 2 seeds");
  }, 120_000);
});
