import { describe, expect, it } from "vitest";
import type { SyntheticConfig } from "../../sdk/config-types";
import { UserError } from "../../sdk/errors";
import { mulberry32, zipfSampler } from "../../sdk/data/prng";
import { generateSynthetic, syntheticFeatures } from "../../sdk/data/synthetic";
import { auc } from "../../sdk/metrics/auc";
import { logloss } from "../../sdk/metrics/logloss";

const CFG: SyntheticConfig = { seed: 7, rows: { train: 2000, valid: 500, test: 2000 }, fields: 6, vocabSize: 50, interactions: 3, zipf: 1.1, ctr: 0.25 };

describe("prng", () => {
  it("mulberry32 reproduces its published first outputs for seed 1", () => {
    const r = mulberry32(1);
    expect([r(), r(), r()]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  });

  it("zipfSampler draws rank 0 about H(n,s)^-1 of the time", () => {
    const draw = zipfSampler(100, 1.2, mulberry32(3));
    let h = 0;
    for (let k = 1; k <= 100; k++) h += k ** -1.2;
    let top = 0;
    for (let i = 0; i < 20000; i++) if (draw() === 0) top++;
    expect(top / 20000).toBeCloseTo(1 / h, 1);
  });
});

describe("generateSynthetic", () => {
  it("is deterministic for a seed: identical output twice", () => {
    const a = generateSynthetic(CFG);
    const b = generateSynthetic(CFG);
    expect(b.train.rows).toEqual(a.train.rows);
    expect(b.test.labels).toEqual(a.test.labels);
    expect(b.valid.probs).toEqual(a.valid.probs);
    expect(b.bayes).toEqual(a.bayes);
  });

  it("gives different output for another seed", () => {
    const a = generateSynthetic(CFG);
    const b = generateSynthetic({ ...CFG, seed: 8 });
    expect(b.train.rows).not.toEqual(a.train.rows);
    expect(b.bayes.auc).not.toBe(a.bayes.auc);
  });

  it("pins the first row, the planted pairs and the Bayes metrics of seed 7", () => {
    const g = generateSynthetic(CFG);
    expect(g.fields).toEqual(["C1", "C2", "C3", "C4", "C5", "C6"]);
    expect(g.train.rows[0]).toEqual(["v37", "v14", "v2", "v37", "v6", "v20"]);
    expect(g.pairs).toEqual([[1, 5], [2, 3], [3, 4]]);
    expect(g.bayes.auc).toBeCloseTo(0.7608909004224486, 12);
    expect(g.bayes.logloss).toBeCloseTo(0.4764840758357742, 12);
  });

  it("reports the AUC and logloss of the true probabilities on the test split, between 0.5 and 1", () => {
    const g = generateSynthetic(CFG);
    expect(g.bayes.auc).toBeGreaterThan(0.5);
    expect(g.bayes.auc).toBeLessThan(1);
    expect(g.bayes.auc).toBe(auc(g.test.labels, g.test.probs));
    expect(g.bayes.logloss).toBe(logloss(g.test.labels, g.test.probs));
  });

  it("sets the bias so that the mean click rate is close to ctr", () => {
    const g = generateSynthetic({ ...CFG, rows: { train: 20000, valid: 10, test: 500 }, ctr: 0.1 });
    const meanP = g.train.probs.reduce((s, p) => s + p, 0) / g.train.probs.length;
    const meanY = g.train.labels.reduce((s, y) => s + y, 0) / g.train.labels.length;
    expect(meanP).toBeCloseTo(0.1, 2);
    expect(Math.abs(meanY - 0.1)).toBeLessThan(0.01);
  });

  it("plants 3-way interactions with order 3, each a product of three fields' factors", () => {
    const g = generateSynthetic({ ...CFG, order: 3, interactions: 4 });
    expect(g.pairs).toHaveLength(4);
    for (const t of g.pairs) expect(t.length === 3 && t[0]! < t[1]! && t[1]! < t[2]!).toBe(true);
    const many = { ...CFG, rows: { train: 10, valid: 10, test: 20000 }, fields: 8, interactions: 12, order: 3 };
    expect(generateSynthetic(many).bayes.auc).toBeGreaterThan(generateSynthetic({ ...many, interactions: 0 }).bayes.auc);
    expect(() => generateSynthetic({ ...CFG, order: 3, interactions: 21 })).toThrow("data.synthetic.interactions: expected an integer in 0..20 (field 3-tuples)");
  });

  it("label noise keeps the click rate at ctr, pulls every true probability towards 1/2 and lowers the Bayes AUC", () => {
    const rows = { train: 20000, valid: 10, test: 20000 };
    const clean = generateSynthetic({ ...CFG, rows });
    const noisy = generateSynthetic({ ...CFG, rows, noise: 0.1 });
    const meanP = noisy.train.probs.reduce((s, p) => s + p, 0) / rows.train;
    expect(meanP).toBeCloseTo(CFG.ctr, 2);
    expect(Math.min(...noisy.test.probs)).toBeGreaterThanOrEqual(0.1);
    expect(Math.max(...noisy.test.probs)).toBeLessThanOrEqual(0.9);
    expect(noisy.bayes.auc).toBeLessThan(clean.bayes.auc - 0.02);
    expect(() => generateSynthetic({ ...CFG, noise: 0.3 })).toThrow("data.synthetic.noise");
  });

  it("makes the planted interactions matter: removing them lowers the Bayes AUC", () => {
    const many = { ...CFG, rows: { train: 10, valid: 10, test: 20000 }, fields: 8, interactions: 12 };
    expect(generateSynthetic(many).bayes.auc).toBeGreaterThan(generateSynthetic({ ...many, interactions: 0 }).bayes.auc);
  });

  it("draws popular values more often with a larger Zipf exponent", () => {
    const topShare = (zipf: number) => {
      const g = generateSynthetic({ ...CFG, zipf, rows: { train: 5000, valid: 10, test: 200 } });
      const counts = new Map<string, number>();
      for (const row of g.train.rows) counts.set(row[0]!, (counts.get(row[0]!) ?? 0) + 1);
      return Math.max(...counts.values()) / 5000;
    };
    expect(topShare(0)).toBeLessThan(0.05);
    expect(topShare(1.5)).toBeGreaterThan(0.3);
  });

  it("generates 100k rows in well under two seconds", () => {
    const t = performance.now();
    generateSynthetic({ ...CFG, rows: { train: 80000, valid: 10000, test: 10000 }, fields: 10, vocabSize: 1000, interactions: 5 });
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it("refuses more interactions than there are field pairs, naming the key", () => {
    expect(() => generateSynthetic({ ...CFG, fields: 3, interactions: 4 })).toThrow(UserError);
    expect(() => generateSynthetic({ ...CFG, fields: 3, interactions: 4 })).toThrow(/data\.synthetic\.interactions: expected an integer in 0\.\.3/);
    expect(() => generateSynthetic({ ...CFG, ctr: 1 })).toThrow(/data\.synthetic\.ctr/);
  });

  it("syntheticFeatures declares every field categorical with minCount 1", () => {
    expect(syntheticFeatures({ ...CFG, fields: 2 })).toEqual([
      { name: "C1", type: "categorical", minCount: 1 },
      { name: "C2", type: "categorical", minCount: 1 },
    ]);
  });
});
