import * as tf from "@tensorflow/tfjs-core";
import type { DistillConfig, StudentConfig, TrainingConfig } from "../config-types";
import type { Batch } from "../data/batches";
import { subsetDataset, type EncodedDataset, type RowDataset } from "../data/dataset";
import { deriveSeed } from "../data/prng";
import { UserError } from "../errors";
import { randomSource } from "../layers/random";
import type { EmbeddingRemap } from "../runtime/embedding-remap";
import type { Logger } from "../log";
import { countParams, type CtrModel } from "../models/model";
import { buildModel } from "../models/zoo";
import { evaluateLogits } from "../train/evaluate";
import { fit } from "../train/fit";
import { predictLogits } from "../train/step";
import { fitSettings, type TrainedModel } from "../train/train-teacher";
import { distillationLoss, kdLossValue } from "./kd-loss";
import { splitValidation } from "./validation-split";

/**
 * Where hint targets come from: v_t for the rows of a batch, [n, dim], computed as the batch is trained (a
 * frozen teacher's forward pass), so no [n_train, dim] array is ever held.
 */
export interface HintSource {
  dim: number;
  /** The teacher whose hidden layer gives the hints, for the log. */
  teacher: string;
  targets(batch: Batch): tf.Tensor2D;
}

/**
 * Hint regularisation (FitNets; Zhu et al. §3): β·mean‖v_t − W·v_s‖² between a teacher's hidden layer v_t and
 * the student's last hidden layer v_s, through a projection W learned with the student.
 */
function hintTerm(model: CtrModel, source: HintSource | undefined, weight: number): (hidden: tf.Tensor2D, batch: Batch) => tf.Scalar {
  if (source === undefined) throw new Error("distillStudent: distill.hint is on but no hint source was given");
  const studentDim = model.params.get("mlp/dense_" + String(countHidden(model) - 1) + "/kernel").shape[1]!;
  const projection = model.params.add(HINT_PROJECTION, [studentDim, source.dim], "glorot");
  return (hidden, batch) => tf.losses.meanSquaredError(source.targets(batch), tf.matMul(hidden, projection as tf.Tensor2D)).mul(weight) as tf.Scalar;
}

function countHidden(model: CtrModel): number {
  return model.params.entries().filter(([name]) => /^mlp\/dense_\d+\/kernel$/.test(name)).length;
}

/** The student's hyperparameters as a DNN: its own embedding size and tower, no dropout, no batch norm. */
export function studentHyperparameters(student: StudentConfig): Record<string, unknown> {
  return { embeddingDim: student.embeddingDim, hiddenUnits: student.hiddenUnits, netDropout: 0, batchNorm: false };
}

export interface DistillInputs {
  train: RowDataset;
  valid: EncodedDataset;
  totalRows: number;
  /** The student's compact embedding (sdk/runtime/embedding-remap.ts), when `student.embedding` shrinks it. */
  remap?: EmbeddingRemap;
  /** The ensemble's logits for every row of train and valid, in row order. */
  teacherTrain: Float32Array;
  teacherValid: Float32Array;
  /** Hint targets per batch (needed when `distill.hint`). */
  hint?: HintSource;
}

/** Name of the learned projection W of hint regularisation, kept beside the student's own parameters. */
export const HINT_PROJECTION = "hint/projection";

/** Validation rows with their teacher logits: what the student trains on, or what its early stopping reads. */
export interface ValidationSlice {
  /** Rows of the validation split, sorted. */
  rows: Int32Array;
  ds: EncodedDataset;
  teacher: Float32Array;
}

/**
 * The validation split under `distill.validKdFraction` = f. The student also learns, through the KD term alone,
 * from the first ⌊n·f⌋ rows of the seeded order that the gate halves (splitValidation), against the teachers'
 * logits `teacherValid`; their labels are replaced by 0, so nothing of them is read. Early stopping reads the
 * other rows only. With f = 0 nothing is trained and the monitor is the whole split, as it is.
 */
export function validationSlices(valid: EncodedDataset, teacherValid: Float32Array, fraction: number, trainingSeed: number): { learn: ValidationSlice | null; monitor: ValidationSlice } {
  if (teacherValid.length !== valid.n) throw new RangeError(`validationSlices: 'teacherValid' has ${teacherValid.length} logits for ${valid.n} validation rows`);
  if (fraction === 0) return { learn: null, monitor: { rows: Int32Array.from({ length: valid.n }, (_, i) => i), ds: valid, teacher: teacherValid } };
  const slice = (rows: Int32Array): ValidationSlice => ({ rows, ds: subsetDataset(valid, rows), teacher: Float32Array.from(rows, (r) => teacherValid[r]!) });
  const [learnRows, monitorRows] = splitValidation(valid.n, fraction, trainingSeed);
  const learn = slice(learnRows);
  return { learn: { ...learn, ds: { ...learn.ds, labels: new Float32Array(learn.ds.n) } }, monitor: slice(monitorRows) };
}

/**
 * Trains the DNN student on L = α·BCE + (1 − α)·KD against precomputed teacher logits (teachers frozen).
 * Early stopping follows `distill.earlyStop`: the KD loss on validation data (it needs no labels), or AUC.
 * With `distill.validKdFraction` > 0, a seeded share of the validation rows joins the training batches with
 * their KD term only (validationSlices), and early stopping reads the rest.
 */
export async function distillStudent(
  inputs: DistillInputs,
  student: StudentConfig,
  distill: DistillConfig,
  training: TrainingConfig,
  log: Logger,
  label: string,
  index: number,
): Promise<TrainedModel> {
  const seed = deriveSeed(training.seed, index);
  const model = buildModel("DNN", studentHyperparameters(student), { numFields: inputs.train.layout.numFields, totalRows: inputs.totalRows, rng: randomSource(seed), remap: inputs.remap }, "student");
  const params = countParams(model);
  log(`distilling ${label} (${params.toLocaleString("en-US")} parameters, α ${distill.alpha}, T ${distill.temperature}, ${distill.kdLoss} KD, early stop by ${distill.earlyStop})`);
  const { teacherTrain } = inputs;
  const { learn, monitor } = validationSlices(inputs.valid, inputs.teacherValid, distill.validKdFraction, training.seed);
  if (learn !== null && "store" in inputs.train)
    throw new UserError(`distillStudent: distill.validKdFraction ${distill.validKdFraction} needs the train split in memory (its batches take in validation rows), not data.cache "disk"`);
  if (learn !== null) log(`  ${label}: KD on ${learn.rows.length} validation rows beside train, early stopping on the other ${monitor.rows.length}`);
  const hint = distill.hint ? hintTerm(model, inputs.hint, distill.hintWeight) : null;
  const trainRows = inputs.train.n;
  const result = await fit(model, {
    label,
    train: inputs.train,
    ...(learn === null ? {} : { alsoTrain: learn.ds }),
    ...fitSettings(training, seed),
    loss: (out, labels, batch) => {
      const teacher = new Float32Array(batch.n);
      // 1 for a training row, 0 for a validation row: its BCE is dropped.
      const labelled = learn === null ? null : new Float32Array(batch.n);
      for (let i = 0; i < batch.n; i++) {
        const r = batch.index[i]!;
        if (r < trainRows) {
          teacher[i] = teacherTrain[r]!;
          if (labelled !== null) labelled[i] = 1;
        } else teacher[i] = learn!.teacher[r - trainRows]!;
      }
      return tf.tidy(() => {
        const loss = distillationLoss(out.logit, labels, tf.tensor1d(teacher), distill, labelled === null ? undefined : tf.tensor1d(labelled));
        return hint === null ? loss : loss.add(hint(out.hidden!, batch));
      });
    },
    monitor: (m) => {
      const logits = predictLogits(m, monitor.ds);
      const metrics = evaluateLogits(monitor.ds.labels, logits);
      const kd = kdLossValue(logits, monitor.teacher, distill);
      const score = distill.earlyStop === "kd-loss" ? -kd : metrics.auc - metrics.logloss;
      return { score, metrics: { auc: metrics.auc, logloss: metrics.logloss, kd } };
    },
    log,
  });
  return { model, params, fit: result };
}
