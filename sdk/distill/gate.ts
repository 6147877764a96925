import * as tf from "@tensorflow/tfjs-core";
import type { DistillConfig } from "../config-types";
import { Mlp } from "../layers/mlp";
import type { RandomSource } from "../layers/random";
import { featureEmbedding, ParamStore, seedStream, type CtrModel } from "../models/model";

/** `distill.gate` of the run configuration (docs/config.md describes its keys). */
export type GateConfig = DistillConfig["gate"];

// Not typed as GateConfig: that type is inferred from the config schema, which reads these defaults.
export const GATE_DEFAULTS = { input: "embedding" as const, data: "valid" as const, embeddingDim: 4, hiddenUnits: [32], learningRate: 0.01 };

/**
 * Teacher gating (Zhu et al., 2020): a small network maps a sample's input embedding to a softmax over the
 * M teachers; the ensemble's logit is the gate-weighted sum of the teachers' logits. The teachers' logits
 * arrive as the side input [B, M]; `hidden` returns the gate's weights [B, M].
 */
export function buildTeacherGate(ctx: { numFields: number; totalRows: number; rng: RandomSource }, numTeachers: number, cfg: GateConfig): CtrModel {
  const params = new ParamStore(ctx.rng, "gate");
  const embedding = featureEmbedding(ctx, { embeddingDim: cfg.embeddingDim, embeddingRegularizer: 1e-5, embeddingInitStd: 1e-4 }, "gate_embedding");
  const embDim = ctx.numFields * cfg.embeddingDim;
  const inDim = embDim + (cfg.input === "embedding+logits" ? numTeachers : 0);
  const mlp = new Mlp(params, "gate_mlp", inDim, cfg.hiddenUnits, { dropout: 0, batchNorm: false, outputDim: numTeachers, nextSeed: seedStream(ctx.rng) });
  return {
    name: "TeacherGate",
    tables: [embedding],
    params,
    forward([e], training, teachers) {
      if (teachers === undefined) throw new Error("TeacherGate.forward: the teachers' logits (side input) are required");
      const flat = e!.reshape([-1, embDim]) as tf.Tensor2D;
      const input = cfg.input === "embedding+logits" ? tf.concat([flat, teachers], 1) : flat;
      const weights = tf.softmax(mlp.apply(input, training).out);
      return { logit: weights.mul(teachers).sum(1) as tf.Tensor1D, hidden: weights };
    },
  };
}

/** Learned global weights: one softmax over the teachers, the same for every sample. */
export function buildWeightedEnsemble(rng: RandomSource, numTeachers: number): CtrModel {
  const params = new ParamStore(rng, "ensemble_weights");
  const scores = params.add("scores", [numTeachers], "zeros");
  return {
    name: "WeightedEnsemble",
    tables: [],
    params,
    forward(_embeddings, _training, teachers) {
      if (teachers === undefined) throw new Error("WeightedEnsemble.forward: the teachers' logits (side input) are required");
      const weights = tf.softmax(scores).reshape([1, numTeachers]).tile([teachers.shape[0], 1]) as tf.Tensor2D;
      return { logit: weights.mul(teachers).sum(1) as tf.Tensor1D, hidden: weights };
    },
  };
}
