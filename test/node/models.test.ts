import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import type { Batch } from "../../sdk/data/batches";
import { sequentialBatches } from "../../sdk/data/batches";
import { prepareData, type PreparedData } from "../../sdk/data/prepare";
import { randomSource } from "../../sdk/layers/random";
import { silentLogger } from "../../sdk/log";
import { type CtrModel, disposeModel } from "../../sdk/models/model";
import { buildModel, listModels, resolveModel } from "../../sdk/models/zoo";
import { DenseOptimizer } from "../../sdk/train/dense-optimizer";
import { evaluateLogits } from "../../sdk/train/evaluate";
import { DEFAULT_OPTIMIZER } from "../../sdk/train/optimizer-config";
import { predictLogits, trainStep, gatherEmbeddings } from "../../sdk/train/step";
import { bceLoss, trainOnLabels } from "../../sdk/train/train-teacher";
import { unpooledLayout } from "../../sdk/runtime/slots";

/** The twelve models of the zoo, under the names the field uses. */
const ZOO = ["LR", "FM", "DNN", "WideDeep", "DeepFM", "NFM", "IPNN", "DCN", "DCNv2", "xDeepFM", "AutoInt+", "FiBiNET"];

/** Width of the tiny MLPs, and so of every hint layer. */
const HIDDEN = 8;
const MLP = { embeddingDim: 4, hiddenUnits: [16, HIDDEN] };

/** Tiny hyperparameters per model, so that the whole file runs in seconds. */
const TINY: Record<string, Record<string, unknown>> = {
  LR: {},
  FM: { embeddingDim: 4 },
  DNN: MLP,
  WideDeep: MLP,
  DeepFM: MLP,
  NFM: MLP,
  IPNN: MLP,
  DCN: { ...MLP, numCrossLayers: 2 },
  DCNv2: { ...MLP, numCrossLayers: 2 },
  xDeepFM: { ...MLP, cinHiddenUnits: [4, 4] },
  "AutoInt+": { ...MLP, attentionLayers: 2, numHeads: 2, attentionDim: 4 },
  FiBiNET: MLP,
};

/** Models without an MLP have no hint layer. */
const NO_HINT = new Set(["LR", "FM"]);

const SYNTHETIC = { seed: 7, rows: { train: 2000, valid: 300, test: 1000 }, fields: 6, vocabSize: 20, interactions: 3, zipf: 1, ctr: 0.3 };
const NUM_FIELDS = SYNTHETIC.fields;
const LAYOUT = unpooledLayout(NUM_FIELDS);

let data: PreparedData;
let batch: Batch;

beforeAll(async () => {
  await selectBackend();
  data = await prepareData({ format: "csv", delimiter: ",", header: true, label: "click", features: [], synthetic: SYNTHETIC }, { seed: 1 });
  batch = sequentialBatches(data.train, 64).next().value as Batch;
});

function build(name: string, overrides: Record<string, unknown> = TINY[name]!): CtrModel {
  return buildModel(name, overrides, { numFields: NUM_FIELDS, totalRows: data.featureMap.totalRows, rng: randomSource(3) });
}

/** Runs `fn` in a tf scope that frees every tensor it made, and returns its plain (non-tensor) result. */
function peek<T>(fn: () => T): T {
  let result: T;
  tf.tidy(() => {
    result = fn();
  });
  return result!;
}

/** The BCE of `batch` under the model in inference mode. */
function batchLoss(model: CtrModel): number {
  return peek(() => {
    const out = model.forward(gatherEmbeddings(model, { ...batch, layout: LAYOUT }), false);
    return bceLoss(out.logit, tf.tensor1d(batch.labels)).dataSync()[0]!;
  });
}

describe("the model zoo", () => {
  it("registers the twelve models the paper's comparison uses, each with a description and defaults", () => {
    expect(listModels().map((m) => m.name).sort()).toEqual([...ZOO].sort());
    for (const m of listModels()) {
      expect(m.description.length).toBeGreaterThan(20);
      expect(m.defaults.embeddingRegularizer).toBe(1e-5);
    }
    expect(listModels().find((m) => m.name === "WideDeep")!.description).toContain("Wide&Deep");
  });

  it("gives models with an MLP FuxiCTR's BARS defaults: embeddingDim 10, hiddenUnits [400, 400, 400], no dropout or batch norm", () => {
    for (const m of listModels().filter((d) => !NO_HINT.has(d.name)))
      expect({ name: m.name, ...m.defaults }).toMatchObject({ name: m.name, embeddingDim: 10, hiddenUnits: [400, 400, 400], netDropout: 0, batchNorm: false });
  });

  it("rejects a misspelt hyperparameter, naming its config path and the known names", () => {
    expect(() => resolveModel("DCN", { numCrossLayer: 2 }, "config.teachers[3]")).toThrow(/^config\.teachers\[3\]\.numCrossLayer: 'DCN' has no hyperparameter 'numCrossLayer'; it has .*numCrossLayers/);
    expect(() => resolveModel("AutoInt+", { numHeads: "2" }, "config.teachers[0]")).toThrow(/^config\.teachers\[0\]\.numHeads: expected a number, got "2"/);
  });

  it("rejects values outside a hyperparameter's range when the model is built", () => {
    expect(() => build("DCNv2", { modelStructure: "stacked_parallel" })).toThrow(/^DCNv2\.modelStructure: expected one of "parallel", "stacked", "crossnet_only", got "stacked_parallel"/);
    expect(() => build("FiBiNET", { bilinearType: "field-all" })).toThrow(/^FiBiNET\.bilinearType: expected one of "field_all"/);
    expect(() => build("AutoInt+", { attentionDim: 5, numHeads: 2 })).toThrow(/^AutoInt\+\.attentionDim: expected a multiple of numHeads \(2\), got 5/);
    expect(() => build("xDeepFM", { cinHiddenUnits: [] })).toThrow(/^xDeepFM\.cinHiddenUnits/);
  });
});

describe.each(ZOO)("%s", (name) => {
  it("builds, and a forward pass gives finite logits [B] and a hint layer [B, H] (none without an MLP)", () => {
    const model = build(name);
    expect(model.name).toBe(name);
    for (const training of [true, false]) {
      const { logit, hidden } = peek(() => {
        const out = model.forward(gatherEmbeddings(model, { ...batch, layout: LAYOUT }), training);
        return { logit: out.logit.arraySync(), hidden: out.hidden === null ? null : { shape: out.hidden.shape, values: Array.from(out.hidden.dataSync()) } };
      });
      expect(logit).toHaveLength(batch.n);
      expect(logit.every(Number.isFinite)).toBe(true);
      if (NO_HINT.has(name)) expect(hidden).toBeNull();
      else {
        expect(hidden!.shape).toEqual([batch.n, HIDDEN]);
        expect(hidden!.values.every(Number.isFinite)).toBe(true);
      }
    }
    disposeModel(model);
  });

  it("a training step lowers the loss of its batch and leaves no tensor behind", () => {
    const model = build(name);
    const optimizer = new DenseOptimizer({ ...DEFAULT_OPTIMIZER, learningRate: 0.01 });
    const options = { layout: LAYOUT, clipNorm: 10, optimizer, sparse: optimizer.config };
    const loss = (out: { logit: tf.Tensor1D }, labels: tf.Tensor1D) => bceLoss(out.logit, labels);
    // Step 1 creates the optimizer's slots, which persist by design; steps 2 and 3 must add nothing.
    trainStep(model, batch, loss, options);
    const before = batchLoss(model);
    const tensors = tf.memory().numTensors;
    trainStep(model, batch, loss, options);
    expect(tf.memory().numTensors).toBe(tensors);
    const after = batchLoss(model);
    trainStep(model, batch, loss, options);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(after).toBeLessThan(before);
    optimizer.dispose();
    disposeModel(model);
  });

  it("learns the synthetic click log: test AUC > 0.6 after 3 epochs on 2,000 rows", async () => {
    const trained = await trainOnLabels(name, TINY[name]!, { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows }, { batchSize: 128, epochs: 3, learningRate: 0.01, seed: 1, patience: 2, optimizer: "adam", adamVariant: "pytorch", embeddingUpdate: "lazy" }, silentLogger, "test", 0);
    const t = data.test;
    const { auc } = evaluateLogits(t.labels, predictLogits(trained.model, t));
    expect(auc).toBeGreaterThan(0.6);
    disposeModel(trained.model);
  });
});

describe("model variants", () => {
  it("DCNv2 builds stacked (hint from the MLP) and crossnet_only (no hint)", () => {
    for (const [structure, hint] of [["stacked", [batch.n, HIDDEN]], ["crossnet_only", null]] as const) {
      const model = build("DCNv2", { ...TINY.DCNv2, modelStructure: structure });
      const shape = peek(() => model.forward(gatherEmbeddings(model, { ...batch, layout: LAYOUT }), false).hidden?.shape ?? null);
      expect(shape).toEqual(hint);
      disposeModel(model);
    }
  });

  it("FiBiNET builds with field_each and field_interaction matrices, whose parameter counts grow with the fields and pairs", () => {
    const counts = (["field_all", "field_each", "field_interaction"] as const).map((bilinearType) => {
      const model = build("FiBiNET", { ...TINY.FiBiNET, bilinearType });
      const logit = peek(() => Array.from(model.forward(gatherEmbeddings(model, { ...batch, layout: LAYOUT }), false).logit.dataSync()));
      expect(logit.every(Number.isFinite)).toBe(true);
      const n = model.params.entries().filter(([k]) => k.startsWith("bilinear/")).reduce((s, [, v]) => s + v.size, 0);
      disposeModel(model);
      return n;
    });
    const [D, F] = [4, NUM_FIELDS];
    expect(counts).toEqual([2 * D * D, 2 * (F - 1) * D * D, 2 * ((F * (F - 1)) / 2) * D * D]);
  });
});
