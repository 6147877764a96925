import * as tf from "@tensorflow/tfjs-core";
import type { RunConfig } from "../config-types";
import { shuffledBatches } from "../data/batches";
import type { PreparedData } from "../data/prepare";
import { deriveSeed, mulberry32 } from "../data/prng";
import { UserError } from "../errors";
import { randomSource } from "../layers/random";
import type { Logger } from "../log";
import { countParams, type CtrModel } from "../models/model";
import { buildModel } from "../models/zoo";
import { DenseOptimizer } from "../train/dense-optimizer";
import { evaluateLogits } from "../train/evaluate";
import { runEpochs } from "../train/fit";
import { optimizerOf } from "../train/optimizer-config";
import { EpochProgress } from "../train/progress";
import { gatherEmbeddings, predictLogits, trainStep, type StepOptions } from "../train/step";
import { bceLoss, CLIP_NORM, LR_DECAY_FACTOR, MIN_DELTA, MIN_LEARNING_RATE, type TrainedModel } from "../train/train-teacher";
import { studentHyperparameters } from "./distill";
import { distillationLoss, kdLossValue } from "./kd-loss";

/** Seed streams of jointly trained models. */
const JOINT_SEED_STREAM = 3000;

export interface JointResult {
  teachers: { name: string; trained: TrainedModel }[];
  student: TrainedModel;
}

function meanLogits(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays[0]!.length);
  for (const a of arrays) for (let i = 0; i < out.length; i++) out[i]! += a[i]! / arrays.length;
  return out;
}

/**
 * Teachers and student trained together in one loop (Zhu et al.'s alternative to pre-training): each batch
 * first updates every teacher on the labels, then updates the student against the teachers' current mean
 * logit (as a fixed target: no gradient flows from the student into the teachers). Early stopping watches the
 * student's validation KD loss (or AUC) against the teachers of that epoch; the best epoch of all is restored.
 */
export async function trainJointly(config: RunConfig, data: PreparedData, log: Logger): Promise<JointResult> {
  if (config.distill.ensemble !== "mean") throw new UserError(`config.distill.ensemble: joint training distils from the mean of the teachers; got '${config.distill.ensemble}'`);
  const { train, valid } = data;
  const { layout } = train;
  const ctx = (k: number) => ({ numFields: layout.numFields, totalRows: data.featureMap.totalRows, rng: randomSource(deriveSeed(config.training.seed, JOINT_SEED_STREAM + k)) });
  const teachers = config.teachers.map((t, i) => {
    const { model, ...hp } = t;
    return buildModel(model, hp, ctx(i + 1), `config.teachers[${i}]`);
  });
  const student = buildModel("DNN", studentHyperparameters(config.student), ctx(0), "config.student");
  const models: CtrModel[] = [student, ...teachers];
  const optimizers = models.map(() => new DenseOptimizer(optimizerOf(config.training)));
  const steps: StepOptions[] = optimizers.map((optimizer) => ({ layout, clipNorm: CLIP_NORM, optimizer, sparse: optimizer.config }));
  const rand = mulberry32(deriveSeed(config.training.seed, JOINT_SEED_STREAM));
  log(`training ${config.teachers.map((t) => t.model).join(", ")} and the student jointly`);
  try {
    const fitResult = await runEpochs({
      label: "joint",
      epochs: config.training.epochs,
      patience: config.training.patience,
      minDelta: MIN_DELTA,
      lrDecayFactor: LR_DECAY_FACTOR,
      minLearningRate: MIN_LEARNING_RATE,
      optimizers,
      models,
      log,
      rowsPerEpoch: train.n,
      runEpoch: async (_epoch, at) => {
        const progress = new EpochProgress(log, at);
        for (const batch of shuffledBatches(train, config.training.batchSize, rand)) {
          teachers.forEach((t, i) => trainStep(t, batch, (out, labels) => bceLoss(out.logit, labels), steps[i + 1]!));
          const target = tf.tidy(() =>
            tf.addN(teachers.map((t) => t.forward(gatherEmbeddings(t, { ...batch, layout }), false).logit)).div(teachers.length),
          ) as tf.Tensor1D;
          try {
            await progress.step(batch.n, trainStep(student, batch, (out, labels) => distillationLoss(out.logit, labels, target, config.distill), steps[0]!));
          } finally {
            target.dispose();
          }
        }
        return progress.finish();
      },
      monitor: () => {
        const teacherValid = meanLogits(teachers.map((t) => predictLogits(t, valid)));
        const logits = predictLogits(student, valid);
        const metrics = evaluateLogits(valid.labels, logits);
        const kd = kdLossValue(logits, teacherValid, config.distill);
        return { score: config.distill.earlyStop === "kd-loss" ? -kd : metrics.auc - metrics.logloss, metrics: { auc: metrics.auc, logloss: metrics.logloss, kd } };
      },
    });
    return {
      teachers: teachers.map((model, i) => ({ name: config.teachers[i]!.model, trained: { model, params: countParams(model), fit: fitResult } })),
      student: { model: student, params: countParams(student), fit: fitResult },
    };
  } finally {
    optimizers.forEach((o) => o.dispose());
  }
}
