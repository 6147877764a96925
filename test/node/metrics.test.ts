import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../sdk/data/prng";
import { auc, gauc } from "../../sdk/metrics/auc";
import { LOGLOSS_EPS, logloss } from "../../sdk/metrics/logloss";

/** AUC by definition: the share of (positive, negative) pairs ranked right, ties counting one half. */
function pairwiseAuc(labels: number[], preds: number[]): number {
  let good = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++)
    for (let j = 0; j < labels.length; j++)
      if (labels[i] === 1 && labels[j] === 0) {
        pairs++;
        good += preds[i]! > preds[j]! ? 1 : preds[i] === preds[j] ? 0.5 : 0;
      }
  return good / pairs;
}

describe("auc", () => {
  it("matches the hand-computed value of a small case (sklearn's example: 0.75)", () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
  });

  it("gives a tie between a positive and a negative half credit", () => {
    // pairs: (0.2+ vs 0.2-) 0.5, (0.2+ vs 0.1-) 1, (0.9+ vs both) 2 → 3.5 / 4
    expect(auc([0, 1, 1, 0], [0.2, 0.2, 0.9, 0.1])).toBeCloseTo(0.875, 12);
    expect(auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
  });

  it("is 1 for a perfect ranking and 0 for a reversed one", () => {
    expect(auc([0, 0, 1], [0.1, 0.2, 0.3])).toBe(1);
    expect(auc([0, 0, 1], [0.3, 0.2, 0.1])).toBe(0);
  });

  it("equals the pairwise definition on random data with many ties", () => {
    const rand = mulberry32(11);
    const labels: number[] = [];
    const preds: number[] = [];
    for (let i = 0; i < 300; i++) {
      labels.push(rand() < 0.3 ? 1 : 0);
      preds.push(Math.floor(rand() * 20) / 20);
    }
    expect(auc(labels, preds)).toBeCloseTo(pairwiseAuc(labels, preds), 12);
  });

  it("accepts typed arrays", () => {
    expect(auc(new Float32Array([0, 1]), new Float64Array([0.2, 0.7]))).toBe(1);
  });

  it("throws when only one class is present", () => {
    expect(() => auc([1, 1, 1], [0.1, 0.2, 0.3])).toThrow(/needs both classes, got 3 positive and 0 negative/);
  });

  it("throws when lengths differ, for a NaN prediction and for a label that is not 0/1", () => {
    expect(() => auc([0, 1], [0.1])).toThrow(/'labels' has 2 entries but 'preds' has 1/);
    expect(() => auc([0, 1], [0.1, NaN])).toThrow(/prediction 1 is NaN/);
    expect(() => auc([0, 2], [0.1, 0.2])).toThrow(/label 1 must be 0 or 1, got 2/);
    expect(() => auc([], [])).toThrow(/no samples/);
  });
});

describe("gauc", () => {
  it("weights each group's AUC by its size and skips one-class groups", () => {
    // group a: AUC 1 (2 rows); group b: AUC 0.5 (3 rows); group c: positives only, skipped.
    const labels = [0, 1, 1, 0, 0, 1, 1];
    const preds = [0.1, 0.9, 0.3, 0.5, 0.1, 0.4, 0.6];
    const groups = ["a", "a", "b", "b", "b", "c", "c"];
    expect(gauc(labels, preds, groups)).toBeCloseTo((2 * 1 + 3 * 0.5) / 5, 12);
  });

  it("throws when no group has both classes", () => {
    expect(() => gauc([0, 1], [0.1, 0.2], [1, 2])).toThrow(/no group has both/);
  });
});

describe("logloss", () => {
  it("matches the hand-computed mean cross-entropy", () => {
    expect(logloss([1, 0], [0.9, 0.2])).toBeCloseTo((-Math.log(0.9) - Math.log(0.8)) / 2, 12);
  });

  it("clips probabilities at 1e-7 as sklearn and FuxiCTR do", () => {
    expect(LOGLOSS_EPS).toBe(1e-7);
    expect(logloss([1], [0])).toBeCloseTo(-Math.log(1e-7), 9);
    expect(logloss([0], [1])).toBeCloseTo(-Math.log(1e-7), 6);
    expect(Number.isFinite(logloss([1, 0], [0, 1]))).toBe(true);
  });

  it("throws when lengths differ, for a NaN prediction and for a label that is not 0/1", () => {
    expect(() => logloss([1, 0], [0.5])).toThrow(/'labels' has 2 entries but 'preds' has 1/);
    expect(() => logloss([1], [NaN])).toThrow(/prediction 0 is NaN/);
    expect(() => logloss([0.5], [0.5])).toThrow(/label 0 must be 0 or 1/);
  });
});
