import * as tf from "@tensorflow/tfjs-core";
import type { DistillConfig, RunConfig } from "../config-types";
import { shuffledBatches, type Batch } from "../data/batches";
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
import { compactRemapOf } from "../runtime/embedding-remap";
import { mixWithWeights } from "./ensemble";
import { mixTeachers, type EnsembleMix } from "./ensemble-target";
import { distillationLoss, kdDivergenceValue } from "./kd-loss";

/** Seed streams of jointly trained models. */
const JOINT_SEED_STREAM = 3000;

export interface JointResult {
  teachers: { name: string; trained: TrainedModel }[];
  student: TrainedModel;
}

/** The teachers' mean, mixed as `distill.ensembleTarget` says, over logits [B, M]. */
function meanTarget(logits: tf.Tensor2D, mix: EnsembleMix): tf.Tensor1D {
  return tf.tidy(() => mixTeachers(tf.onesLike(logits).div(logits.shape[1]) as tf.Tensor2D, logits, mix));
}

/**
 * One batch of joint training: every teacher steps on the labels, then the student steps against the teachers'
 * updated mean, read as a constant (no gradient flows from the student into the teachers). `steps[0]` is the
 * student's, `steps[1 + i]` teacher i's. Returns the student's loss.
 */
export function jointStep(teachers: CtrModel[], student: CtrModel, batch: Batch, steps: StepOptions[], distill: DistillConfig): number {
  teachers.forEach((t, i) => trainStep(t, batch, (out, labels) => bceLoss(out.logit, labels), steps[i + 1]!));
  const layout = steps[0]!.layout;
  const target = tf.tidy(() => meanTarget(tf.stack(teachers.map((t) => t.forward(gatherEmbeddings(t, { ...batch, layout }), false).logit), 1) as tf.Tensor2D, distill));
  try {
    return trainStep(student, batch, (out, labels) => distillationLoss(out.logit, labels, target, distill), steps[0]!);
  } finally {
    target.dispose();
  }
}

/**
 * Teachers and student trained together in one loop (Zhu et al.'s alternative to pre-training): each batch
 * first updates every teacher on the labels, then updates the student against the teachers' current mean
 * (as a fixed target: no gradient flows from the student into the teachers). Early stopping watches the
 * student's validation KL divergence (or AUC) from the teachers of that epoch; the best epoch of all is restored.
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
  const student = buildModel("DNN", studentHyperparameters(config.student), { ...ctx(0), remap: compactRemapOf(data.featureMap, config.student.embedding) }, "config.student");
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
        for (const batch of shuffledBatches(train, config.training.batchSize, rand)) await progress.step(batch.n, jointStep(teachers, student, batch, steps, config.distill));
        return progress.finish();
      },
      monitor: () => {
        const teacherValid = mixWithWeights(teachers.map((t) => predictLogits(t, valid)), new Array<number>(teachers.length).fill(1 / teachers.length), config.distill);
        const logits = predictLogits(student, valid);
        const metrics = evaluateLogits(valid.labels, logits);
        // KL, not the KD loss: the teachers train too, and their falling entropy alone would lower the KD loss.
        const kl = kdDivergenceValue(logits, teacherValid, config.distill);
        return { score: config.distill.earlyStop === "kd-loss" ? -kl : metrics.auc - metrics.logloss, metrics: { auc: metrics.auc, logloss: metrics.logloss, kl } };
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
