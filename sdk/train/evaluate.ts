import { auc } from "../metrics/auc";
import { logloss } from "../metrics/logloss";

export interface Metrics {
  auc: number;
  logloss: number;
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function probabilities(logits: Float32Array): Float32Array {
  return logits.map(sigmoid);
}

/** AUC (exact, ties averaged) and logloss of logits against 0/1 labels. */
export function evaluateLogits(labels: Float32Array, logits: Float32Array): Metrics {
  const p = probabilities(logits);
  return { auc: auc(labels, p), logloss: logloss(labels, p) };
}
