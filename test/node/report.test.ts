import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../sdk/config";
import { mulberry32 } from "../../sdk/data/prng";
import { bestByValidation, markBest } from "../../sdk/report/best-row";
import { calibrationBins } from "../../sdk/report/calibration-bins";
import { coord } from "../../sdk/report/format";
import { histogramCounts } from "../../sdk/report/histogram-counts";
import { escapeHtml } from "../../sdk/report/html-escape";
import { SERIES_COLORS } from "../../sdk/report/palette";
import { logTicks, niceTicks } from "../../sdk/report/nice-ticks";
import { renderReport, writeReport } from "../../sdk/report/report-html";
import { renderCalibrationChart } from "../../sdk/report/svg-calibration";
import { renderHistograms } from "../../sdk/report/svg-histogram";
import { renderLineChart } from "../../sdk/report/svg-line-chart";
import type { ExperimentReportData, ExperimentRow, PairedDifference, ReportMeta, SeededExperimentRow, SizeSweep } from "../../sdk/report/types";
import type { EpochRecord } from "../../sdk/train/fit";

const EVIL = `<script>alert("x")</script> & 'co'`;

function epoch(epoch: number, trainLoss: number, metrics: Record<string, number>): EpochRecord {
  return { epoch, trainLoss, rowsPerSecond: 50_000, seconds: 2, learningRate: 1e-3, metrics, score: metrics.auc ?? 0 };
}

function row(name: string, kind: ExperimentRow["kind"], auc: number, extra: Partial<ExperimentRow> = {}): ExperimentRow {
  return { name, kind, ensemble: null, hint: false, earlyStop: "auc", auc, logloss: 0.45, validAuc: auc, validLogloss: 0.46, params: 123_456, flopsPerRow: 20_480, dir: null, best: false, ...extra };
}

const META: ReportMeta = {
  data: { train: "data/train.csv", valid: "data/valid.csv", test: null, split: null },
  splits: { train: { rows: 12_345, positiveRate: 0.1875 }, valid: { rows: 2_000, positiveRate: 0.2 }, test: { rows: 3_000, positiveRate: 0.21 } },
  seeds: [7],
  backend: "wasm",
  seconds: 83.25,
  config: parseConfig({ data: { synthetic: { seed: 3, rows: { train: 10, valid: 10, test: 10 }, fields: 3, vocabSize: 5, interactions: 1, zipf: 1, ctr: 0.2 } }, teachers: [{ model: "LR" }] }),
};

/** Three teachers and two students; the gate and calibration from a seeded generator. */
function sampleData(overrides: Partial<ExperimentReportData> = {}): ExperimentReportData {
  const rand = mulberry32(7);
  const n = 400;
  const labels = new Float32Array(n);
  const probs = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    probs[i] = 0.05 + 0.5 * rand();
    labels[i] = rand() < probs[i]! ? 1 : 0;
  }
  const gate = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = rand();
    const b = rand() * (1 - a);
    gate.set([a, b, 1 - a - b], i * 3);
  }
  return {
    title: "experiment on synthetic data",
    createdAt: "2026-05-01T12:00:00.000Z",
    command: "experiment",
    meta: META,
    rows: markBest([
      row("DNN", "teacher", 0.781),
      row("DeepFM", "teacher", 0.785),
      row(EVIL, "teacher", 0.779),
      row("student KD gating", "student", 0.788, { ensemble: "gating", earlyStop: "kd-loss" }),
      row("student (no KD)", "student", 0.772),
    ]),
    curves: [
      { name: "DNN", history: [epoch(1, 0.5, { auc: 0.76, logloss: 0.47 }), epoch(2, 0.46, { auc: 0.78, logloss: 0.46 })] },
      { name: "DeepFM", history: [epoch(1, 0.49, { auc: 0.77, logloss: 0.465 }), epoch(2, 0.45, { auc: 0.785, logloss: 0.455 })] },
      { name: EVIL, history: [epoch(1, 0.52, { auc: 0.75, logloss: 0.48 })] },
      { name: "student KD gating", history: [epoch(1, 0.51, { auc: 0.77, logloss: 0.47, kd: 0.02 }), epoch(2, 0.47, { auc: 0.788, logloss: 0.452, kd: 0.012 })] },
      { name: "student (no KD)", history: [epoch(1, 0.5, { auc: 0.765, logloss: 0.468 }), epoch(2, 0.48, { auc: 0.772, logloss: 0.461 })] },
    ],
    gate: { teachers: ["DNN", "DeepFM", EVIL], perSampleValid: gate },
    calibration: [
      { name: "DeepFM", labels, probs },
      { name: EVIL, labels, probs: probs.map((p) => p * 0.8) },
    ],
    bayes: { auc: 0.801, logloss: 0.431 },
    ...overrides,
  };
}

function count(html: string, needle: string): number {
  return html.split(needle).length - 1;
}

describe("renderReport", () => {
  it("draws one <svg> per chart: train loss, valid AUC, logloss and KD, the gate, calibration", () => {
    const html = renderReport(sampleData());
    expect(count(html, "<svg")).toBe(6);
    for (const id of ["chart-train-loss", "chart-metric-0-auc", "chart-metric-1-logloss", "chart-metric-2-kd", "chart-gate", "chart-calibration"])
      expect(html).toContain(`<svg id="${id}"`);
  });

  it("adds the size trade-off with a size sweep: the chart in the table's colours, each budget's row, names escaped", () => {
    const student = (name: string, auc: number, gzipBytes: number) => ({ name, auc, logloss: 0.45, params: 900, wasmBytes: 40_000, gzipBytes, dir: null });
    const sizeSweep: SizeSweep = {
      ensemble: "gating",
      points: [
        { budgetBytes: 4000, reachable: false, smallestGzipBytes: 38_785, reason: "no student fits 4,000 bytes gzip; the smallest reachable is 38,785" },
        { budgetBytes: 40_000, reachable: true, predicted: { wasmBytes: 39_900, gzipBytesAtMost: 39_940 }, capacity: { embedding: { kind: "prune", keep: 4 }, embeddingRows: 60, quantize: "none" }, kd: student("kd 40k", 0.77, 34_000), noKd: student("no 40k", 0.76, 34_010) },
      ],
      uncompressed: student("student KD gating", 0.788, 38_400),
      fullEmbeddingRows: 220,
      teachers: [{ name: EVIL, auc: 0.779, logloss: 0.45 }],
      seeds: 1,
    };
    const html = renderReport(sampleData({ sizeSweep }));
    expect(count(html, "<svg")).toBe(7);
    const svg = /<svg id="chart-size-sweep"[\s\S]*?<\/svg>/.exec(html)![0];
    // the KD series and the uncompressed line take the table's KD gating colour, the label-only series the no-KD row's
    const colour = (i: number) => SERIES_COLORS[i]!;
    expect(svg).toContain(`stroke="${colour(3)}" stroke-width="2"`);
    expect(svg).toContain(`fill="${colour(4)}"><title>label-only student: 34010, 0.76</title>`);
    expect(svg).toContain(`<title>teacher ${escapeHtml(EVIL)}: 0.779</title>`);
    expect(html).toContain("prune keep 4, 60 rows, f32");
    expect(html).toContain("unreachable: no student fits 4,000 bytes gzip");
    expect(html).not.toContain("<script");
  });

  it("leaves out the KD chart when no model has a kd metric, and the gate chart (with a note) when gate is null", () => {
    const data = sampleData({ gate: null });
    data.curves = data.curves.filter((c) => c.name !== "student KD gating");
    const html = renderReport(data);
    expect(count(html, "<svg")).toBe(4);
    expect(html).not.toContain("chart-gate");
    expect(html).toContain("No gating ensemble in this experiment");
  });

  it("escapes every name from the data, in the table, the legends, the tooltips and <title>", () => {
    const html = renderReport(sampleData({ title: `report ${EVIL}` }));
    expect(html).not.toContain("<script");
    expect(html).not.toContain(`"x")`);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;");
    expect(html).toContain(`<title>report &lt;script&gt;`);
  });

  it("never writes NaN or Infinity, whatever the curves, gate and predictions hold", () => {
    const data = sampleData();
    data.curves.push({ name: "diverged", history: [epoch(1, NaN, { auc: NaN, logloss: Infinity, kd: -Infinity }), epoch(2, Infinity, { auc: 0.5, logloss: NaN })] });
    data.curves.push({ name: "empty", history: [] });
    data.rows.push(row("diverged", "student", NaN, { logloss: Infinity }));
    data.gate!.perSampleValid[0] = NaN;
    data.gate!.perSampleValid[1] = Infinity;
    const probs = new Float32Array([NaN, 0.2, Infinity, 0.4]);
    data.calibration.push({ name: "broken", labels: new Float32Array([1, 0, 1, NaN]), probs });
    data.bayes = { auc: NaN, logloss: NaN };
    const html = renderReport(data);
    expect(html).not.toMatch(/NaN|Infinity/);
    expect(count(html, "<svg")).toBe(6);
    expect(html).toContain("non-finite values not drawn");
  });

  it("draws every chart when all curves are empty or every value is equal", () => {
    const flat = [epoch(1, 0.5, { auc: 0.7 }), epoch(2, 0.5, { auc: 0.7 }), epoch(3, 0.5, { auc: 0.7 })];
    const html = renderReport(sampleData({ curves: [{ name: "flat", history: flat }, { name: "none", history: [] }], calibration: [], gate: null }));
    expect(count(html, "<svg")).toBe(2);
    expect(html).not.toMatch(/NaN|Infinity/);
    expect(html).toContain("No test predictions were kept");
  });

  it("refers to no external resource: no http(s) URL, no <link>, no external script", () => {
    const html = renderReport(sampleData());
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<link\b|<script\b|<img\b|@import|url\(/i);
  });

  it("highlights the best AUC and adds the Bayes bound row", () => {
    const html = renderReport(sampleData());
    expect(count(html, `<tr class="best">`)).toBe(1);
    expect(html).toMatch(/<tr class="best"><th scope="row" class="name">student KD gating<\/th>/);
    expect(html).toContain(`<tr class="bound">`);
    expect(html).toContain("0.8010");
    expect(renderReport(sampleData({ bayes: null }))).not.toContain(`<tr class="bound">`);
  });

  it("marks the best row by validation AUC, never by test AUC", () => {
    const rows = [row("valid winner", "student", 0.7, { validAuc: 0.8 }), row("test winner", "student", 0.9, { validAuc: 0.75 }), row("diverged", "student", NaN, { validAuc: NaN })];
    expect(bestByValidation(rows)).toBe(0);
    expect(bestByValidation([])).toBe(-1);
    const marked = markBest(rows);
    expect(marked.map((r) => r.best)).toEqual([true, false, false]);
    const html = renderReport(sampleData({ rows: marked }));
    expect(count(html, `<tr class="best">`)).toBe(1);
    expect(html).toMatch(/<tr class="best"><th scope="row" class="name">valid winner<\/th>/);
  });

  it("names the data set, row counts and positive rate per split, seeds, backend, wall time and config", () => {
    const html = renderReport(sampleData());
    for (const fact of ["data/train.csv", "data/valid.csv", "12,345", "0.1875", "<dd>7</dd>", "<dd>wasm</dd>", "83.3 s", "by ctr-distill experiment"]) expect(html).toContain(fact);
    expect(html).toContain(escapeHtml(`"vocabSize": 5`));
    const synthetic = renderReport(sampleData({ meta: { ...META, data: "synthetic", seeds: [1, 2, 3] } }));
    expect(synthetic).toContain("synthetic: generator seed 3, 3 fields of 5 values, 1 planted interactions, base CTR 0.2");
    expect(synthetic).toContain("<dd>1, 2, 3</dd>");
  });

  it("a combined report over seeds shows mean ± std, links each seed's report and draws no charts", () => {
    const seeded = (name: string, validAuc: number, dir: string | null): SeededExperimentRow => ({
      ...row(name, dir === null ? "teacher" : "student", 0.78, { validAuc, dir }),
      seeds: 2, aucStd: 0.0123, loglossStd: 0.001, validAucStd: 0.004, validLoglossStd: 0.002, dirs: dir === null ? [] : [dir, dir.replace("seed-1", "seed-2")],
    });
    const rows = markBest([seeded("DNN", 0.77, null), seeded("student KD gating", 0.79, "out/seed-1/students/kd-gating")]);
    const html = renderReport(sampleData({ rows, curves: [], gate: null, calibration: [], seedReports: [{ seed: 1, href: "seed-1/report.html" }, { seed: 2, href: "seed-2/report.html" }] }));
    expect(html).toContain("0.7800 ± 0.0123");
    expect(html).toContain("over 2 seeds");
    expect(html).toContain(`<a href="seed-2/report.html">seed 2</a>`);
    expect(count(html, "<svg")).toBe(0);
    expect(html).toContain("<code>out/seed-1/students/kd-gating</code>, <code>out/seed-2/students/kd-gating</code>");
  });

  it("states each student's paired difference to the best teacher and to the no-KD student, and when it is within noise", () => {
    const seeds = (diff: number, low: number, high: number, baseline: string): PairedDifference => ({ baseline, diff, low, high, method: "seeds", samples: 5, withinNoise: low <= 0 && high >= 0 });
    const rows = markBest([
      row("DNN", "teacher", 0.781),
      row("DeepFM", "teacher", 0.785),
      row("student KD gating", "student", 0.788, { ensemble: "gating", earlyStop: "kd-loss", vsBestTeacher: seeds(0.0012, -0.0005, 0.0029, "DeepFM"), vsNoKd: seeds(0.016, 0.011, 0.021, "student (no KD)") }),
      row(EVIL, "student", 0.772, { vsBestTeacher: seeds(-0.013, -0.02, -0.006, "DeepFM") }),
    ]);
    const html = renderReport(sampleData({ rows }));
    expect(html).toContain("<strong>student KD gating − best teacher (DeepFM): +0.0012 [−0.0005, +0.0029] (95%, paired over 5 seeds), within noise</strong>");
    expect(html).toContain("Student-t intervals on the per-seed differences over 5 seeds");
    // one badge for the interval that includes 0; none for the two that exclude it
    expect(count(html, `<span class="badge">within noise</span>`)).toBe(1);
    expect(html).toContain("+0.0160 [+0.0110, +0.0210]");
    expect(html).toContain("−0.0130 [−0.0200, −0.0060]");
    expect(html).toContain(escapeHtml(EVIL));
    expect(html).not.toContain(EVIL);
    // without comparisons (a run's report, or rows from before they existed) there is no such section
    expect(renderReport(sampleData())).not.toContain("Student − best teacher, paired");
  });

  it("lists the students' run directories, escaped, with the best one's serve command", () => {
    const rows = markBest([row("a", "student", 0.7, { dir: "runs/x/students/no-kd" }), row("b", "student", 0.7, { validAuc: 0.9, dir: `runs/${EVIL}` }), row("t", "teacher", 0.8)]);
    const html = renderReport(sampleData({ rows }));
    expect(html).toContain("<code>runs/x/students/no-kd</code>");
    expect(html).toContain(`<code>ctr-distill serve --model runs/${escapeHtml(EVIL)}</code>`);
    expect(html).not.toContain("<script");
  });

  it("puts a malformed gate matrix into a note instead of failing", () => {
    const html = renderReport(sampleData({ gate: { teachers: ["a", "b"], perSampleValid: new Float32Array(5) } }));
    expect(html).toContain("has 5 values, not a multiple of the 2 teachers");
    expect(count(html, "<svg")).toBe(5);
  });

  it("writeReport writes the rendered page, creating directories", async () => {
    const dir = await mkdtemp(join(tmpdir(), "report-"));
    try {
      const path = join(dir, "nested", "report.html");
      await writeReport(path, sampleData());
      expect(await readFile(path, "utf8")).toBe(renderReport(sampleData()));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("renderLineChart", () => {
  it("draws a single epoch as markers, without a path", () => {
    const svg = renderLineChart({ id: "c", title: "t", xLabel: "epoch", yLabel: "auc", integerX: true, series: [{ name: "a", points: [{ x: 1, y: 0.7 }] }] });
    expect(count(svg, "<circle")).toBeGreaterThanOrEqual(2); // the point and the legend marker
    expect(svg).not.toMatch(/<path d="M[^"]*L/);
    expect(svg).toContain(">1</text>");
    expect(svg).not.toMatch(/NaN/);
  });

  it("breaks the line at a non-finite point and keeps an isolated point as a marker", () => {
    const points = [{ x: 1, y: 1 }, { x: 2, y: 2 }, { x: 3, y: NaN }, { x: 4, y: 3 }];
    const svg = renderLineChart({ id: "c", title: "t", xLabel: "epoch", yLabel: "y", integerX: true, series: [{ name: "a", points }] });
    expect(count(svg, `<path d="M`) - 1).toBe(1); // one data path besides the axes
    expect(svg).toContain("1 non-finite value not drawn");
  });

  it("shows 'no data' on a chart without points", () => {
    const svg = renderLineChart({ id: "c", title: "t", xLabel: "x", yLabel: "y", series: [] });
    expect(svg).toContain("no data");
    expect(svg).not.toMatch(/NaN/);
  });
});

describe("niceTicks", () => {
  it("picks 1-2-5 steps covering the range", () => {
    expect(niceTicks(0, 1)).toEqual({ lo: 0, hi: 1, step: 0.2, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    // range 0.075 → nice range 0.1, step ≈ 0.1 / 4 → 0.02; bounds widened outward to whole steps, no float noise
    expect(niceTicks(0.713, 0.788)).toEqual({ lo: 0.7, hi: 0.8, step: 0.02, ticks: [0.7, 0.72, 0.74, 0.76, 0.78, 0.8] });
    expect(niceTicks(1, 3, { integer: true }).ticks).toEqual([1, 2, 3]);
    expect(niceTicks(1, 40, { integer: true, count: 6 }).ticks).toEqual([0, 10, 20, 30, 40]);
  });

  it("widens a zero range and falls back to [0, 1] without finite bounds", () => {
    const flat = niceTicks(0.5, 0.5);
    expect(flat.lo).toBeLessThan(0.5);
    expect(flat.hi).toBeGreaterThan(0.5);
    expect(niceTicks(0, 0).hi).toBeGreaterThan(0);
    expect(niceTicks(NaN, Infinity)).toMatchObject({ lo: 0, hi: 1 });
    expect(niceTicks(1e-20, 1e-20).ticks.every(Number.isFinite)).toBe(true);
  });
});

describe("calibrationBins", () => {
  // p:     0.05  0.15  0.12  0.95  1.0  0.5  0.55  NaN
  // label: 0     0     1     1     1    0    1     1
  const labels = [0, 0, 1, 1, 1, 0, 1, 1];
  const probs = [0.05, 0.15, 0.12, 0.95, 1.0, 0.5, 0.55, NaN];

  it("equal-width bins: mean prediction, observed rate and ECE of a hand-computed case", () => {
    const s = calibrationBins(labels, probs, { bins: 10, binning: "uniform" });
    expect(s.n).toBe(7);
    expect(s.skipped).toBe(1);
    expect(s.bins.map((b) => [b.lo, b.hi, b.count])).toEqual([[0, 0.1, 1], [0.1, 0.2, 2], [0.5, 0.6, 2], [0.9, 1, 2]]);
    const mp = s.bins.map((b) => b.meanPredicted);
    [0.05, 0.135, 0.525, 0.975].forEach((v, i) => expect(mp[i]).toBeCloseTo(v, 12));
    expect(s.bins.map((b) => b.observedRate)).toEqual([0, 0.5, 0.5, 1]);
    // (1·0.05 + 2·0.365 + 2·0.025 + 2·0.025) / 7 = 0.88 / 7
    expect(s.ece).toBeCloseTo(0.88 / 7, 12);
    expect(s.meanPredicted).toBeCloseTo(3.32 / 7, 12);
    expect(s.observedRate).toBeCloseTo(4 / 7, 12);
  });

  it("equal-count bins cut the sorted rows evenly and never split equal predictions", () => {
    const s = calibrationBins(labels, probs, { bins: 3, binning: "quantile" });
    // sorted p: 0.05 0.12 0.15 | 0.5 0.55 | 0.95 1.0   (cuts at ⌊7/3⌋ = 2 → moved? no tie; ⌊14/3⌋ = 4)
    expect(s.bins.map((b) => b.count)).toEqual([2, 2, 3]);
    expect(s.bins.map((b) => [b.lo, b.hi])).toEqual([[0.05, 0.12], [0.15, 0.5], [0.55, 1]]);
    expect(s.bins.map((b) => b.observedRate)).toEqual([0.5, 0, 1]);
    expect(s.bins[2]!.meanPredicted).toBeCloseTo(2.5 / 3, 12);
    // (2·|0.5−0.085| + 2·|0−0.325| + 3·|1−0.8333…|) / 7
    expect(s.ece).toBeCloseTo((2 * 0.415 + 2 * 0.325 + 3 * (1 - 2.5 / 3)) / 7, 12);
    const ties = calibrationBins([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.9], { bins: 2, binning: "quantile" });
    expect(ties.bins.map((b) => b.count)).toEqual([3, 1]);
  });

  it("clamps predictions to [0, 1], puts p = 1 in the last bin and rejects mismatched lengths", () => {
    const s = calibrationBins([1, 0], [1.2, -0.1], { bins: 4 });
    expect(s.bins.map((b) => [b.lo, b.count, b.meanPredicted])).toEqual([[0, 1, 0], [0.75, 1, 1]]);
    expect(s.ece).toBe(0);
    expect(() => calibrationBins([1], [0.5, 0.5])).toThrow("calibrationBins: 'labels' has 1 entries but 'probs' has 2");
    expect(calibrationBins([], []).ece).toBeNaN();
  });
});

describe("the other parts", () => {
  it("histogramCounts bins [0, 1] into equal widths, 1 in the last bin, non-finite skipped", () => {
    const h = histogramCounts([0, 0.1, 0.25, 0.5, 1, NaN, Infinity, 1.5], 4);
    expect(h.counts).toEqual([2, 1, 1, 2]);
    expect(h.total).toBe(6);
    expect(h.skipped).toBe(2);
    expect(h.mean).toBeCloseTo(2.85 / 6, 12);
  });

  it("escapeHtml escapes the five HTML specials", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("coord refuses to write a non-finite coordinate", () => {
    expect(coord(1.23456)).toBe("1.23");
    expect(coord(-0.001)).toBe("0");
    expect(() => coord(NaN)).toThrow("coord: expected a finite coordinate, got NaN");
  });

  it("the histogram and calibration charts carry <title> and <desc>", () => {
    const h = renderHistograms({ id: "h", title: "gate", xLabel: "w", panels: [{ label: "a", values: [0.1, 0.2] }] });
    const c = renderCalibrationChart({ id: "c", title: "cal", series: [{ name: "m", summary: calibrationBins([0, 1], [0.2, 0.7]) }] });
    for (const svg of [h, c]) expect(svg).toMatch(/<svg [^>]*role="img"[^>]*><title id="[^"]+">[^<]+<\/title><desc id="[^"]+">[^<]+<\/desc>/);
    expect(c).toContain("ECE 0.2500");
  });
});

describe("a line chart with a log x axis and reference lines", () => {
  it("places ticks at decades, 1-2-5 or every digit as the range narrows, and linear ticks inside a narrower one", () => {
    expect(logTicks(800, 2_000_000)).toEqual([1000, 10_000, 100_000, 1_000_000]);
    expect(logTicks(3000, 70_000)).toEqual([5000, 10_000, 20_000, 50_000]);
    expect(logTicks(31_000, 95_000)).toEqual([40_000, 50_000, 60_000, 70_000, 80_000, 90_000]);
    expect(logTicks(34_000, 38_500)).toEqual([34_000, 36_000, 38_000]);
    expect(logTicks(5360, 5930)).toEqual([5400, 5500, 5600, 5700, 5800, 5900]);
    expect(logTicks(0, 10)).toEqual([]);
  });

  it("draws points by their log10, skips x ≤ 0, and draws each reference line across the plot with its marker", () => {
    const svg = renderLineChart({
      id: "c",
      title: "t",
      xLabel: "bytes",
      yLabel: "auc",
      logX: true,
      formatX: (x) => `${x / 1000}k`,
      series: [{ name: "a", points: [{ x: 1000, y: 0.7 }, { x: 10_000, y: 0.75 }, { x: 0, y: 0.8 }] }],
      references: [{ name: "ref", y: 0.78, markerX: 100_000 }],
    });
    const cx = [...svg.matchAll(/<circle cx="([\d.]+)"[^>]*><title>(a|ref): /g)].map((m) => Number(m[1]));
    // equal ratios, equal distances: 1k → 10k → 100k
    expect(cx).toHaveLength(3);
    expect(cx[1]! - cx[0]!).toBeCloseTo(cx[2]! - cx[1]!, 1);
    expect(svg).toContain(">10k</text>");
    expect(svg).toContain("1 non-finite value not drawn");
    expect(svg).toMatch(/<g><title>ref: 0\.78<\/title><line x1="64" x2="544" /);
    expect(svg).toContain("Reference lines: ref at 0.7800.");
  });
});
