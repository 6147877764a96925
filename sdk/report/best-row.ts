import type { ExperimentRow } from "./types";

/**
 * Index of the row with the highest finite validation AUC (the first on a tie), or -1 when none has one.
 * Chosen on validation, never on test: picking the winner on test would make its test AUC an optimistic
 * estimate.
 */
export function bestByValidation(rows: readonly Pick<ExperimentRow, "validAuc">[]): number {
  let best = -1;
  rows.forEach((r, i) => {
    if (Number.isFinite(r.validAuc) && (best < 0 || r.validAuc > rows[best]!.validAuc)) best = i;
  });
  return best;
}

/** The rows with `best` set on the one bestByValidation picks and cleared on the others. */
export function markBest<R extends ExperimentRow>(rows: readonly R[]): R[] {
  const best = bestByValidation(rows);
  return rows.map((r, i) => ({ ...r, best: i === best }));
}
