import * as tf from "@tensorflow/tfjs-core";
import type { DistillConfig, EnsembleKind, TrainingConfig } from "../config-types";
import type { PreparedData } from "../data/prepare";
import type { Logger } from "../log";
import { mixTeachers, type EnsembleMix } from "./ensemble-target";
import { teacherSide, trainLearnedEnsemble } from "./learned-ensemble";
import { UserError } from "../errors";

/** The `distill` keys an ensemble reads: how it mixes, and the gate's settings. */
export type EnsembleSettings = EnsembleMix & Pick<DistillConfig, "gate">;

/** Teacher logits on the splits a distillation uses, one array per teacher. */
export interface TeacherLogits {
  names: string[];
  train: Float32Array[];
  valid: Float32Array[];
  /** Validation AUC of each teacher, to pick the best one. */
  validAuc: number[];
}

/** The ensemble's logits per split, and the weight each teacher got (mean over rows for per-sample gates). */
export interface EnsembleLogits {
  kind: EnsembleKind;
  train: Float32Array;
  valid: Float32Array;
  weights: number[];
  /** Learned gates only: the gate's weights per validation row, row-major [n, M]. */
  perSampleValid?: Float32Array;
}

/** Fixed weights, the same for every row, applied to one split's teacher logits. */
export function mixWithWeights(arrays: Float32Array[], weights: number[], mix: EnsembleMix): Float32Array {
  const side = teacherSide(arrays);
  const n = arrays[0]!.length;
  return tf.tidy(() => {
    const w = tf.tensor2d(weights, [1, weights.length]).tile([n, 1]) as tf.Tensor2D;
    return mixTeachers(w, tf.tensor2d(side.values, [n, side.dim]), mix).dataSync() as Float32Array;
  });
}

/** Best single teacher (by validation AUC) or the mean of the teachers (in `mix.ensembleTarget`'s space). */
export function staticEnsemble(kind: "best" | "mean", teachers: TeacherLogits, mix: EnsembleMix): EnsembleLogits {
  const m = teachers.names.length;
  if (m === 0) throw new UserError("distill: at least one teacher is needed");
  let weights: number[];
  if (kind === "mean") weights = new Array<number>(m).fill(1 / m);
  else {
    const best = teachers.validAuc.indexOf(Math.max(...teachers.validAuc));
    weights = teachers.names.map((_, t) => (t === best ? 1 : 0));
  }
  return { kind, train: mixWithWeights(teachers.train, weights, mix), valid: mixWithWeights(teachers.valid, weights, mix), weights };
}

/** The ensemble of `kind` over the teachers' logits; learned kinds train their weights or gate first. */
export async function buildEnsemble(kind: EnsembleKind, teachers: TeacherLogits, data: PreparedData, training: TrainingConfig, distill: EnsembleSettings, log: Logger): Promise<EnsembleLogits> {
  const ensemble = kind === "best" || kind === "mean" ? staticEnsemble(kind, teachers, distill) : await trainLearnedEnsemble(kind, teachers, data, training, distill, log);
  const mean = kind === "gating" ? " (mean over validation rows)" : "";
  log(`ensemble ${kind} (mixing ${distill.ensembleTarget}s): weights${mean} ${teachers.names.map((n, t) => `${n} ${ensemble.weights[t]!.toFixed(3)}`).join(", ")}`);
  return ensemble;
}
