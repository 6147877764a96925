import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runExperiment as runExperimentApi } from "../../sdk/api/pipeline";
import { selectBackend } from "../../sdk/backend";
import { parseConfig } from "../../sdk/config";
import { disposeData, prepareData } from "../../sdk/data/prepare";
import type { Logger } from "../../sdk/log";
import { runExperiment, studentSlug, variantName, type ExperimentResult } from "../../sdk/pipeline/experiment";
import { averageSizeSweeps } from "../../sdk/pipeline/experiment-seeds";
import { SWEEP_VARIANT, sizeSweepBudgets } from "../../sdk/pipeline/size-sweep";
import { fitStudentBudget, StudentBudgetUnreachableError } from "../../sdk/pipeline/student-budget";
import { formatSizeSweepTable } from "../../sdk/pipeline/table";
import type { SizeSweep, SizeSweepPoint } from "../../sdk/report/types";

/** `experiment --size-sweep`: KD and label-only students fitted to each budget, measured and drawn. */

const ROOT = resolve(import.meta.dirname, "../..");

/** The experiment test's tiny synthetic table, one teacher fewer epochs: two teachers, the no-KD student and the main arm (seconds). */
const CONFIG = parseConfig({
  data: { synthetic: { seed: 4, rows: { train: 2000, valid: 600, test: 600 }, fields: 5, vocabSize: 10, interactions: 3, zipf: 1, ctr: 0.3 } },
  teachers: [{ model: "LR" }, { model: "DNN", hiddenUnits: [8] }],
  student: { embeddingDim: 4, hiddenUnits: [8] },
  training: { batchSize: 256, epochs: 2, learningRate: 0.01, seed: 1, patience: 1 },
});

type Reached = Extract<SizeSweepPoint, { reachable: true }>;

/** The gzip bounds of this config's smallest student (keep 1) and of its whole one. */
async function sizeRange(): Promise<{ smallest: number; whole: number }> {
  await selectBackend("cpu");
  const data = await prepareData(CONFIG.data, { seed: CONFIG.training.seed });
  try {
    const sized = (budgetBytes: number) => fitStudentBudget({ ...CONFIG, student: { ...CONFIG.student, budgetBytes } }, data.featureMap, data.train.layout, () => {});
    const whole = (await sized(10_000_000)).fit!.predicted.gzipBytesAtMost;
    const smallest = await sized(1).catch((e: unknown) => (e as StudentBudgetUnreachableError).smallest.gzipBytesAtMost);
    return { smallest: smallest as number, whole };
  } finally {
    disposeData(data);
  }
}

describe("experiment with a size sweep", () => {
  const out = join(mkdtempSync(join(tmpdir(), "ctr-distill-size-sweep-")), "exp");
  const lines: string[] = [];
  const log: Logger = (m) => void lines.push(m);
  let budgets: { unreachable: number; small: number; whole: number };
  let result: ExperimentResult;
  let sweep: SizeSweep;
  let reached: Reached[];

  beforeAll(async () => {
    const range = await sizeRange();
    // one budget under the smallest student, one between, one the whole student fits
    budgets = { unreachable: range.smallest - 100, small: Math.floor((range.smallest + range.whole) / 2), whole: range.whole };
    result = await runExperiment({ config: CONFIG, outDir: out, log, variants: [SWEEP_VARIANT], sizeSweep: [budgets.unreachable, budgets.small, budgets.whole] });
    sweep = result.sizeSweep!;
    reached = sweep.points.filter((p): p is Reached => p.reachable);
  }, 60_000);

  it("trains a KD and a label-only student per reachable budget, each student.wasm within its budget as predicted", () => {
    expect(sweep.points.map((p) => [p.budgetBytes, p.reachable])).toEqual([[budgets.unreachable, false], [budgets.small, true], [budgets.whole, true]]);
    for (const p of reached) {
      for (const s of [p.kd, p.noKd]) {
        expect(s.gzipBytes).toBeLessThanOrEqual(p.budgetBytes);
        expect(s.gzipBytes).toBeLessThanOrEqual(p.predicted.gzipBytesAtMost);
        expect(s.wasmBytes).toBe(p.predicted.wasmBytes);
        expect(s.auc).toBeGreaterThan(0.5);
        // the run directory's model.json records the same sizes and the budget
        const model = JSON.parse(readFileSync(join(s.dir!, "model.json"), "utf8")) as { sizes: Record<string, number>; quantize: string };
        expect(model.sizes).toMatchObject({ wasmGzipBytes: s.gzipBytes, wasmBytes: s.wasmBytes, budgetBytes: p.budgetBytes, embeddingRows: p.capacity.embeddingRows });
        expect(model.quantize).toBe(p.capacity.quantize);
      }
      expect(p.kd.dir).toBe(join(out, "students", `size-${p.budgetBytes}`, studentSlug(SWEEP_VARIANT)));
      expect(p.noKd.dir).toBe(join(out, "students", `size-${p.budgetBytes}`, "no-kd"));
      expect(p.capacity).toMatchObject({ embedding: { kind: "prune" }, quantize: "none" });
      expect(p.kd.vsNoKd!.diff).toBeCloseTo(p.kd.auc - p.noKd.auc, 10);
      expect(p.kd.vsUncompressed!.diff).toBeCloseTo(p.kd.auc - sweep.uncompressed.auc, 10);
    }
    const [small, whole] = reached;
    expect(small!.capacity.embeddingRows).toBeLessThan(whole!.capacity.embeddingRows);
    expect(whole!.capacity.embeddingRows).toBe(sweep.fullEmbeddingRows);
  });

  it("reports a budget no student reaches, with the least one that is, and trains nothing for it", () => {
    const p = sweep.points[0]!;
    expect(p).toMatchObject({ reachable: false, smallestGzipBytes: budgets.unreachable + 100 });
    expect(p.reachable ? "" : p.reason).toContain(`no student fits ${budgets.unreachable.toLocaleString("en-US")} bytes gzip`);
    expect(existsSync(join(out, "students", `size-${budgets.unreachable}`))).toBe(false);
    expect(lines.some((l) => l.startsWith(`size sweep: no student fits ${budgets.unreachable.toLocaleString("en-US")} bytes gzip`))).toBe(true);
  });

  it("reuses the table's teachers, and its main arm as the uncompressed KD student", () => {
    const counted = lines.filter((l) => /^training \d+\/\d+: /.test(l)).map((l) => l.replace(/ \(overall ETA .*\)$/, ""));
    // 2 teachers, no KD, the main arm, then 2 per reachable budget: the unreachable one is not counted
    expect(counted).toEqual(
      ["LR", "DNN", "student (no KD)", variantName(SWEEP_VARIANT), ...reached.flatMap((p) => [`student (no KD) ≤ ${p.budgetBytes.toLocaleString("en-US")} B`, `student KD gating ≤ ${p.budgetBytes.toLocaleString("en-US")} B`])].map(
        (name, i) => `training ${i + 1}/8: ${name}`,
      ),
    );
    const arm = result.rows.find((r) => r.name === variantName(SWEEP_VARIANT))!;
    expect(sweep.uncompressed).toMatchObject({ name: arm.name, auc: arm.auc, logloss: arm.logloss, dir: arm.dir });
    expect(sweep.teachers).toEqual(result.rows.filter((r) => r.kind === "teacher").map((r) => ({ name: r.name, auc: r.auc, logloss: r.logloss })));
  });

  it("gives the arms common random numbers: at the budget the whole student fits, both students are the table's", () => {
    const whole = reached.at(-1)!;
    const noKd = result.rows.find((r) => r.name === "student (no KD)")!;
    expect([whole.kd.auc, whole.kd.logloss]).toEqual([sweep.uncompressed.auc, sweep.uncompressed.logloss]);
    expect([whole.noKd.auc, whole.noKd.logloss]).toEqual([noKd.auc, noKd.logloss]);
  });

  it("writes the sweep into experiment.json and the printed table", () => {
    const saved = JSON.parse(readFileSync(join(out, "experiment.json"), "utf8")) as { sizeSweep: SizeSweep };
    expect(saved.sizeSweep).toEqual(JSON.parse(JSON.stringify(sweep)));
    const text = formatSizeSweepTable(sweep).split("\n");
    expect(text[0]).toBe("size sweep: KD from the gating ensemble and label-only, each student fitted to the budget");
    expect(text[1]).toMatch(/^budget \(gzip B\) +capacity +predicted ≤ +gzip KD \/ no KD +AUC KD +AUC no KD +KD − no KD +logloss KD +logloss no KD$/);
    expect(text[2]).toMatch(new RegExp(`^ *${budgets.unreachable.toLocaleString("en-US")} +unreachable +≥ ${(budgets.unreachable + 100).toLocaleString("en-US")}`));
    const small = reached[0]!;
    expect(text[3]).toContain(`prune keep ${small.capacity.embedding.keep}, ${small.capacity.embeddingRows} rows, f32`);
    expect(text[3]).toContain(`${small.kd.gzipBytes.toLocaleString("en-US")} / ${small.noKd.gzipBytes.toLocaleString("en-US")}`);
    expect(text.at(-1)).toMatch(/^teachers' test AUC: LR 0\.\d{4}, DNN 0\.\d{4}$/);
  });

  it("draws test AUC against gzip size in report.html: a point per student per budget, teachers and the uncompressed student across", () => {
    const html = readFileSync(result.report, "utf8");
    const svg = /<svg id="chart-size-sweep"[\s\S]*?<\/svg>/.exec(html)?.[0];
    expect(svg).toBeDefined();
    expect(html).toContain("Size trade-off");
    expect(svg).toContain("student.wasm gzip size (log scale)");
    const points = (series: string) => svg!.match(new RegExp(`<circle [^>]*><title>${series.replace(/[()]/g, "\\$&")}: `, "g"))?.length ?? 0;
    expect(points("KD student (gating)")).toBe(reached.length);
    expect(points("label-only student")).toBe(reached.length);
    for (const t of ["LR", "DNN"]) expect(svg).toContain(`<title>teacher ${t}: `);
    expect(svg).toMatch(/<title>uncompressed KD student \([\d.]+ kB\): /);
    expect(html).toContain(`unreachable: no student fits ${budgets.unreachable.toLocaleString("en-US")} bytes gzip`);
    expect(html).not.toMatch(/NaN/);
  });
});

describe("the size sweep's inputs", () => {
  it("takes budgets as integers ≥ 1, ascending and each once", () => {
    expect(sizeSweepBudgets([16_000, 4000, 16_000], "x")).toEqual([4000, 16_000]);
    expect(() => sizeSweepBudgets([4000, 0], "runExperiment: 'sizeSweep'")).toThrow("runExperiment: 'sizeSweep': every budget must be an integer ≥ 1 (gzip bytes of student.wasm), got 0");
    expect(() => sizeSweepBudgets([1.5], "x")).toThrow("got 1.5");
  });

  it("refuses, before anything is written, a student whose embedding kind budgets cannot size", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "ctr-distill-size-sweep-qr-")), "exp");
    const config = parseConfig({ ...CONFIG, student: { ...CONFIG.student, embedding: { kind: "qr", buckets: 3 } } });
    await expect(runExperimentApi(config, { outDir: out, sizeSweep: [5000], backend: "cpu" })).rejects.toThrow(
      `runExperiment: 'sizeSweep': sizes the student by student.embedding kind "prune" (the default) or "hash"; this config's is "qr"`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("`experiment --size-sweep` refuses a budget that is not a positive integer, naming the flag", () => {
    const file = join(mkdtempSync(join(tmpdir(), "ctr-distill-size-sweep-cli-")), "c.json");
    writeFileSync(file, JSON.stringify(CONFIG));
    const r = spawnSync(process.execPath, [join(ROOT, "bin/ctr-distill.js"), "experiment", "--config", file, "--out", join(file, "..", "exp"), "--size-sweep", "4000,4k"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe("ctr-distill: experiment: --size-sweep must be an integer in 1..9007199254740991, got '4k'");
  });
});

describe("averageSizeSweeps", () => {
  const student = (name: string, auc: number, gzipBytes: number) => ({ name, auc, logloss: 0.5, params: 10, wasmBytes: 9000, gzipBytes, dir: `d/${name}` });
  const diff = (d: number) => ({ baseline: "b", diff: d, low: d - 0.01, high: d + 0.01, method: "bootstrap" as const, samples: 1000, withinNoise: true });
  const sweep = (kdAuc: number, reachable: boolean): SizeSweep => ({
    ensemble: "gating",
    points: [
      reachable
        ? { budgetBytes: 5000, reachable: true, predicted: { wasmBytes: 9000, gzipBytesAtMost: 4990 }, capacity: { embedding: { kind: "prune", keep: 3 }, embeddingRows: 25, quantize: "none" }, kd: { ...student("kd", kdAuc, 4800), vsNoKd: diff(kdAuc - 0.7) }, noKd: student("no", 0.7, 4810) }
        : { budgetBytes: 5000, reachable: false, smallestGzipBytes: 5100, reason: "no student fits 5,000 bytes gzip" },
      { budgetBytes: 1000, reachable: false, smallestGzipBytes: 4000, reason: "no student fits 1,000 bytes gzip" },
    ],
    uncompressed: student("u", 0.75, 8000),
    fullEmbeddingRows: 50,
    teachers: [{ name: "LR", auc: 0.72, logloss: 0.5 }],
    seeds: 1,
  });

  it("averages each budget's students over seeds, with a paired t-interval on the KD student's differences", () => {
    const avg = averageSizeSweeps([sweep(0.72, true), sweep(0.74, true)]);
    expect(avg.seeds).toBe(2);
    const p = avg.points[0] as Reached;
    expect(p.kd.auc).toBeCloseTo(0.73, 10);
    expect(p.kd.aucStd).toBeCloseTo(Math.SQRT2 * 0.01, 10);
    expect(p.kd.vsNoKd).toMatchObject({ method: "seeds", samples: 2 });
    expect(p.kd.vsNoKd!.diff).toBeCloseTo(0.03, 10);
    expect(p.kd.vsUncompressed).toBeUndefined();
    expect(formatSizeSweepTable(avg)).toContain("means over 2 seeds");
    expect(formatSizeSweepTable(avg)).toContain("0.7300 ± 0.0141");
  });

  it("keeps a budget unreachable in any seed unreachable", () => {
    const avg = averageSizeSweeps([sweep(0.72, true), sweep(0.74, false)]);
    expect(avg.points.map((p) => p.reachable)).toEqual([false, false]);
    expect(avg.points[0]).toMatchObject({ smallestGzipBytes: 5100 });
  });
});
