import * as tf from "@tensorflow/tfjs-core";
import type { DistillConfig } from "../config-types";
import { Mlp } from "../layers/mlp";
import type { RandomSource } from "../layers/random";
import { featureEmbedding, ParamStore, seedStream, type CtrModel } from "../models/model";
import { mixTeachers, type EnsembleMix } from "./ensemble-target";

/** `distill.gate` of the run configuration (docs/config.md describes its keys). */
export type GateConfig = DistillConfig["gate"];

// Not typed as GateConfig: that type is inferred from the config schema, which reads these defaults.
export const GATE_DEFAULTS = { input: "embedding" as const, data: "valid" as const, embeddingDim: 4, hiddenUnits: [32], learningRate: 0.01 };

/**
 * Teacher gating (Zhu et al., 2020): a small network maps what it sees of a sample (`cfg.input`: a fresh
 * embedding of its ids, the teachers' logits, or both) to a softmax over the M teachers; the ensemble mixes the
 * teachers' outputs with these weights (`mixTeachers`). The teachers' logits arrive as the side input [B, M];
 * `hidden` returns the gate's weights [B, M].
 */
export function buildTeacherGate(ctx: { numFields: number; totalRows: number; rng: RandomSource }, numTeachers: number, cfg: GateConfig, mix: EnsembleMix): CtrModel {
  const params = new ParamStore(ctx.rng, "gate");
  const seesEmbedding = cfg.input !== "logits";
  const seesLogits = cfg.input !== "embedding";
  const embedding = seesEmbedding ? featureEmbedding(ctx, { embeddingDim: cfg.embeddingDim, embeddingRegularizer: 1e-5, embeddingInitStd: 1e-4 }, "gate_embedding") : null;
  const embDim = seesEmbedding ? ctx.numFields * cfg.embeddingDim : 0;
  const inDim = embDim + (seesLogits ? numTeachers : 0);
  const mlp = new Mlp(params, "gate_mlp", inDim, cfg.hiddenUnits, { dropout: 0, batchNorm: false, outputDim: numTeachers, nextSeed: seedStream(ctx.rng) });
  return {
    name: "TeacherGate",
    tables: embedding === null ? [] : [embedding],
    params,
    forward([e], training, teachers) {
      if (teachers === undefined) throw new Error("TeacherGate.forward: the teachers' logits (side input) are required");
      const parts = [...(seesEmbedding ? [e!.reshape([-1, embDim]) as tf.Tensor2D] : []), ...(seesLogits ? [teachers] : [])];
      const input = parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
      const weights = tf.softmax(mlp.apply(input, training).out);
      return { logit: mixTeachers(weights, teachers, mix), hidden: weights };
    },
  };
}

/** Learned global weights: one softmax over the teachers, the same for every sample. */
export function buildWeightedEnsemble(rng: RandomSource, numTeachers: number, mix: EnsembleMix): CtrModel {
  const params = new ParamStore(rng, "ensemble_weights");
  const scores = params.add("scores", [numTeachers], "zeros");
  return {
    name: "WeightedEnsemble",
    tables: [],
    params,
    forward(_embeddings, _training, teachers) {
      if (teachers === undefined) throw new Error("WeightedEnsemble.forward: the teachers' logits (side input) are required");
      const weights = tf.softmax(scores).reshape([1, numTeachers]).tile([teachers.shape[0], 1]) as tf.Tensor2D;
      return { logit: mixTeachers(weights, teachers, mix), hidden: weights };
    },
  };
}
