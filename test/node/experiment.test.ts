import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
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
import { pairedTInterval } from "../../sdk/metrics/paired-interval";
import { formatExperimentTable } from "../../sdk/pipeline/table";
import type { ProgressEvent } from "../../sdk/progress-events";
import type { ExperimentRow, PairedDifference } from "../../sdk/report/types";
import { Scorer } from "../../sdk/runtime/scorer";
import { loadRunDirectory } from "../../sdk/score/load-run";
import { readCheckpointManifest, type CheckpointManifest } from "../../sdk/train/checkpoint";
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

/** A student run directory's checkpoint tensors by name (the hint projection left out: only hint arms have one). */
async function studentTensors(dir: string): Promise<Map<string, Float32Array>> {
  const manifest = JSON.parse(await readFile(join(dir, "student", "checkpoint.json"), "utf8")) as CheckpointManifest;
  const bytes = await readFile(join(dir, "student", "weights.bin"));
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  return new Map(manifest.tensors.filter((t) => t.name !== "hint/projection").map((t) => [t.name, all.slice(t.offset, t.offset + size(t.shape))]));
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

  it("turns the students' per-seed differences into a paired t-interval over the seeds", () => {
    const diff = (d: number): PairedDifference => ({ baseline: "DNN", diff: d, low: d - 0.01, high: d + 0.01, method: "bootstrap", samples: 1000, withinNoise: true });
    const seedRows = (d: number, baseline = "DNN") => [row("DNN", 0.7, 0.5), { ...row("s", 0.7 + d, 0.5), vsBestTeacher: { ...diff(d), baseline } }];
    const one = averageRows([seedRows(0.004)]);
    expect(one[1]!.vsBestTeacher).toEqual(diff(0.004));
    const rows = averageRows([seedRows(0.004), seedRows(0.006), seedRows(0.008, "LR")]);
    const ci = pairedTInterval([0.004, 0.006, 0.008]);
    expect(rows[1]!.vsBestTeacher).toEqual({ baseline: "DNN / LR", diff: ci.estimate, low: ci.low, high: ci.high, method: "seeds", samples: 3, withinNoise: ci.low <= 0 });
    expect(rows[1]!.vsBestTeacher!.low).toBeGreaterThan(0);
    expect(rows[0]!.vsBestTeacher).toBeUndefined();
    const text = formatExperimentTable(rows, null);
    expect(text).toContain("− best teacher");
    expect(text).toContain("[95%, paired over 3 seeds]");
    expect(text).toMatch(/ s +student .* \+0\.0060 \[\+0\.\d{4}, \+0\.\d{4}\]/);
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

    it("compares every student with the best teacher and the no-KD student, paired over the test rows, in experiment.json, the table and report.html", () => {
      const teachers = result.rows.filter((r) => r.kind === "teacher");
      const bestTeacher = teachers.reduce((a, b) => (b.validAuc > a.validAuc ? b : a));
      const plain = result.rows.find((r) => r.name === "student (no KD)")!;
      const saved = JSON.parse(readFileSync(join(out, "experiment.json"), "utf8")) as { rows: ExperimentRow[] };
      for (const r of saved.rows) {
        if (r.kind === "teacher") {
          expect(r.vsBestTeacher).toBeUndefined();
          continue;
        }
        const d = r.vsBestTeacher!;
        expect(d).toMatchObject({ baseline: bestTeacher.name, method: "bootstrap", samples: 1000, withinNoise: d.low <= 0 && d.high >= 0 });
        expect(d.diff).toBeCloseTo(r.auc - bestTeacher.auc, 10);
        expect(d.low).toBeLessThanOrEqual(d.diff);
        expect(d.high).toBeGreaterThanOrEqual(d.diff);
        if (r.name === plain.name) expect(r.vsNoKd).toBeUndefined();
        else expect(r.vsNoKd!.diff).toBeCloseTo(r.auc - plain.auc, 10);
      }
      const text = formatExperimentTable(result.rows, result.bayes);
      expect(text.split("\n")[0]).toMatch(/− best teacher +− no KD$/);
      expect(text).toContain("[95%, paired bootstrap over test rows, 1000 resamples]");
      const html = readFileSync(result.report, "utf8");
      expect(html).toContain("Student − best teacher, paired");
      expect(html).toContain("paired bootstrap over the test rows (1000 resamples");
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
    const gainOverTeacher = saved.rows.find((r) => r.name === variantName(VARIANTS[0]!))!.vsBestTeacher as PairedDifference;
    expect(gainOverTeacher).toMatchObject({ baseline: "LR", method: "seeds", samples: 2 });
    expect(html).toContain("Student-t intervals on the per-seed differences over 2 seeds");
  }, 120_000);

  describe("common random numbers across the arms", () => {
    const teachers = [{ model: "LR" }, { model: "DNN", hiddenUnits: [8] }];
    const studentDirs = (result: ExperimentResult) => result.rows.filter((r) => r.kind === "student").map((r) => r.dir!);

    it("two arms that train alike (α = 1: the KD term weighs 0) give identical results and weights, whatever their names", async () => {
      const out = join(mkdtempSync(join(tmpdir(), "ctr-distill-crn-")), "exp");
      const config = parseConfig({ ...CONFIG, teachers, distill: { alpha: 1 }, training: { ...CONFIG.training, epochs: 1 } });
      const arms: StudentVariant[] = [{ ensemble: "best", hint: false, earlyStop: "auc" }, { ensemble: "mean", hint: false, earlyStop: "auc" }];
      const result = await runExperiment({ config, outDir: out, log: silentLogger, variants: arms });
      const [plain, best, mean] = result.rows.filter((r) => r.kind === "student");
      expect([best!.name, mean!.name]).toEqual(arms.map(variantName));
      // the student without KD learns from the same loss, stops by the same monitor: it matches as well
      for (const r of [best!, mean!]) expect([r.auc, r.logloss, r.validAuc, r.validLogloss]).toEqual([plain!.auc, plain!.logloss, plain!.validAuc, plain!.validLogloss]);
      const hashes = await Promise.all(studentDirs(result).map(async (d) => (await readCheckpointManifest(join(d, "student"))).sha256));
      expect(new Set(hashes).size).toBe(1);
      // …and so their paired differences are exactly 0, "within noise"
      expect(best!.vsNoKd).toMatchObject({ diff: 0, low: 0, high: 0, withinNoise: true });
    }, 120_000);

    it("every arm (no KD, each ensemble, hint, AUC stopping) starts from the same student weights", async () => {
      const out = join(mkdtempSync(join(tmpdir(), "ctr-distill-crn-init-")), "exp");
      // A learning rate so small that no float32 weight moves: what is saved is the initialisation.
      const config = parseConfig({ ...CONFIG, teachers, training: { ...CONFIG.training, epochs: 1, learningRate: 1e-30 } });
      const arms: StudentVariant[] = [{ ensemble: "mean", hint: false, earlyStop: "kd-loss" }, { ensemble: "gating", hint: true, earlyStop: "auc" }];
      const result = await runExperiment({ config, outDir: out, log: silentLogger, variants: arms });
      const [plain, ...others] = await Promise.all(studentDirs(result).map(studentTensors));
      expect(others).toHaveLength(2);
      for (const tensors of others) {
        expect([...tensors.keys()]).toEqual([...plain!.keys()]);
        for (const [name, values] of tensors) {
          const reference = plain!.get(name)!;
          let worst = 0;
          for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]! - reference[i]!));
          // biases start at 0, where even a 1e-30 step shows; every other weight is bit-identical
          expect(worst, name).toBeLessThan(1e-20);
        }
      }
      // the embeddings are not all zero: equal weights mean equal draws, not an empty initialisation
      expect([...plain!.values()].some((v) => v.some((x) => Math.abs(x) > 1e-6))).toBe(true);
    }, 120_000);
  });
});
