import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { parseConfig } from "../../sdk/config";
import type { DistillConfig, SyntheticConfig, TrainingConfig } from "../../sdk/config-types";
import { shuffledBatches, stackedShuffledBatches } from "../../sdk/data/batches";
import type { EncodedDataset } from "../../sdk/data/dataset";
import { disposeData, prepareData, type PreparedData } from "../../sdk/data/prepare";
import { mulberry32, shuffleInPlace } from "../../sdk/data/prng";
import { generateSynthetic } from "../../sdk/data/synthetic";
import { distillStudent, validationSlices, type HintSource } from "../../sdk/distill/distill";
import { distillationLoss } from "../../sdk/distill/kd-loss";
import { splitRows, splitValidation } from "../../sdk/distill/validation-split";
import { UserError } from "../../sdk/errors";
import { silentLogger } from "../../sdk/log";
import type { CtrModel } from "../../sdk/models/model";
import { unpooledLayout } from "../../sdk/runtime/slots";

beforeAll(async () => {
  await selectBackend("cpu");
});

const sorted = (a: Int32Array) => Array.from(a).sort((x, y) => x - y);
const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("the seeded split of the validation rows", () => {
  it("gives ⌊n·f⌋ and the rest: disjoint, sorted, covering every row, the same for a seed", () => {
    for (const [n, f] of [[0, 0.5], [1, 0.5], [7, 0.25], [100, 0.3], [101, 0.5], [64, 0]] as const) {
      const [a, b] = splitRows(n, f, 11);
      expect(a.length).toBe(Math.floor(n * f));
      expect(sorted(new Int32Array([...a, ...b]))).toEqual(iota(n));
      expect(Array.from(a)).toEqual(sorted(a));
      expect(Array.from(b)).toEqual(sorted(b));
      expect(splitRows(n, f, 11)).toEqual([a, b]);
    }
    expect(splitRows(100, 0.5, 11)[0]).not.toEqual(splitRows(100, 0.5, 12)[0]);
    expect(() => splitRows(10, 1.5, 1)).toThrow(/splitRows: 'fraction' must be in \[0, 1\], got 1.5/);
  });

  it("halves by the first ⌊n/2⌋ rows of one Fisher–Yates order, as the gate always has", () => {
    const order = Int32Array.from(iota(9));
    shuffleInPlace(order, mulberry32(5));
    expect(splitRows(9, 0.5, 5)).toEqual([order.slice(0, 4).sort(), order.slice(4).sort()]);
  });

  it("nests in the gate's halves: the student's trained rows lie in the gate's fitted half, its monitor holds the gate's stopping half", () => {
    const [fitHalf, stopHalf] = splitValidation(501, 0.5, 2020);
    for (const f of [0.1, 0.25, 0.5]) {
      const [learn, monitor] = splitValidation(501, f, 2020);
      const fit = new Set(fitHalf);
      expect(Array.from(learn).every((r) => fit.has(r))).toBe(true);
      const mon = new Set(monitor);
      expect(Array.from(stopHalf).every((r) => mon.has(r))).toBe(true);
    }
  });
});

describe("stacked batches", () => {
  const part = (n: number, first: number): EncodedDataset => ({
    n,
    layout: unpooledLayout(2),
    ids: Int32Array.from({ length: n * 2 }, (_, i) => first + (i >> 1)),
    values: new Float32Array(n * 2).fill(1),
    labels: Float32Array.from({ length: n }, (_, i) => first + i),
  });

  it("one part is the plain Fisher–Yates epoch over it", () => {
    const ds = part(23, 0);
    const got = [...shuffledBatches(ds, 5, mulberry32(3))].flatMap((b) => Array.from(b.index));
    const order = Int32Array.from(iota(23));
    shuffleInPlace(order, mulberry32(3));
    expect(got).toEqual(Array.from(order));
  });

  it("yields every row of every part once an epoch, indexed after the parts before it", () => {
    const a = part(13, 0);
    const b = part(6, 100);
    const seen: number[] = [];
    for (const batch of stackedShuffledBatches([a, part(0, 50), b], 4, mulberry32(9))) {
      for (let k = 0; k < batch.n; k++) {
        const r = batch.index[k]!;
        const want = r < 13 ? r : 100 + (r - 13);
        expect(batch.ids[k * 2]).toBe(want);
        expect(batch.labels[k]).toBe(want);
        seen.push(r);
      }
    }
    expect(seen.sort((x, y) => x - y)).toEqual(iota(19));
  });
});

describe("the distillation loss with unlabelled rows", () => {
  it("is the mean over rows of α·BCE on the labelled ones plus (1 − α)·KD on all, by hand", () => {
    const zs = [0.4, -1.1, 2.2, 0.0];
    const zt = [1.0, -0.2, 0.3, -2.0];
    const y = [1, 0, 1, 0];
    const labelled = [1, 0, 1, 0];
    const cfg = { alpha: 0.3, kdLoss: "soft" as const, temperature: 2 };
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const bce = (q: number, p: number) => -(q * Math.log(p) + (1 - q) * Math.log(1 - p));
    let want = 0;
    for (let i = 0; i < 4; i++) want += cfg.alpha * labelled[i]! * bce(y[i]!, sig(zs[i]!)) + (1 - cfg.alpha) * 4 * bce(sig(zt[i]! / 2), sig(zs[i]! / 2));
    want /= 4;
    const got = distillationLoss(tf.tensor1d(zs), tf.tensor1d(y), tf.tensor1d(zt), cfg, tf.tensor1d(labelled)).dataSync()[0]!;
    expect(got).toBeCloseTo(want, 5);
    // Marked all 1, it is the loss without marks; an unlabelled row's label counts for nothing.
    const plain = distillationLoss(tf.tensor1d(zs), tf.tensor1d(y), tf.tensor1d(zt), cfg).dataSync()[0]!;
    expect(distillationLoss(tf.tensor1d(zs), tf.tensor1d(y), tf.tensor1d(zt), cfg, tf.ones([4])).dataSync()[0]!).toBeCloseTo(plain, 6);
    expect(distillationLoss(tf.tensor1d(zs), tf.tensor1d([1, 1, 1, 1]), tf.tensor1d(zt), cfg, tf.tensor1d(labelled)).dataSync()[0]!).toBeCloseTo(got, 6);
  });
});

describe("distillation on validation rows (distill.validKdFraction)", () => {
  const synthetic: SyntheticConfig = { seed: 3, rows: { train: 1500, valid: 600, test: 10 }, fields: 6, vocabSize: 12, interactions: 4, zipf: 1.0, ctr: 0.3 };
  const config = parseConfig({
    data: { synthetic },
    teachers: [{ model: "DNN" }],
    student: { embeddingDim: 4, hiddenUnits: [16] },
    distill: { ensemble: "mean", alpha: 0.5, earlyStop: "kd-loss", validKdFraction: 0.5 },
    training: { batchSize: 128, epochs: 3, learningRate: 0.01, seed: 9, patience: 1 },
  });
  const truth = generateSynthetic(synthetic);
  // The teachers' logits: fixed arrays, as frozen teachers give (the true click logits, blurred).
  const logit = (p: Float64Array) => Float32Array.from(p, (x, i) => Math.log(x / (1 - x)) + 0.3 * Math.sin(i));
  const teacherTrain = logit(truth.train.probs);
  const teacherValid = logit(truth.valid.probs);
  let data: PreparedData;
  beforeAll(async () => {
    data = await prepareData(config.data, { seed: 1 });
  });

  function state(model: CtrModel): number[] {
    return [...model.params.entries().flatMap(([, v]) => Array.from(v.dataSync())), ...model.tables.flatMap((t) => Array.from(t.weights))];
  }

  type Change = { valid?: EncodedDataset; train?: EncodedDataset; teacherValid?: Float32Array; distill?: Partial<DistillConfig>; training?: Partial<TrainingConfig>; hint?: HintSource };
  async function student(change: Change = {}) {
    const distill = { ...config.distill, ...change.distill };
    const inputs = { train: change.train ?? data.train, valid: change.valid ?? data.valid, totalRows: data.featureMap.totalRows, teacherTrain, teacherValid: change.teacherValid ?? teacherValid, ...(change.hint ? { hint: change.hint } : {}) };
    const trained = await distillStudent(inputs, config.student, distill, { ...config.training, ...change.training }, silentLogger, "s", 1000);
    // Timings aside, what each epoch measured.
    return { state: state(trained.model), history: trained.fit.history.map(({ rowsPerSecond: _r, seconds: _s, ...e }) => e) };
  }
  const withLabels = (ds: EncodedDataset, rows: Iterable<number>, label: (y: number, r: number) => number): EncodedDataset => {
    const labels = Float32Array.from(ds.labels);
    for (const r of rows) labels[r] = label(labels[r]!, r);
    return { ...ds, labels };
  };
  const rows = () => validationSlices(data.valid, teacherValid, config.distill.validKdFraction, config.training.seed);

  it("takes ⌊n·f⌋ validation rows with their teachers' logits and unread (zero) labels, and monitors the disjoint rest", () => {
    const { learn, monitor } = rows();
    expect(learn!.rows.length).toBe(300);
    expect(sorted(new Int32Array([...learn!.rows, ...monitor.rows]))).toEqual(iota(600));
    expect(Array.from(learn!.teacher)).toEqual(Array.from(learn!.rows, (r) => teacherValid[r]!));
    expect(Array.from(monitor.teacher)).toEqual(Array.from(monitor.rows, (r) => teacherValid[r]!));
    expect(learn!.ds.labels.every((y) => y === 0)).toBe(true);
    expect(Array.from(monitor.ds.labels)).toEqual(Array.from(monitor.rows, (r) => data.valid.labels[r]!));
    const none = validationSlices(data.valid, teacherValid, 0, config.training.seed);
    expect(none.learn).toBeNull();
    expect(none.monitor.ds).toBe(data.valid);
  });

  it("the labels of the validation rows it trains on cannot change the student: flipped or permuted, the same weights", async () => {
    const { learn, monitor } = rows();
    const base = await student();
    const flipped = await student({ valid: withLabels(data.valid, learn!.rows, (y) => 1 - y) });
    expect(flipped.state).toEqual(base.state);
    expect(flipped.history).toEqual(base.history);
    const shuffled = Int32Array.from(learn!.rows);
    shuffleInPlace(shuffled, mulberry32(4));
    const permuted = await student({ valid: withLabels(data.valid, learn!.rows, (_, r) => data.valid.labels[shuffled[learn!.rows.indexOf(r)]!]!) });
    expect(permuted.state).toEqual(base.state);
    // Stopping by KD loss reads no labels of the monitored rows either; only the reported AUC moves.
    const monitorFlipped = await student({ valid: withLabels(data.valid, monitor.rows, (y) => 1 - y) });
    expect(monitorFlipped.state).toEqual(base.state);
    expect(monitorFlipped.history[0]!.metrics.auc).not.toBe(base.history[0]!.metrics.auc);
    // Not vacuous: the train split's labels do reach the student.
    const trainFlipped = await student({ train: withLabels(data.train as EncodedDataset, [0, 1, 2, 3, 4], (y) => 1 - y) });
    expect(trainFlipped.state).not.toEqual(base.state);
  });

  it("learns from the teachers' logits on its validation rows and stops on the others', which it does not train on", async () => {
    const { learn, monitor } = rows();
    const oneEpoch = { training: { epochs: 1 } };
    const bump = (at: Int32Array) => {
      const t = Float32Array.from(teacherValid);
      for (const r of at) t[r] = t[r]! + 3;
      return t;
    };
    const base = await student(oneEpoch);
    const monitorMoved = await student({ ...oneEpoch, teacherValid: bump(monitor.rows) });
    expect(monitorMoved.state).toEqual(base.state);
    expect(monitorMoved.history[0]!.metrics.kd).not.toBe(base.history[0]!.metrics.kd);
    const learnMoved = await student({ ...oneEpoch, teacherValid: bump(learn!.rows) });
    expect(learnMoved.state).not.toEqual(base.state);
    // At 0 (the default) the student trains on no validation row.
    const today = { ...oneEpoch, distill: { validKdFraction: 0 } };
    expect((await student({ ...today, teacherValid: bump(learn!.rows) })).state).toEqual((await student(today)).state);
  });

  it("gives hint targets for the validation rows it trains on too (from the batch's own ids)", async () => {
    let validRows = 0;
    const hint: HintSource = {
      dim: 3,
      teacher: "fake",
      targets: (batch) => {
        for (let k = 0; k < batch.n; k++) if (batch.index[k]! >= data.train.n) validRows++;
        return tf.zeros([batch.n, 3]);
      },
    };
    await student({ hint, distill: { hint: true }, training: { epochs: 1 } });
    expect(validRows).toBe(rows().learn!.rows.length);
  });

  it("refuses a train split on disk, naming the key", async () => {
    const disk = await prepareData({ ...config.data, cache: "disk" }, { seed: 1 });
    try {
      const run = distillStudent({ train: disk.train, valid: disk.valid, totalRows: disk.featureMap.totalRows, teacherTrain, teacherValid }, config.student, config.distill, config.training, silentLogger, "s", 1000);
      await expect(run).rejects.toThrow(UserError);
      await expect(run).rejects.toThrow(/distill\.validKdFraction 0\.5 needs the train split in memory/);
    } finally {
      disposeData(disk);
    }
  });
});

describe("distill.validKdFraction in the configuration", () => {
  const base = { data: { synthetic: { rows: { train: 10, valid: 10, test: 10 } } }, teachers: [{ model: "DNN" }] };

  it("defaults to 0 and takes [0, 1)", () => {
    expect(parseConfig(base).distill.validKdFraction).toBe(0);
    expect(parseConfig({ ...base, distill: { validKdFraction: 0.5 } }).distill.validKdFraction).toBe(0.5);
    expect(() => parseConfig({ ...base, distill: { validKdFraction: 1 } })).toThrow(/config\.distill\.validKdFraction: expected a number/);
    expect(() => parseConfig({ ...base, distill: { validKdFraction: -0.1 } })).toThrow(/config\.distill\.validKdFraction: expected a number/);
  });

  it("is refused with joint training and with the train split on disk", () => {
    expect(() => parseConfig({ ...base, distill: { validKdFraction: 0.5, teacherTraining: "joint", ensemble: "mean" } })).toThrow(
      /config\.distill\.validKdFraction: not supported with distill\.teacherTraining "joint"/,
    );
    expect(() => parseConfig({ ...base, data: { ...base.data, cache: "disk" }, distill: { validKdFraction: 0.5 } })).toThrow(/config\.distill\.validKdFraction: not supported with data\.cache "disk"/);
    expect(parseConfig({ ...base, data: { ...base.data, cache: "disk" } }).distill.validKdFraction).toBe(0);
  });
});
