import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEER_VARIANTS, peerArgs, runPeer } from "../../bench/accuracy";
import { readLogits, writeBatchOrder, writeHandoff, writeWeights, type HandoffSplit } from "../../bench/accuracy-handoff";
import { hasTorch, PYTHON } from "../../bench/torch-peer";
import { selectBackend } from "../../sdk/backend";
import { parseConfig } from "../../sdk/config";
import type { EncodedDataset } from "../../sdk/data/dataset";
import { deriveSeed, mulberry32 } from "../../sdk/data/prng";
import { randomSource } from "../../sdk/layers/random";
import { silentLogger } from "../../sdk/log";
import { disposeModel } from "../../sdk/models/model";
import { buildModel, resolveModel } from "../../sdk/models/zoo";
import { packageRoot } from "../../sdk/package-root";
import { unpooledLayout } from "../../sdk/runtime/slots";
import { predictLogits } from "../../sdk/train/step";
import { trainOnLabels } from "../../sdk/train/train-teacher";

/** The peer needs Debian's torch (`apt-get install python3-torch`); npm test must pass without it. */
const TORCH = hasTorch();
const TITLE = `the PyTorch accuracy peer (bench/peers/torch_accuracy.py)${TORCH ? "" : `: skipped, '${PYTHON} -c "import torch"' fails (apt-get install python3-torch runs it)`}`;
if (!TORCH) process.stderr.write(`${TITLE}\n`);

const FIELDS = 3;
/** Rows per field: field f owns embedding rows [f·VOCAB, (f+1)·VOCAB). */
const VOCAB = 7;
const TOTAL_ROWS = FIELDS * VOCAB;

/** `n` rows whose label depends on an interaction of fields 0 and 1, with distinct non-unit values (so a transposed read shows). */
function makeSplit(n: number, seed: number): EncodedDataset {
  const rand = mulberry32(seed);
  const ids = new Int32Array(n * FIELDS);
  const values = new Float32Array(n * FIELDS);
  const labels = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < FIELDS; f++) {
      ids[r * FIELDS + f] = f * VOCAB + Math.floor(rand() * rand() * VOCAB);
      values[r * FIELDS + f] = f === 2 ? 0.5 + rand() : 1;
    }
    const a = ids[r * FIELDS]! % VOCAB;
    const b = ids[r * FIELDS + 1]! % VOCAB;
    labels[r] = rand() < ((a + b) % 3 === 0 ? 0.8 : 0.2) ? 1 : 0;
  }
  return { ids, values, labels, n, layout: unpooledLayout(FIELDS) };
}

/** Our model hyperparameters among `wanted` that `model` has (LR has no MLP, FM no hidden units). */
function overridesFor(model: string, wanted: Record<string, unknown>): Record<string, unknown> {
  const { def } = resolveModel(model, {}, model);
  return Object.fromEntries(Object.entries(wanted).filter(([k]) => k in def.defaults));
}

describe.skipIf(!TORCH)(TITLE, () => {
  let dir: string;
  const splits: Record<HandoffSplit, EncodedDataset> = { train: makeSplit(640, 1), valid: makeSplit(200, 2), test: makeSplit(300, 3) };

  beforeAll(async () => {
    await selectBackend("cpu");
    dir = mkdtempSync(join(tmpdir(), "ctr-distill-peer-test-"));
    writeHandoff(dir, splits, TOTAL_ROWS);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads every id, value and label of each split back in row order, as written", () => {
    const r = spawnSync(PYTHON, [join(packageRoot(), "bench", "peers", "torch_accuracy.py"), "--data", dir, "--check"], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(r.stderr).toBe("");
    const read = JSON.parse(r.stdout) as Record<HandoffSplit, { ids: number[][]; values: number[][]; labels: number[] }>;
    for (const s of ["train", "valid", "test"] as const) {
      const d = splits[s];
      expect(read[s].ids.flat(), `${s} ids`).toEqual([...d.ids]);
      expect(read[s].ids[0], `${s}: row 0 holds F ids`).toHaveLength(FIELDS);
      expect(read[s].values.flat(), `${s} values`).toEqual([...d.values]);
      expect(read[s].labels, `${s} labels`).toEqual([...d.labels]);
    }
  });

  it("scores our initial weights as ours does, for LR, FM, DNN, DeepFM, DCN and DCNv2 (a missing FM, linear or cross term shows)", async () => {
    // Weights far from FuxiCTR's 1e-4 so that every term of the logit weighs; two cross layers, so that a cross
    // layer that ignores x0 or its input x_l shows.
    const wanted = { embeddingDim: 4, hiddenUnits: [5, 3], embeddingInitStd: 0.3, numCrossLayers: 2 };
    const cases: [string, Record<string, unknown>][] = [
      ["LR", {}],
      ["FM", {}],
      ["DNN", {}],
      ["DeepFM", {}],
      ["DCN", {}],
      ["DCN", { hiddenUnits: [] }],
      ["DCNv2", { modelStructure: "parallel" }],
      ["DCNv2", { modelStructure: "stacked" }],
      ["DCNv2", { modelStructure: "crossnet_only" }],
    ];
    for (const [model, extra] of cases) {
      const overrides = { ...overridesFor(model, wanted), ...extra };
      const label = `${model} ${JSON.stringify(extra)}`;
      const ours = buildModel(model, overrides, { numFields: FIELDS, totalRows: TOTAL_ROWS, rng: randomSource(7) });
      // Biases start at zero: give them values so that a dropped or misplaced bias shows too.
      for (const [name, v] of ours.params.entries()) if (name.endsWith("bias")) v.assign(v.add(0.25));
      writeWeights(dir, ours);
      const expected = predictLogits(ours, splits.test);
      disposeModel(ours);
      const training = parseConfig({ data: { synthetic: { rows: { train: 10, valid: 10, test: 10 } } }, teachers: [{ model: "LR" }], training: { epochs: 1 } }).training;
      const out = join(dir, `${model}.logits.f32`);
      const args = peerArgs(dir, model, overrides, { ...training, epochs: 0 }, 1, PEER_VARIANTS.torch!, out);
      await runPeer(args, () => {});
      const theirs = readLogits(out, splits.test.n);
      const spread = Math.max(...expected) - Math.min(...expected);
      expect(spread, `${label}: the case must exercise the logit`).toBeGreaterThan(0.1);
      for (let i = 0; i < expected.length; i++) expect(theirs[i], `${label} row ${i}`).toBeCloseTo(expected[i]!, 5);
    }
  });

  it("mirrors our training: same start, same batches, lazy rows per-row bias-corrected, decay, early stop and restore", async () => {
    const model = "DeepFM";
    // A strong L2 so that a missing or misplaced regulariser shows.
    const overrides = { embeddingDim: 4, hiddenUnits: [8], embeddingRegularizer: 0.01 };
    // A learning rate large enough that the rows move, a plateau early enough that the decay and the restore run.
    const training = parseConfig({
      data: { synthetic: { rows: { train: 10, valid: 10, test: 10 } } },
      teachers: [{ model: "LR" }],
      training: { batchSize: 64, epochs: 6, learningRate: 0.05, seed: 11, patience: 3 },
    }).training;
    const seed = deriveSeed(training.seed, 1);
    const twin = buildModel(model, overrides, { numFields: FIELDS, totalRows: TOTAL_ROWS, rng: randomSource(seed) });
    writeWeights(dir, twin);
    disposeModel(twin);
    writeBatchOrder(dir, splits.train, training.batchSize, seed, training.epochs);
    const trained = await trainOnLabels(model, overrides, { train: splits.train, valid: splits.valid, totalRows: TOTAL_ROWS }, training, silentLogger, model, 1);
    const expected = predictLogits(trained.model, splits.test);
    disposeModel(trained.model);
    // The case must reach a plateau: the rate decays, training stops early and an earlier epoch is restored.
    const history = trained.fit.history;
    expect(history.some((h) => h.learningRate < training.learningRate), "the learning rate decays").toBe(true);
    expect(trained.fit.stoppedEarly && trained.fit.bestEpoch < history.length, "stops early, restores an earlier epoch").toBe(true);
    const out = join(dir, "mirror.logits.f32");
    const summary = await runPeer(peerArgs(dir, model, overrides, training, seed, PEER_VARIANTS.torch!, out), () => {});
    expect(summary.bestEpoch).toBe(trained.fit.bestEpoch);
    const theirs = readLogits(out, splits.test.n);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(theirs[i]! - expected[i]!));
    expect(worst, "largest |logit difference| over the test rows").toBeLessThan(1e-3);
  });
});
