import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunConfig } from "../config-types";
import type { Logger } from "../log";
import { markBest } from "../report/best-row";
import { writeReport } from "../report/report-html";
import type { ExperimentRow, SeededExperimentRow } from "../report/types";
import { EXPERIMENT_VARIANTS, experimentTitle, runExperiment, trainingsPerExperiment, type ExperimentResult, type StudentVariant } from "./experiment";
import { writeOutputFolder } from "./output-folder";
import { compareOverSeeds } from "./paired-comparisons";
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

export interface SeededExperimentResult {
  /** The table, averaged over the seeds (one seed: its own rows, with zero spread). */
  rows: SeededExperimentRow[];
  bayes: ExperimentResult["bayes"];
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
  opts: { overwrite?: boolean; variants?: readonly StudentVariant[] } = {},
): Promise<SeededExperimentResult> {
  const started = performance.now();
  const variants = opts.variants ?? EXPERIMENT_VARIANTS;
  const counter = new TrainingCounter(seeds * trainingsPerExperiment(config, variants), log);
  return writeOutputFolder(outDir, { kind: "experiment", config, overwrite: opts.overwrite }, async (dir) => {
    if (seeds === 1) {
      const run = await runExperiment({ config, outDir: dir, finalDir: outDir, log, variants, counter });
      return { rows: averageRows([run.rows]), bayes: run.bayes, reports: [run.report] };
    }
    const runs: ExperimentResult[] = [];
    const seedList = Array.from({ length: seeds }, (_, k) => config.training.seed + k);
    for (const [k, seed] of seedList.entries()) {
      log(`== experiment seed ${seed} (${k + 1}/${seeds})`);
      const sub = `seed-${seed}`;
      runs.push(await runExperiment({ config: { ...config, training: { ...config.training, seed } }, outDir: join(dir, sub), finalDir: join(outDir, sub), log, variants, counter }));
    }
    const rows = averageRows(runs.map((r) => r.rows));
    const bayes = runs[0]!.bayes;
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
      seedReports: seedList.map((seed) => ({ seed, href: `seed-${seed}/report.html` })),
    });
    await writeFile(join(dir, "experiment.json"), JSON.stringify({ rows, bayes, meta }, null, 2) + "\n");
    return { rows, bayes, reports: [join(outDir, "report.html"), ...runs.map((r) => r.report)] };
  });
}
