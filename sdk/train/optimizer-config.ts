import type { TrainingConfig } from "../config-types";

/** Optimizer settings shared by the dense (tf) and the sparse (embedding) updates of one model. */
export interface OptimizerConfig {
  kind: "adam" | "adagrad";
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Adagrad's initial accumulator (Keras: 0.1). */
  initialAccumulator: number;
}

export const DEFAULT_OPTIMIZER: OptimizerConfig = {
  kind: "adam",
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
  initialAccumulator: 0.1,
};

/** The optimizer a training configuration asks for (its kind and learning rate over the defaults). */
export function optimizerOf(training: Pick<TrainingConfig, "optimizer" | "learningRate">): OptimizerConfig {
  return { ...DEFAULT_OPTIMIZER, kind: training.optimizer, learningRate: training.learningRate };
}
