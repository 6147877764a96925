import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../sdk/data/prng";
import { auc } from "../../sdk/metrics/auc";
import { pairedBootstrapAuc, pairedTInterval, studentTQuantile, studentTTwoSided } from "../../sdk/metrics/paired-interval";

/** Labels at a 30% click rate, one model that sees them through noise and one that is pure noise. */
function synthetic(n: number): { labels: Float32Array; good: Float32Array; noise: Float32Array } {
  const rand = mulberry32(11);
  const labels = new Float32Array(n);
  const good = new Float32Array(n);
  const noise = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rand() < 0.3 ? 1 : 0;
    // rounded to one decimal, so that both models have many tied predictions
    good[i] = Math.round((0.6 * labels[i]! + 0.4 * rand()) * 10) / 10;
    noise[i] = Math.round(rand() * 10) / 10;
  }
  return { labels, good, noise };
}

describe("Student's t", () => {
  it("has the tabled two-sided 95% quantiles", () => {
    // t(0.975; df) from any t table (e.g. NIST/SEMATECH e-Handbook, 1.3.6.7.2).
    for (const [df, t] of [[1, 12.706204736], [2, 4.302652730], [3, 3.182446305], [4, 2.776445105], [10, 2.228138852], [30, 2.042272456]] as const)
      expect(studentTQuantile(0.95, df)).toBeCloseTo(t, 8);
  });

  it("matches the closed forms of the CDF for 1 and 2 degrees of freedom", () => {
    expect(studentTTwoSided(1, 1)).toBeCloseTo(0.5, 14); // Cauchy: P(|T| ≤ 1) = 2·atan(1)/π
    expect(studentTTwoSided(2, 2)).toBeCloseTo(2 / Math.sqrt(6), 14); // t / √(2 + t²)
  });

  it("gives the paired t-interval of a hand computation", () => {
    // mean 0.003; squared deviations 4e-6 + 0 + 1e-6 + 9e-6 = 14e-6, s² = 14e-6 / 3, s/√n = s / 2, t(0.975; 3) = 3.182446305.
    const half = 3.182446305 * (Math.sqrt(14e-6 / 3) / 2);
    const ci = pairedTInterval([0.001, 0.003, 0.002, 0.006]);
    expect(ci.estimate).toBeCloseTo(0.003, 15);
    expect(ci.low).toBeCloseTo(0.003 - half, 9);
    expect(ci.high).toBeCloseTo(0.003 + half, 9);
    expect(() => pairedTInterval([0.001])).toThrow(/at least 2/);
  });
});

describe("pairedBootstrapAuc", () => {
  const { labels, good, noise } = synthetic(3000);

  it("excludes 0 for a large real difference, around the difference on all rows (ties counted one half)", () => {
    const [ci] = pairedBootstrapAuc(labels, [good, noise], [[0, 1]], { resamples: 300, seed: 5 });
    expect(ci!.estimate).toBeCloseTo(auc(labels, good) - auc(labels, noise), 12);
    expect(ci!.estimate).toBeGreaterThan(0.3);
    expect(ci!.low).toBeGreaterThan(0);
    expect(ci!.low).toBeLessThan(ci!.estimate);
    expect(ci!.high).toBeGreaterThan(ci!.estimate);
    // not a degenerate interval: the resamples do vary
    expect(ci!.high - ci!.low).toBeGreaterThan(0.01);
  });

  it("gives exactly [0, 0] for identical predictions, and the same interval for the same seed", () => {
    const copy = Float32Array.from(good);
    const [same] = pairedBootstrapAuc(labels, [good, copy], [[0, 1]], { resamples: 200, seed: 5 });
    expect(same).toEqual({ estimate: 0, low: 0, high: 0 });
    const again = () => pairedBootstrapAuc(labels, [good, noise], [[1, 0]], { resamples: 50, seed: 9 });
    expect(again()).toEqual(again());
    expect(again()[0]!.high).toBeLessThan(0);
  });

  it("refuses predictions of another length", () => {
    expect(() => pairedBootstrapAuc(labels, [good, noise.subarray(1)], [[0, 1]], { resamples: 10, seed: 1 })).toThrow(/model 1 has 2999 predictions for 3000 labels/);
  });
});
