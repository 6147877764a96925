import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunConfig } from "../config-types";
import type { Logger } from "../log";
import { markBest } from "../report/best-row";
import { writeReport } from "../report/report-html";
import { pairedTInterval } from "../metrics/paired-interval";
import type { ExperimentRow, PairedDifference, SeededExperimentRow, SizeSweep, SizeSweepPoint, SizeSweepStudent } from "../report/types";
import { EXPERIMENT_VARIANTS, experimentTitle, runExperiment, trainingsPerExperiment, type ExperimentResult, type StudentVariant } from "./experiment";
import { writeOutputFolder } from "./output-folder";
import { compareOverSeeds, difference } from "./paired-comparisons";
import { TrainingCounter } from "./training-counter";

export type { SeededExperimentRow } from "../report/types";

function meanStd(xs: number[]): [number, number] {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.length > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) : 0;
  return [mean, Math.sqrt(variance)];
}

/**
 * Averages the rows of several runs of one table, matched by name; `best` is chosen again on the mean
 * validation AUC. Over two or more runs, a student's comparisons become paired t-intervals over the seeds.
 */
export function averageRows(runs: ExperimentRow[][]): SeededExperimentRow[] {
  const rows = runs[0]!.map((row): SeededExperimentRow => {
    const same = runs.map((rows) => rows.find((r) => r.name === row.name)!);
    const [auc, aucStd] = meanStd(same.map((r) => r.auc));
    const [logloss, loglossStd] = meanStd(same.map((r) => r.logloss));
    const [validAuc, validAucStd] = meanStd(same.map((r) => r.validAuc));
    const [validLogloss, validLoglossStd] = meanStd(same.map((r) => r.validLogloss));
    const dirs = same.flatMap((r) => (r.dir === null ? [] : [r.dir]));
    const { vsBestTeacher, vsNoKd, ...first } = row;
    const comparisons = runs.length > 1 ? compareOverSeeds(same) : { ...(vsBestTeacher ? { vsBestTeacher } : {}), ...(vsNoKd ? { vsNoKd } : {}) };
    return { ...first, auc, logloss, validAuc, validLogloss, aucStd, loglossStd, validAucStd, validLoglossStd, seeds: runs.length, dirs, ...comparisons };
  });
  return markBest(rows);
}

/** One sweep student over seeds: mean metrics and gzip size, their spread; the first seed's run directory. */
function averageSweepStudent(same: readonly SizeSweepStudent[]): SizeSweepStudent {
  const [auc, aucStd] = meanStd(same.map((s) => s.auc));
  const [logloss, loglossStd] = meanStd(same.map((s) => s.logloss));
  const [gzipBytes] = meanStd(same.map((s) => s.gzipBytes));
  const { name, params, wasmBytes, dir } = same[0]!;
  return { name, auc, logloss, aucStd, loglossStd, params, wasmBytes, gzipBytes, dir };
}

/** A comparison every seed has, as a paired t-interval on the per-seed differences; absent otherwise. */
function overSeeds(per: readonly (PairedDifference | undefined)[]): PairedDifference | undefined {
  if (per.length < 2 || per.some((d) => d === undefined)) return undefined;
  return difference(per[0]!.baseline, pairedTInterval(per.map((d) => d!.diff)), "seeds", per.length);
}

/**
 * The size sweeps of several seeds, matched by budget: means and spreads of each student, the KD students'
 * differences as paired t-intervals over the seeds. A budget unreachable in any seed is unreachable; the
 * capacity and predicted sizes are the first seed's (a `split` config may draw another feature map per seed).
 */
export function averageSizeSweeps(sweeps: readonly SizeSweep[]): SizeSweep {
  const first = sweeps[0]!;
  const points = first.points.map((p): SizeSweepPoint => {
    const same = sweeps.map((s) => s.points.find((q) => q.budgetBytes === p.budgetBytes)!);
    const unreachable = same.find((q) => !q.reachable);
    if (unreachable !== undefined || !p.reachable) return unreachable ?? p;
    const reached = same as Extract<SizeSweepPoint, { reachable: true }>[];
    const vsNoKd = overSeeds(reached.map((q) => q.kd.vsNoKd));
    const vsUncompressed = overSeeds(reached.map((q) => q.kd.vsUncompressed));
    const kd = { ...averageSweepStudent(reached.map((q) => q.kd)), ...(vsNoKd ? { vsNoKd } : {}), ...(vsUncompressed ? { vsUncompressed } : {}) };
    return { ...p, kd, noKd: averageSweepStudent(reached.map((q) => q.noKd)) };
  });
  const teachers = first.teachers.map((t) => {
    const same = sweeps.map((s) => s.teachers.find((u) => u.name === t.name) ?? t);
    return { name: t.name, auc: meanStd(same.map((u) => u.auc))[0], logloss: meanStd(same.map((u) => u.logloss))[0] };
  });
  return { ...first, points, uncompressed: averageSweepStudent(sweeps.map((s) => s.uncompressed)), teachers, seeds: sweeps.length };
}

export interface SeededExperimentResult {
  /** The table, averaged over the seeds (one seed: its own rows, with zero spread). */
  rows: SeededExperimentRow[];
  bayes: ExperimentResult["bayes"];
  /** With `sizeSweep`: the size sweep (over several seeds, its means). */
  sizeSweep?: SizeSweep;
  /** The report to read first (the combined one over several seeds), then each seed's own. */
  reports: string[];
}

/**
 * The experiment table over `seeds` seeds (training.seed, +1, …): the field's differences are of the order
 * of seed noise, so a claim needs the mean and its spread. One seed writes straight into `outDir`; several
 * write each seed's experiment into `outDir/seed-<s>/`, and a combined report.html and experiment.json
 * (mean ± std per row, links to each seed's report) into `outDir`.
 */
export async function runSeededExperiment(
  config: RunConfig,
  outDir: string,
  seeds: number,
  log: Logger,
  opts: { overwrite?: boolean; variants?: readonly StudentVariant[]; sizeSweep?: readonly number[] } = {},
): Promise<SeededExperimentResult> {
  const started = performance.now();
  const variants = opts.variants ?? EXPERIMENT_VARIANTS;
  const sizeSweep = opts.sizeSweep ?? [];
  const counter = new TrainingCounter(seeds * trainingsPerExperiment(config, variants, sizeSweep), log);
  return writeOutputFolder(outDir, { kind: "experiment", config, overwrite: opts.overwrite }, async (dir) => {
    if (seeds === 1) {
      const run = await runExperiment({ config, outDir: dir, finalDir: outDir, log, variants, counter, sizeSweep });
      return { rows: averageRows([run.rows]), bayes: run.bayes, ...(run.sizeSweep === undefined ? {} : { sizeSweep: run.sizeSweep }), reports: [run.report] };
    }
    const runs: ExperimentResult[] = [];
    const seedList = Array.from({ length: seeds }, (_, k) => config.training.seed + k);
    for (const [k, seed] of seedList.entries()) {
      log(`== experiment seed ${seed} (${k + 1}/${seeds})`);
      const sub = `seed-${seed}`;
      runs.push(await runExperiment({ config: { ...config, training: { ...config.training, seed } }, outDir: join(dir, sub), finalDir: join(outDir, sub), log, variants, counter, sizeSweep }));
    }
    const rows = averageRows(runs.map((r) => r.rows));
    const bayes = runs[0]!.bayes;
    const sweeps = runs.flatMap((r) => (r.sizeSweep === undefined ? [] : [r.sizeSweep]));
    const sweepField = sweeps.length === 0 ? {} : { sizeSweep: averageSizeSweeps(sweeps) };
    const meta = { ...runs[0]!.meta, seeds: seedList, seconds: (performance.now() - started) / 1000 };
    await writeReport(join(dir, "report.html"), {
      title: `${experimentTitle(config, rows.filter((r) => r.kind === "teacher").map((r) => r.name))}, ${seeds} seeds`,
      createdAt: new Date().toISOString(),
      command: "experiment",
      meta,
      rows,
      curves: [],
      gate: null,
      calibration: [],
      bayes,
      ...sweepField,
      seedReports: seedList.map((seed) => ({ seed, href: `seed-${seed}/report.html` })),
    });
    await writeFile(join(dir, "experiment.json"), JSON.stringify({ rows, bayes, meta, ...sweepField }, null, 2) + "\n");
    return { rows, bayes, ...sweepField, reports: [join(outDir, "report.html"), ...runs.map((r) => r.report)] };
  });
}
