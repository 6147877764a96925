import { pairedBootstrapAuc, pairedTInterval, type Interval } from "../metrics/paired-interval";
import { bestByValidation } from "../report/best-row";
import type { ExperimentRow, PairedDifference } from "../report/types";

/** Resamples of the paired bootstrap over test rows (one seed's intervals). */
export const BOOTSTRAP_RESAMPLES = 1000;

/** The comparisons a student row carries, and the baseline each is against. */
type ComparisonKey = "vsBestTeacher" | "vsNoKd";

/** A difference with its interval, "within noise" where the interval includes 0. */
export function difference(baseline: string, interval: Interval, method: PairedDifference["method"], samples: number): PairedDifference {
  return { baseline, diff: interval.estimate, low: interval.low, high: interval.high, method, samples, withinNoise: !(interval.low > 0 || interval.high < 0) };
}

/** The rows' baselines: the teacher with the highest validation AUC, and the student without KD. */
function baselines(rows: readonly ExperimentRow[]): { bestTeacher: ExperimentRow | undefined; noKd: ExperimentRow | undefined } {
  const teachers = rows.filter((r) => r.kind === "teacher");
  return { bestTeacher: teachers[bestByValidation(teachers)], noKd: rows.find((r) => r.kind === "student" && r.ensemble === null) };
}

/**
 * One seed's table with each student compared to the best teacher (by validation AUC) and each distilled
 * student to the student without KD: the test AUC difference with a paired bootstrap interval over the test
 * rows. `testPredictions` holds every row's test-split probabilities by row name.
 */
export function compareOnTestRows(rows: readonly ExperimentRow[], labels: Float32Array, testPredictions: ReadonlyMap<string, Float32Array>, seed: number): ExperimentRow[] {
  const { bestTeacher, noKd } = baselines(rows);
  const names = rows.map((r) => r.name);
  const preds = names.map((name) => testPredictions.get(name)!);
  const wanted: { row: number; key: ComparisonKey; baseline: ExperimentRow }[] = [];
  rows.forEach((r, i) => {
    if (r.kind !== "student") return;
    if (bestTeacher !== undefined) wanted.push({ row: i, key: "vsBestTeacher", baseline: bestTeacher });
    if (noKd !== undefined && r !== noKd) wanted.push({ row: i, key: "vsNoKd", baseline: noKd });
  });
  const intervals = pairedBootstrapAuc(labels, preds, wanted.map((w) => [w.row, names.indexOf(w.baseline.name)] as const), { resamples: BOOTSTRAP_RESAMPLES, seed });
  const out = rows.map((r) => ({ ...r }));
  wanted.forEach((w, k) => (out[w.row]![w.key] = difference(w.baseline.name, intervals[k]!, "bootstrap", BOOTSTRAP_RESAMPLES)));
  return out;
}

/** The same row over several seeds: a paired t-interval on its per-seed differences, for each comparison every seed has. */
export function compareOverSeeds(same: readonly ExperimentRow[]): Pick<ExperimentRow, ComparisonKey> {
  const out: Pick<ExperimentRow, ComparisonKey> = {};
  for (const key of ["vsBestTeacher", "vsNoKd"] as const) {
    const per = same.map((r) => r[key]);
    if (per.length < 2 || per.some((d) => d === undefined)) continue;
    const baseline = [...new Set(per.map((d) => d!.baseline))].join(" / ");
    out[key] = difference(baseline, pairedTInterval(per.map((d) => d!.diff)), "seeds", per.length);
  }
  return out;
}
