import type { TrainingConfig } from "../config-types";
import type { PreparedData } from "../data/prepare";
import { subsetDataset } from "../data/dataset";
import { deriveSeed } from "../data/prng";
import { randomSource } from "../layers/random";
import type { Logger } from "../log";
import { disposeModel } from "../models/model";
import { evaluateLogits } from "../train/evaluate";
import { fit } from "../train/fit";
import { predictLogits, predictOutputs, type SideInput } from "../train/step";
import { bceLoss, fitSettings } from "../train/train-teacher";
import type { EnsembleLogits, EnsembleSettings, TeacherLogits } from "./ensemble";
import { buildTeacherGate, buildWeightedEnsemble } from "./gate";
import { splitValidation, VALIDATION_SPLIT_SEED_STREAM } from "./validation-split";

/**
 * Seed stream of the ensemble's own parameters, apart from the teachers' and the students'; its halves of the
 * validation split come from splitValidation, whose stream is this one.
 */
const ENSEMBLE_SEED_STREAM = VALIDATION_SPLIT_SEED_STREAM;

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

function subsetSide(side: SideInput, rows: Int32Array): SideInput {
  const values = new Float32Array(rows.length * side.dim);
  rows.forEach((r, i) => values.set(side.values.subarray(r * side.dim, (r + 1) * side.dim), i * side.dim));
  return { values, dim: side.dim };
}

/**
 * Learns how to combine frozen teachers: global softmax weights ("weighted") or a per-sample gate ("gating"),
 * fitted on labels with early stopping on the ensemble's AUC — on the training split with validation
 * stopping (`gate.data: "train"`), or on one half of the validation split stopped by the other ("valid").
 * The teachers are fixed, so this is a small convex-ish problem on top of their logits; the student is then
 * distilled from the resulting ensemble.
 */
export async function trainLearnedEnsemble(kind: "weighted" | "gating", teachers: TeacherLogits, data: PreparedData, training: TrainingConfig, distill: EnsembleSettings, log: Logger): Promise<EnsembleLogits> {
  const { gate } = distill;
  const m = teachers.names.length;
  const seed = deriveSeed(training.seed, ENSEMBLE_SEED_STREAM);
  const rng = randomSource(seed);
  const model =
    kind === "gating"
      ? buildTeacherGate({ numFields: data.train.layout.numFields, totalRows: data.featureMap.totalRows, rng }, m, gate, distill)
      : buildWeightedEnsemble(rng, m, distill);
  const trainSide = teacherSide(teachers.train);
  const validSide = teacherSide(teachers.valid);
  const { valid } = data;
  // Which rows the weights are fitted on and which stop the fit: the training split (whose teacher logits are
  // over-confident where teachers overfit), or two seeded halves of the validation split.
  const halves = gate.data === "valid" ? splitValidation(valid.n, 0.5, training.seed) : null;
  const fitRows = halves === null ? { ds: data.train, side: trainSide } : { ds: subsetDataset(valid, halves[0]), side: subsetSide(validSide, halves[0]) };
  const stopRows = halves === null ? { ds: valid, side: validSide } : { ds: subsetDataset(valid, halves[1]), side: subsetSide(validSide, halves[1]) };
  log(`training the ${kind === "gating" ? `teacher gate (input: ${gate.input}, hidden ${JSON.stringify(gate.hiddenUnits)})` : "ensemble weights"} over ${teachers.names.join(", ")}`);
  try {
    await fit(model, {
      label: kind === "gating" ? "gate" : "weights",
      train: fitRows.ds,
      ...fitSettings({ ...training, learningRate: gate.learningRate }, seed),
      // Any gain counts: the ensemble's AUC moves in small steps.
      minDelta: 0,
      loss: (out, labels) => bceLoss(out.logit, labels),
      side: fitRows.side,
      monitor: (g) => {
        const { ds, side } = stopRows;
        const metrics = evaluateLogits(ds.labels, predictLogits(g, ds, side));
        return { score: metrics.auc - metrics.logloss, metrics: { auc: metrics.auc, logloss: metrics.logloss } };
      },
      log,
    });
    const t = data.train;
    const perSample = predictOutputs(model, valid, (o) => o.hidden!, m, validSide);
    const weights = new Array<number>(m).fill(0);
    for (let i = 0; i < valid.n; i++) for (let k = 0; k < m; k++) weights[k]! += perSample[i * m + k]! / valid.n;
    return {
      kind,
      train: predictLogits(model, t, trainSide),
      valid: predictLogits(model, valid, validSide),
      weights,
      perSampleValid: perSample,
    };
  } finally {
    disposeModel(model);
  }
}
