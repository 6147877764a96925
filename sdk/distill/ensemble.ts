import type { EnsembleKind, TrainingConfig } from "../config-types";
import type { PreparedData } from "../data/prepare";
import type { Logger } from "../log";
import type { GateConfig } from "./gate";
import { trainLearnedEnsemble } from "./learned-ensemble";
import { UserError } from "../errors";

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

function weightedSum(arrays: Float32Array[], weights: number[]): Float32Array {
  const out = new Float32Array(arrays[0]!.length);
  arrays.forEach((a, t) => {
    const w = weights[t]!;
    for (let i = 0; i < out.length; i++) out[i]! += w * a[i]!;
  });
  return out;
}

/** Best single teacher (by validation AUC) or the mean of the teachers' logits. */
export function staticEnsemble(kind: "best" | "mean", teachers: TeacherLogits): EnsembleLogits {
  const m = teachers.names.length;
  if (m === 0) throw new UserError("distill: at least one teacher is needed");
  let weights: number[];
  if (kind === "mean") weights = new Array<number>(m).fill(1 / m);
  else {
    const best = teachers.validAuc.indexOf(Math.max(...teachers.validAuc));
    weights = teachers.names.map((_, t) => (t === best ? 1 : 0));
  }
  return { kind, train: weightedSum(teachers.train, weights), valid: weightedSum(teachers.valid, weights), weights };
}

/** The ensemble of `kind` over the teachers' logits; learned kinds train their weights or gate first. */
export async function buildEnsemble(kind: EnsembleKind, teachers: TeacherLogits, data: PreparedData, training: TrainingConfig, gate: GateConfig, log: Logger): Promise<EnsembleLogits> {
  const ensemble = kind === "best" || kind === "mean" ? staticEnsemble(kind, teachers) : await trainLearnedEnsemble(kind, teachers, data, training, gate, log);
  const mean = kind === "gating" ? " (mean over validation rows)" : "";
  log(`ensemble ${kind}: weights${mean} ${teachers.names.map((n, t) => `${n} ${ensemble.weights[t]!.toFixed(3)}`).join(", ")}`);
  return ensemble;
}
