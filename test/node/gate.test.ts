import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { parseConfig } from "../../sdk/config";
import type { DistillConfig } from "../../sdk/config-types";
import type { EncodedDataset } from "../../sdk/data/dataset";
import type { PreparedData } from "../../sdk/data/prepare";
import { mulberry32 } from "../../sdk/data/prng";
import { staticEnsemble } from "../../sdk/distill/ensemble";
import { mixTeachers } from "../../sdk/distill/ensemble-target";
import { buildTeacherGate, GATE_DEFAULTS } from "../../sdk/distill/gate";
import { kdLossValue } from "../../sdk/distill/kd-loss";
import { trainLearnedEnsemble } from "../../sdk/distill/learned-ensemble";
import { randomSource } from "../../sdk/layers/random";
import { silentLogger } from "../../sdk/log";
import { unpooledLayout } from "../../sdk/runtime/slots";
import { gatherEmbeddings } from "../../sdk/train/step";

beforeAll(async () => {
  await selectBackend("cpu");
});

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Two regions of the input space (field 0 is 0 or 1; field 1 one of 40 ids whose parity sets the true logit ±2.5).
 * Teacher A is right on region 0 and exactly wrong (the negated logit) on region 1; teacher B the reverse. Only
 * the region tells which teacher to trust: the teachers' logits alone are the same pair (a, −a) in both.
 */
function regionData(n: number, seed: number): { ds: EncodedDataset; region: Uint8Array; a: Float32Array; b: Float32Array } {
  const rand = mulberry32(seed);
  const ids = new Int32Array(n * 2);
  const labels = new Float32Array(n);
  const region = new Uint8Array(n);
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    region[i] = rand() < 0.5 ? 0 : 1;
    const item = 2 + Math.floor(rand() * 40);
    const z = item % 2 === 1 ? 2.5 : -2.5;
    ids[2 * i] = region[i]!;
    ids[2 * i + 1] = item;
    labels[i] = rand() < sigmoid(z) ? 1 : 0;
    a[i] = region[i] === 0 ? z : -z;
    b[i] = -a[i]!;
  }
  return { ds: { n, layout: unpooledLayout(2), ids, values: new Float32Array(n * 2).fill(1), labels }, region, a, b };
}

const TRAINING = parseConfig({ data: { synthetic: { rows: { train: 10, valid: 10, test: 10 } } }, teachers: [{ model: "LR" }] }).training;
const DISTILL: Pick<DistillConfig, "gate" | "ensembleTarget" | "temperature"> = { gate: { ...GATE_DEFAULTS, hiddenUnits: [...GATE_DEFAULTS.hiddenUnits] }, ensembleTarget: "logit", temperature: 1 };

describe("the teacher gate, trained on two region-specific teachers", () => {
  it.each(["logit", "probability"] as const)("routes more than 0.9 of the weight to the right teacher in each region (fitted on half of valid, ensembleTarget %s)", async (ensembleTarget) => {
    const train = regionData(2000, 1);
    const valid = regionData(8000, 2);
    const data = { train: train.ds, valid: valid.ds, test: valid.ds, featureMap: { totalRows: 42 } } as unknown as PreparedData;
    const teachers = { names: ["A", "B"], train: [train.a, train.b], valid: [valid.a, valid.b], validAuc: [0.5, 0.5] };
    const ensemble = await trainLearnedEnsemble("gating", teachers, data, { ...TRAINING, batchSize: 256, epochs: 10 }, { ...DISTILL, ensembleTarget, temperature: 2 }, silentLogger);
    const w = ensemble.perSampleValid!;
    const right = [0, 0];
    const count = [0, 0];
    for (let i = 0; i < valid.ds.n; i++) {
      const r = valid.region[i]!;
      right[r]! += w[2 * i + r]!;
      count[r]!++;
    }
    expect(right[0]! / count[0]!, "weight of teacher A on region 0").toBeGreaterThan(0.9);
    expect(right[1]! / count[1]!, "weight of teacher B on region 1").toBeGreaterThan(0.9);
    // The routed ensemble is right everywhere, so its logit follows the true one on the training rows too.
    const agree = ensemble.train.reduce((k, z, i) => k + (Math.sign(z) === Math.sign(train.region[i] === 0 ? train.a[i]! : train.b[i]!) ? 1 : 0), 0);
    expect(agree / train.ds.n).toBeGreaterThan(0.95);
  });

  it('with input "logits" the gate has no table of its own and sees only the teachers\' logits', () => {
    const gate = buildTeacherGate({ numFields: 2, totalRows: 42, rng: randomSource(3) }, 2, { ...DISTILL.gate, input: "logits" }, DISTILL);
    expect(gate.tables).toHaveLength(0);
    const { ds, a, b } = regionData(8, 4);
    const logits = tf.tensor2d(Array.from(a, (z, i) => [z, b[i]!]));
    const out = gate.forward(gatherEmbeddings(gate, ds), false, logits);
    // Rows with the same pair of logits get the same weights, whatever their ids.
    const w = out.hidden!.arraySync();
    const pairs = new Map<number, number[]>();
    w.forEach((row, i) => {
      const seen = pairs.get(a[i]!);
      if (seen === undefined) pairs.set(a[i]!, row);
      else row.forEach((x, k) => expect(x).toBeCloseTo(seen[k]!, 6));
    });
    tf.dispose([logits, out.logit, out.hidden!]);
  });
});

describe("the ensemble target (distill.ensembleTarget)", () => {
  const z = [
    [2.0, -1.0, 0.5],
    [-3.0, 4.0, 0.0],
    [0.2, 0.1, -6.0],
  ];
  const w = [
    [0.2, 0.5, 0.3],
    [0.6, 0.1, 0.3],
    [1 / 3, 1 / 3, 1 / 3],
  ];

  it("logit mixes the logits; probability mixes the tempered probabilities and returns T·logit of the mixture", () => {
    for (const T of [1, 2, 5]) {
      const logit = mixTeachers(tf.tensor2d(w), tf.tensor2d(z), { ensembleTarget: "logit", temperature: T }).arraySync();
      const prob = mixTeachers(tf.tensor2d(w), tf.tensor2d(z), { ensembleTarget: "probability", temperature: T }).arraySync();
      z.forEach((row, i) => {
        expect(logit[i]).toBeCloseTo(row.reduce((s, x, k) => s + w[i]![k]! * x, 0), 5);
        const p = row.reduce((s, x, k) => s + w[i]![k]! * sigmoid(x / T), 0);
        expect(prob[i]).toBeCloseTo(T * Math.log(p / (1 - p)), 4);
      });
    }
  });

  it("soft KD against the probability target is the weighted sum of the per-teacher KD losses", () => {
    const T = 2;
    const student = Float32Array.from([0.7, -1.5, 2.2]);
    const cfg = { kdLoss: "soft" as const, temperature: T };
    const target = mixTeachers(tf.tensor2d(w), tf.tensor2d(z), { ensembleTarget: "probability", temperature: T }).dataSync() as Float32Array;
    for (let i = 0; i < 3; i++) {
      const perTeacher = z[i]!.reduce((s, x, k) => s + w[i]![k]! * kdLossValue(student.subarray(i, i + 1), Float32Array.of(x), cfg), 0);
      expect(kdLossValue(student.subarray(i, i + 1), target.subarray(i, i + 1), cfg)).toBeCloseTo(perTeacher, 4);
    }
  });

  it("the mean of two opposite confident teachers is a confident mixture of logits but an uncertain mixture of probabilities", () => {
    const teachers = { names: ["A", "B"], train: [Float32Array.of(6), Float32Array.of(-2)], valid: [Float32Array.of(6), Float32Array.of(-2)], validAuc: [0.6, 0.7] };
    expect(staticEnsemble("mean", teachers, { ensembleTarget: "logit", temperature: 1 }).train[0]).toBeCloseTo(2, 5);
    const p = (sigmoid(6) + sigmoid(-2)) / 2;
    expect(staticEnsemble("mean", teachers, { ensembleTarget: "probability", temperature: 1 }).train[0]).toBeCloseTo(Math.log(p / (1 - p)), 4);
    // "best" is the one teacher either way.
    expect(staticEnsemble("best", teachers, { ensembleTarget: "probability", temperature: 3 }).valid[0]).toBeCloseTo(-2, 3);
  });
});
