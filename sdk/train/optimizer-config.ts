import type { TrainingConfig } from "../config-types";

/**
 * Where Adam adds ε. PyTorch (and so FuxiCTR): to the bias-corrected √v̂, ε = 1e-8. Keras: to the uncorrected
 * √v, ε = 1e-7, which in early steps (and for rarely updated embedding rows) acts as an ε tens to hundreds of
 * times larger and damps the tiny gradients of products of small embeddings.
 */
export type AdamVariant = "pytorch" | "keras";

/** Which embedding rows a step updates: those its batch touched (lazy), or all of them (dense, FuxiCTR's). */
export type EmbeddingUpdate = "lazy" | "dense";

/** Optimizer settings shared by the dense (tf) and the sparse (embedding) updates of one model. */
export interface OptimizerConfig {
  kind: "adam" | "adagrad";
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  adamVariant: AdamVariant;
  /** How embedding tables apply it (sdk/layers/embedding-table.ts); dense parameters always update whole. */
  embeddingUpdate: EmbeddingUpdate;
  /** Adagrad's initial accumulator (Keras: 0.1). */
  initialAccumulator: number;
}

/** Each Adam variant's own ε; Adagrad keeps Keras' 1e-7. */
const ADAM_EPSILON: Record<AdamVariant, number> = { pytorch: 1e-8, keras: 1e-7 };
const ADAGRAD_EPSILON = 1e-7;

export const DEFAULT_OPTIMIZER: OptimizerConfig = {
  kind: "adam",
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: ADAM_EPSILON.pytorch,
  adamVariant: "pytorch",
  embeddingUpdate: "dense",
  initialAccumulator: 0.1,
};

/** The optimizer a training configuration asks for (its kind, Adam variant and learning rate over the defaults). */
export function optimizerOf(training: Pick<TrainingConfig, "optimizer" | "learningRate" | "adamVariant" | "embeddingUpdate">): OptimizerConfig {
  const epsilon = training.optimizer === "adam" ? ADAM_EPSILON[training.adamVariant] : ADAGRAD_EPSILON;
  const { learningRate, adamVariant, embeddingUpdate } = training;
  return { ...DEFAULT_OPTIMIZER, kind: training.optimizer, learningRate, adamVariant, embeddingUpdate, epsilon };
}

/**
 * Adam's update at step t as w −= stepSize·m / (√v·sqrtVScale + ε), the form both variants share:
 * PyTorch stepSize = lr/(1−β1^t), sqrtVScale = 1/√(1−β2^t) (ε after bias correction);
 * Keras stepSize = lr·√(1−β2^t)/(1−β1^t), sqrtVScale = 1 (ε on the uncorrected √v).
 */
export function adamStepScales(opt: Pick<OptimizerConfig, "learningRate" | "beta1" | "beta2" | "adamVariant">, step: number): { stepSize: number; sqrtVScale: number } {
  const correction1 = 1 - opt.beta1 ** step;
  const correction2Sqrt = Math.sqrt(1 - opt.beta2 ** step);
  return opt.adamVariant === "pytorch"
    ? { stepSize: opt.learningRate / correction1, sqrtVScale: 1 / correction2Sqrt }
    : { stepSize: (opt.learningRate * correction2Sqrt) / correction1, sqrtVScale: 1 };
}
