import type { ColumnSplitConfig } from "../config-types";

/** A split of the data: train, valid or test. */
export type SplitName = "train" | "valid" | "test";
export const SPLIT_NAMES: readonly SplitName[] = ["train", "valid", "test"];

type PartRule = NonNullable<ColumnSplitConfig["valid"]>;
type Bound = string | number | undefined;

/** A split's rows by a column's cell: whether a cell belongs, or a reason it cannot be compared. */
export type CellTest = (cell: string) => boolean | string;

/** `from` ≤ x < `to`, an absent end unbounded; numbers compared as numbers, strings as text. */
function inRange(x: string | number, from: Bound, to: Bound): boolean {
  return (from === undefined || x >= from) && (to === undefined || x < to);
}

/** The test of one split's rule: a cell's (trimmed) text among the values, or its value within the range. */
export function cellTest(rule: PartRule): CellTest {
  if (Array.isArray(rule)) {
    const values = new Set(rule.map(String));
    return (cell) => values.has(cell.trim());
  }
  const { from, to } = rule;
  if (typeof (from ?? to) === "string") return (cell) => inRange(cell.trim(), from, to);
  return (cell) => {
    const text = cell.trim();
    const x = text === "" ? NaN : Number(text);
    return Number.isFinite(x) ? inRange(x, from, to) : `expected a number for the range of the split, got ${JSON.stringify(cell)}`;
  };
}

/**
 * Why a split rule is inconsistent, or null: a range needs an end, ends of one kind and `from` < `to`; two
 * splits may not share a value or overlap.
 */
export function ruleProblem(split: ColumnSplitConfig): { part: SplitName; reason: string } | null {
  const parts = SPLIT_NAMES.filter((p) => split[p] !== undefined);
  for (const part of parts) {
    const rule = split[part]!;
    if (Array.isArray(rule)) continue;
    if (rule.from === undefined && rule.to === undefined) return { part, reason: "a range needs 'from', 'to' or both" };
    if (rule.from !== undefined && rule.to !== undefined) {
      if (typeof rule.from !== typeof rule.to) return { part, reason: "'from' and 'to' must both be numbers or both strings" };
      if (!(rule.from < rule.to)) return { part, reason: `'from' (${JSON.stringify(rule.from)}) must be below 'to' (${JSON.stringify(rule.to)})` };
    }
  }
  for (const [i, a] of parts.entries())
    for (const b of parts.slice(i + 1)) {
      const overlap = overlapOf(split[a]!, split[b]!);
      if (overlap !== null) return { part: b, reason: `${overlap} is in both '${a}' and '${b}'` };
    }
  return null;
}

/** What two rules share, in words, or null. */
function overlapOf(a: PartRule, b: PartRule): string | null {
  if (!Array.isArray(a) && !Array.isArray(b)) {
    const kind = typeof (a.from ?? a.to);
    if (kind !== typeof (b.from ?? b.to)) return null;
    const below = (x: Bound, y: Bound) => x === undefined || y === undefined || x < y;
    return below(a.from, b.to) && below(b.from, a.to) ? "part of the range" : null;
  }
  const [values, other] = Array.isArray(a) ? [a, b] : [b as (string | number)[], a];
  const test = cellTest(other);
  const shared = values.find((v) => test(String(v)) === true);
  return shared === undefined ? null : `the value ${JSON.stringify(shared)}`;
}
