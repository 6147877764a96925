import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { parseConfig } from "../../sdk/config";
import type { SyntheticConfig } from "../../sdk/config-types";
import { prepareData } from "../../sdk/data/prepare";
import { generateSynthetic } from "../../sdk/data/synthetic";
import { distillStudent } from "../../sdk/distill/distill";
import { buildTeacherGate, buildWeightedEnsemble, GATE_DEFAULTS } from "../../sdk/distill/gate";
import { kdLossValue, mseKdLoss, softKdLoss } from "../../sdk/distill/kd-loss";
import { randomSource } from "../../sdk/layers/random";
import { silentLogger } from "../../sdk/log";
import { evaluateLogits } from "../../sdk/train/evaluate";
import { gatherEmbeddings, predictLogits } from "../../sdk/train/step";
import { trainOnLabels } from "../../sdk/train/train-teacher";
import { unpooledLayout } from "../../sdk/runtime/slots";

beforeAll(async () => {
  await selectBackend("cpu");
});

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const LOGIT_MIX = { ensembleTarget: "logit" as const, temperature: 1 };

describe("KD losses", () => {
  it("soft-label KD is T²·BCE(σ(z_t/T), σ(z_s/T)), by hand", () => {
    const zs = [0.3, -1.2, 2.0];
    const zt = [1.0, -0.5, 0.1];
    const T = 2;
    let want = 0;
    for (let i = 0; i < 3; i++) {
      const q = sigmoid(zt[i]! / T);
      const p = sigmoid(zs[i]! / T);
      want += -(q * Math.log(p) + (1 - q) * Math.log(1 - p));
    }
    want = (want / 3) * T * T;
    const got = softKdLoss(tf.tensor1d(zs), tf.tensor1d(zt), T).dataSync()[0]!;
    expect(got).toBeCloseTo(want, 5);
    expect(kdLossValue(Float32Array.from(zs), Float32Array.from(zt), { kdLoss: "soft", temperature: T })).toBeCloseTo(want, 5);
  });

  it("logit matching is the mean squared difference of logits", () => {
    const got = mseKdLoss(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 0, 0])).dataSync()[0]!;
    expect(got).toBeCloseTo((0 + 4 + 9) / 3, 6);
    expect(kdLossValue(Float32Array.from([1, 2, 3]), Float32Array.from([1, 0, 0]), { kdLoss: "mse", temperature: 5 })).toBeCloseTo(13 / 3, 6);
  });
});

describe("teacher ensembles", () => {
  it("the gate's weights are a softmax: positive and summing to 1 per sample", () => {
    const numFields = 5;
    const gate = buildTeacherGate({ numFields, totalRows: 50, rng: randomSource(1) }, 3, { ...GATE_DEFAULTS, input: "embedding+logits" }, LOGIT_MIX);
    const rng = randomSource(2);
    const n = 64;
    const ids = Int32Array.from({ length: n * numFields }, () => Math.floor(rng.next() * 50));
    const values = new Float32Array(n * numFields).fill(1);
    gate.tables[0]!.weights.forEach((_, i, w) => (w[i] = rng.normal()));
    const teachers = tf.tensor2d(Float32Array.from({ length: n * 3 }, () => rng.normal() * 3), [n, 3]);
    const out = gate.forward(gatherEmbeddings(gate, { ids, values, n, layout: unpooledLayout(numFields) }), false, teachers);
    const w = out.hidden!.arraySync();
    for (const row of w) {
      expect(row.every((x) => x > 0)).toBe(true);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    // The ensemble logit is the weighted sum of the teachers' logits.
    const t = teachers.arraySync();
    const logit = out.logit.arraySync();
    for (let i = 0; i < n; i++) expect(logit[i]!).toBeCloseTo(w[i]!.reduce((s, x, k) => s + x * t[i]![k]!, 0), 4);
    // Different samples get different weights: the gate is per sample, not global.
    expect(Math.abs(w[0]![0]! - w[1]![0]!)).toBeGreaterThan(1e-6);
  });

  it("learned global weights start equal and sum to 1", () => {
    const ens = buildWeightedEnsemble(randomSource(1), 4, LOGIT_MIX);
    const out = ens.forward([], false, tf.tensor2d([[1, 2, 3, 4]]));
    expect(out.hidden!.arraySync()[0]).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(out.logit.arraySync()[0]).toBeCloseTo(2.5, 6);
  });
});

describe("distillation", () => {
  const synthetic: SyntheticConfig = { seed: 5, rows: { train: 6000, valid: 1500, test: 4000 }, fields: 8, vocabSize: 20, interactions: 6, zipf: 1.0, ctr: 0.25 };
  const training = { batchSize: 256, epochs: 8, learningRate: 0.005, seed: 4, patience: 2, optimizer: "adam" as const, adamVariant: "pytorch" as const, embeddingUpdate: "lazy" as const };

  it("KD from a perfect teacher (the true click logits) beats training on labels alone", async () => {
    const data = await prepareData({ format: "csv", delimiter: ",", header: true, label: "click", features: [], synthetic }, { seed: 1 });
    const truth = generateSynthetic(synthetic);
    const logit = (p: Float64Array) => Float32Array.from(p, (x) => Math.log(x / (1 - x)));
    const student = { embeddingDim: 4, hiddenUnits: [32] };
    const splits = { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows };
    const labelsOnly = await trainOnLabels("DNN", { ...student, netDropout: 0, batchNorm: false }, splits, training, silentLogger, "s", 7);
    const distill = parseConfig({ data: { synthetic }, teachers: [{ model: "DNN" }], distill: { alpha: 0, temperature: 1, earlyStop: "kd-loss" } }).distill;
    const kd = await distillStudent({ ...splits, teacherTrain: logit(truth.train.probs), teacherValid: logit(truth.valid.probs) }, student, distill, training, silentLogger, "kd", 7);
    const t = data.test;
    const aucOf = (m: typeof kd) => evaluateLogits(t.labels, predictLogits(m.model, t)).auc;
    const [plain, taught] = [aucOf(labelsOnly), aucOf(kd)];
    expect(taught).toBeGreaterThan(plain + 0.01);
    // Early stopping by KD loss: the monitored score is the negated validation KD loss.
    for (const e of kd.fit.history) expect(e.score).toBeCloseTo(-e.metrics.kd!, 10);
  });
});

describe("distill configuration", () => {
  it("names the path of a bad or unknown key", () => {
    const base = { data: { synthetic: { rows: { train: 10, valid: 10, test: 10 } } }, teachers: [{ model: "DNN" }] };
    expect(() => parseConfig({ ...base, distill: { alpha: 2 } })).toThrow(/config\.distill\.alpha: expected a number in \[0, 1\], got 2/);
    expect(() => parseConfig({ ...base, distill: { temprature: 2 } })).toThrow(/config\.distill\.temprature: unknown key/);
    expect(() => parseConfig({ ...base, distill: { gate: { input: "hidden" } } })).toThrow(/config\.distill\.gate\.input: expected one of embedding, logits, embedding\+logits/);
  });
});
