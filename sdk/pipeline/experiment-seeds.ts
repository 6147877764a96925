import { join } from "node:path";
import type { RunConfig } from "../config-types";
import type { Logger } from "../log";
import type { ExperimentRow } from "../report/types";
import { runExperiment, type ExperimentResult } from "./experiment";

/** An experiment row averaged over seeds: mean AUC and logloss, with their standard deviations. */
export interface SeededExperimentRow extends ExperimentRow {
  seeds: number;
  aucStd: number;
  loglossStd: number;
}

function meanStd(xs: number[]): [number, number] {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.length > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) : 0;
  return [mean, Math.sqrt(variance)];
}

/** Averages the rows of several runs of one table, matched by name. */
export function averageRows(runs: ExperimentRow[][]): SeededExperimentRow[] {
  return runs[0]!.map((row) => {
    const same = runs.map((rows) => rows.find((r) => r.name === row.name)!);
    const [auc, aucStd] = meanStd(same.map((r) => r.auc));
    const [logloss, loglossStd] = meanStd(same.map((r) => r.logloss));
    return { ...row, auc, logloss, aucStd, loglossStd, seeds: runs.length };
  });
}

/**
 * The experiment table over `seeds` seeds (training.seed, +1, …): the field's differences are of the order
 * of seed noise, so a claim needs the mean and its spread. Each seed's run goes to `outDir/seed-<s>/`.
 */
export async function runSeededExperiment(config: RunConfig, outDir: string, seeds: number, log: Logger): Promise<{ rows: SeededExperimentRow[]; bayes: ExperimentResult["bayes"]; reports: string[] }> {
  const runs: ExperimentResult[] = [];
  for (let k = 0; k < seeds; k++) {
    const seed = config.training.seed + k;
    log(`== experiment seed ${seed} (${k + 1}/${seeds})`);
    runs.push(await runExperiment({ config: { ...config, training: { ...config.training, seed } }, outDir: seeds === 1 ? outDir : join(outDir, `seed-${seed}`), log }));
  }
  return { rows: averageRows(runs.map((r) => r.rows)), bayes: runs[0]!.bayes, reports: runs.map((r) => r.report) };
}
