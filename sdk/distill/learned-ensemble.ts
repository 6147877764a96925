import type { TrainingConfig } from "../config-types";
import type { PreparedData } from "../data/prepare";
import { deriveSeed } from "../data/prng";
import { randomSource } from "../layers/random";
import type { Logger } from "../log";
import { disposeModel } from "../models/model";
import { evaluateLogits } from "../train/evaluate";
import { fit } from "../train/fit";
import { DEFAULT_OPTIMIZER } from "../train/optimizer-config";
import { predictLogits, predictOutputs, type SideInput } from "../train/step";
import { bceLoss, CLIP_NORM, LR_DECAY_FACTOR, MIN_DELTA, MIN_LEARNING_RATE } from "../train/train-teacher";
import type { EnsembleLogits, TeacherLogits } from "./ensemble";
import { buildTeacherGate, buildWeightedEnsemble, type GateConfig } from "./gate";

/** Seed stream of the ensemble's own parameters, apart from the teachers' and the students'. */
const ENSEMBLE_SEED_STREAM = 500;

/** Teachers' logits of one split as a row-major [n, M] side input. */
export function teacherSide(arrays: Float32Array[]): SideInput {
  const m = arrays.length;
  const n = arrays[0]!.length;
  const values = new Float32Array(n * m);
  arrays.forEach((a, t) => {
    for (let i = 0; i < n; i++) values[i * m + t] = a[i]!;
  });
  return { values, dim: m };
}

/**
 * Learns how to combine frozen teachers on the labels of the training split: global softmax weights
 * ("weighted") or a per-sample gate ("gating"), with early stopping on the validation AUC of the ensemble.
 * The teachers are fixed, so this is a small convex-ish problem on top of their logits; the student is then
 * distilled from the resulting ensemble.
 */
export function trainLearnedEnsemble(kind: "weighted" | "gating", teachers: TeacherLogits, data: PreparedData, training: TrainingConfig, gate: GateConfig, log: Logger): EnsembleLogits {
  const m = teachers.names.length;
  const seed = deriveSeed(training.seed, ENSEMBLE_SEED_STREAM);
  const rng = randomSource(seed);
  const model =
    kind === "gating"
      ? buildTeacherGate({ numFields: data.train.numFields, totalRows: data.featureMap.totalRows, rng }, m, gate)
      : buildWeightedEnsemble(rng, m);
  const trainSide = teacherSide(teachers.train);
  const validSide = teacherSide(teachers.valid);
  const { valid } = data;
  log(`training the ${kind === "gating" ? `teacher gate (input: ${gate.input}, hidden ${JSON.stringify(gate.hiddenUnits)})` : "ensemble weights"} over ${teachers.names.join(", ")}`);
  try {
    fit(model, {
      label: kind === "gating" ? "gate" : "weights",
      train: data.train,
      batchSize: training.batchSize,
      epochs: training.epochs,
      patience: training.patience,
      seed,
      optimizer: { ...DEFAULT_OPTIMIZER, learningRate: training.learningRate },
      clipNorm: CLIP_NORM,
      lrDecayFactor: LR_DECAY_FACTOR,
      minLearningRate: MIN_LEARNING_RATE,
      minDelta: MIN_DELTA,
      loss: (out, labels) => bceLoss(out.logit, labels),
      side: trainSide,
      monitor: (g) => {
        const metrics = evaluateLogits(valid.labels, predictLogits(g, valid.ids, valid.values, valid.n, valid.numFields, validSide));
        return { score: metrics.auc - metrics.logloss, metrics: { auc: metrics.auc, logloss: metrics.logloss } };
      },
      log,
    });
    const t = data.train;
    const perSample = predictOutputs(model, valid.ids, valid.values, valid.n, valid.numFields, (o) => o.hidden!, m, validSide);
    const weights = new Array<number>(m).fill(0);
    for (let i = 0; i < valid.n; i++) for (let k = 0; k < m; k++) weights[k]! += perSample[i * m + k]! / valid.n;
    return {
      kind,
      train: predictLogits(model, t.ids, t.values, t.n, t.numFields, trainSide),
      valid: predictLogits(model, valid.ids, valid.values, valid.n, valid.numFields, validSide),
      weights,
      perSampleValid: perSample,
    };
  } finally {
    disposeModel(model);
  }
}
