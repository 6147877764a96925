import * as tf from "@tensorflow/tfjs-core";
import type { CtrModel } from "../models/model";

/** A copy of every weight of a model (tables and dense variables), for best-weights restore. */
export interface ModelSnapshot {
  tables: Float32Array[];
  dense: Float32Array[];
}

export function takeSnapshot(model: CtrModel): ModelSnapshot {
  return {
    tables: model.tables.map((t) => t.weights.slice()),
    dense: model.params.entries().map(([, v]) => v.dataSync().slice() as Float32Array),
  };
}

export function restoreSnapshot(model: CtrModel, snap: ModelSnapshot): void {
  model.tables.forEach((t, i) => t.weights.set(snap.tables[i]!));
  model.params.entries().forEach(([, v], i) => {
    tf.tidy(() => v.assign(tf.tensor(snap.dense[i]!, v.shape, "float32")));
  });
}
