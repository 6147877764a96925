import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../sdk/config";
import { UserError } from "../../sdk/errors";

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
    expect(c.training).toEqual({ batchSize: 1024, epochs: 10, learningRate: 0.001, seed: 2020, patience: 2, optimizer: "adam", adamVariant: "pytorch", embeddingUpdate: "dense" });
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

const ROOT = resolve(import.meta.dirname, "../..");
const PRESETS = readdirSync(join(ROOT, "configs")).filter((f) => f.endsWith(".json"));
const tmp = () => mkdtempSync(join(tmpdir(), "ctr-distill-config-"));

/** `doc` written to a file `name` in a new folder; its path. */
function configFile(name: string, doc: unknown): string {
  const file = join(tmp(), name);
  writeFileSync(file, typeof doc === "string" ? doc : JSON.stringify(doc, null, 2));
  return file;
}

/** The message of what `f` throws. */
function failure(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error("expected a UserError");
}

const withFeatures = (features: unknown[], data: Record<string, unknown> = {}) => ({ ...DESIGN_EXAMPLE, data: { ...DESIGN_EXAMPLE.data, ...data, features } });

describe("stored configurations read back", () => {
  it.each(PRESETS)("configs/%s: parse → JSON → parse gives the same config", (name) => {
    const config = loadConfig(join(ROOT, "configs", name));
    expect(parseConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });

  it("a synthetic config without features stores the generator's fields, and reads back", () => {
    const config = parseConfig({ data: { synthetic: { rows: { train: 100, valid: 20, test: 20 }, fields: 3, interactions: 2 } }, teachers: [{ model: "LR" }] });
    expect(config.data.features.map((f) => f.name)).toEqual(["C1", "C2", "C3"]);
    expect(parseConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });

  it("a run stored before the fields were written out (features: []) reads as the generator's fields", () => {
    const config = parseConfig({ data: { synthetic: { rows: { train: 100, valid: 20, test: 20 }, fields: 2, interactions: 1 }, features: [] }, teachers: [{ model: "LR" }] });
    expect(config.data.features.map((f) => f.name)).toEqual(["C1", "C2"]);
  });
});

describe("config files", () => {
  it("resolve relative data paths from the config file's folder, not the current directory", () => {
    const config = loadConfig(join(ROOT, "configs", "movielens-100k-profiles.json"));
    const data = resolve(ROOT, "../shared/data/movielens-100k");
    expect(config.data.train).toBe(join(data, "u1.base"));
    expect(config.data.lookups!.map((l) => l.file)).toEqual([join(data, "u.user"), join(data, "u.item")]);
    const file = configFile("c.json", withFeatures([{ name: "C1" }], { train: "logs/train.csv", valid: "/abs/valid.csv" }));
    expect(loadConfig(file).data).toMatchObject({ train: join(dirname(file), "logs/train.csv"), valid: "/abs/valid.csv", test: join(dirname(file), "path") });
  });

  it("read YAML (.yaml, .yml) like JSON", () => {
    const yaml = ["data:", "  synthetic:", "    rows: { train: 100, valid: 20, test: 20 }", "teachers:", "  - model: DNN", "    hiddenUnits: [16]", "training:", "  epochs: 2", ""].join("\n");
    const fromYaml = loadConfig(configFile("c.yaml", yaml));
    expect(fromYaml.teachers).toEqual([{ model: "DNN", hiddenUnits: [16] }]);
    expect(fromYaml.training.epochs).toBe(2);
    expect(loadConfig(configFile("c.yml", yaml))).toEqual(fromYaml);
  });

  it("name the file and the line of a bad key, in JSON and in YAML", () => {
    const json = configFile("bad.json", withFeatures([{ name: "C1" }, { name: "I1", type: "embedding" }]));
    const line = readFileSync(json, "utf8").split("\n").findIndex((l) => l.includes('"embedding"')) + 1;
    expect(failure(() => loadConfig(json))).toBe(`${json}:${line}: config.data.features[1].type: expected one of categorical, hashed, numeric, quantile, sequence, got "embedding"`);
    const yaml = configFile("bad.yaml", ["data:", "  synthetic:", "    rows: { train: 100, valid: 20, test: 20 }", "teachers:", "  - model: DNN", "training:", "  epochz: 2", ""].join("\n"));
    expect(failure(() => loadConfig(yaml))).toBe(`${yaml}:7: config.training.epochz: unknown key; did you mean 'epochs'?`);
    const broken = configFile("broken.yaml", "data:\n  train: [a\n");
    expect(failure(() => loadConfig(broken))).toMatch(new RegExp(`^${broken}:\\d+: not valid YAML`));
    const notJson = configFile("broken.json", "{ data: 1 }");
    expect(failure(() => loadConfig(notJson))).toMatch(new RegExp(`^${notJson}: not valid JSON`));
  });
});

describe("checks before any data is read", () => {
  it("suggest the nearest key, model, hyperparameter and column", () => {
    expect(failure(() => parseConfig({ ...DESIGN_EXAMPLE, student: { embedingDim: 8 } }))).toBe("config.student.embedingDim: unknown key; did you mean 'embeddingDim'?");
    expect(failure(() => parseConfig({ ...DESIGN_EXAMPLE, teachers: [{ model: "DeepFn" }] }))).toMatch(/^config\.teachers\[0\]\.model: unknown model 'DeepFn'; known: LR, FM, DNN, .*; did you mean 'DeepFM'\?$/);
    expect(failure(() => parseConfig({ ...DESIGN_EXAMPLE, teachers: [{ model: "GBDT" }] }))).toMatch(/^config\.teachers\[0\]\.model: unknown model 'GBDT'; known: LR, FM, DNN, [^;]*$/);
    expect(failure(() => parseConfig({ ...DESIGN_EXAMPLE, teachers: [{ model: "DNN", hiddenUnit: [8] }] }))).toMatch(/^config\.teachers\[0\]\.hiddenUnit: 'DNN' has no hyperparameter 'hiddenUnit'; it has .*; did you mean 'hiddenUnits'\?$/);
    const headerless = { columns: ["click", "user_id", "item_id"], header: false };
    expect(failure(() => parseConfig(withFeatures([{ name: "user_id" }, { name: "itemid" }], headerless)))).toBe(
      "config.data.features[1].name: no column 'itemid' in data.columns; did you mean 'item_id'?",
    );
    expect(failure(() => parseConfig(withFeatures([{ name: "user", column: "usr" }], headerless)))).toBe(
      "config.data.features[0].column: no column 'usr' in data.columns; columns: click, user_id, item_id",
    );
    expect(failure(() => parseConfig(withFeatures([{ name: "user_id" }], { ...headerless, label: "clicked" })))).toBe("config.data.label: no column 'clicked' in data.columns; did you mean 'click'?");
  });

  it("refuse a feature that reads the label column (a leak), by name, by column or by index", () => {
    expect(failure(() => parseConfig(withFeatures([{ name: "C1" }, { name: "click" }])))).toBe(
      "config.data.features[1]: feature 'click' reads the label column 'click' (the model would see the answer)",
    );
    expect(failure(() => parseConfig(withFeatures([{ name: "y", column: "click", type: "numeric" }])))).toMatch(/features\[0\]: feature 'y' reads the label column 'click'/);
    const headerless = { columns: ["click", "C1"], header: false, label: "0" };
    expect(failure(() => parseConfig(withFeatures([{ name: "C1" }, { name: "first", column: "click" }], headerless)))).toMatch(/features\[1\]: feature 'first' reads the label column 'click'/);
  });

  it("check a synthetic log's rules across keys", () => {
    const synthetic = { rows: { train: 100, valid: 20, test: 20 }, fields: 3, interactions: 4 };
    expect(failure(() => parseConfig({ data: { synthetic }, teachers: [{ model: "LR" }] }))).toBe("config.data.synthetic.interactions: expected an integer in 0..3 (field pairs), got 4");
  });

  it("refuse a feature that reads a logged teacher score", () => {
    const data = { teacherScores: { columns: ["gbdt_logit"] } };
    expect(failure(() => parseConfig(withFeatures([{ name: "C1" }, { name: "gbdt_logit", type: "numeric" }], data)))).toBe(
      "config.data.features[1]: feature 'gbdt_logit' reads the logged teacher score 'gbdt_logit' (data.teacherScores.columns)",
    );
  });

  it("take text labels through data.positive, but not beside labelThreshold or for libsvm", () => {
    expect(parseConfig(withFeatures([{ name: "C1" }], { positive: ["yes"] })).data.positive).toEqual(["yes"]);
    expect(failure(() => parseConfig(withFeatures([{ name: "C1" }], { positive: ["yes"], labelThreshold: 1 })))).toBe("config.data.positive: give either 'positive' or 'labelThreshold', not both");
    expect(failure(() => parseConfig(withFeatures([{ name: "C1" }], { positive: ["+1"], format: "libsvm" })))).toMatch(/^config\.data\.positive: libsvm labels are 1, 0 or -1/);
    expect(failure(() => parseConfig(withFeatures([{ name: "C1" }], { positive: [] })))).toBe("config.data.positive: expected a non-empty array of label values, got []");
  });
});
