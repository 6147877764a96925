import { describe, expect, it } from "vitest";
import { parseConfig } from "../../sdk/config";

/** The run configuration exactly as DESIGN.md shows it: the contract other tools write. */
const DESIGN_EXAMPLE = {
  data: {
    train: "path", valid: "path", test: "path",
    format: "csv", delimiter: ",", header: true, label: "click",
    features: [
      { name: "C1", type: "categorical", minCount: 2 },
      { name: "I1", type: "numeric", transform: "log-square" },
    ],
  },
  teachers: [{ model: "DeepFM", embeddingDim: 16, hiddenUnits: [400, 400, 400] }],
  student: { embeddingDim: 8, hiddenUnits: [256, 128] },
  distill: { ensemble: "gating", alpha: 0.5, temperature: 1, hint: false, earlyStop: "kd-loss" },
  training: { batchSize: 1024, epochs: 10, learningRate: 0.001, seed: 2020, patience: 2 },
};

describe("the run configuration", () => {
  it("accepts DESIGN.md's example as written, with defaults for what it leaves out", () => {
    const c = parseConfig(DESIGN_EXAMPLE);
    expect(c.data.features).toEqual([
      { name: "C1", type: "categorical", minCount: 2 },
      { name: "I1", type: "numeric", transform: "log-square" },
    ]);
    expect(c.distill).toMatchObject({ ensemble: "gating", alpha: 0.5, temperature: 1, kdLoss: "soft", hint: false, earlyStop: "kd-loss", teacherTraining: "pretrained" });
    expect(c.training).toEqual({ batchSize: 1024, epochs: 10, learningRate: 0.001, seed: 2020, patience: 2, optimizer: "adam" });
  });

  it("accepts a split in place of valid and test files", () => {
    const { valid: _v, test: _t, ...data } = DESIGN_EXAMPLE.data;
    expect(parseConfig({ ...DESIGN_EXAMPLE, data: { ...data, split: [0.8, 0.1, 0.1] } }).data.split).toEqual([0.8, 0.1, 0.1]);
    expect(() => parseConfig({ ...DESIGN_EXAMPLE, data: { ...data, split: [0.8, 0.1] } })).toThrow(/config\.data\.split: expected three fractions summing to 1/);
  });

  it("names the JSON path of a bad value, a missing key or an unknown key", () => {
    expect(() => parseConfig({ ...DESIGN_EXAMPLE, training: { batchSize: 0 } })).toThrow(/^config\.training\.batchSize: expected an integer ≥ 1, got 0$/);
    expect(() => parseConfig({ ...DESIGN_EXAMPLE, data: { ...DESIGN_EXAMPLE.data, features: [{ name: "C1", type: "embedding" }] } })).toThrow(/config\.data\.features\[0\]\.type: expected one of categorical, hashed, numeric, quantile/);
    expect(() => parseConfig({ ...DESIGN_EXAMPLE, student: { embedingDim: 8 } })).toThrow(/config\.student\.embedingDim: unknown key/);
    expect(() => parseConfig({ ...DESIGN_EXAMPLE, data: { ...DESIGN_EXAMPLE.data, train: undefined } })).toThrow(/config\.data\.train: expected a file path/);
    expect(() => parseConfig({ ...DESIGN_EXAMPLE, teachers: [] })).toThrow(/config\.teachers: expected a non-empty array of teachers/);
  });
});
