import type * as tf from "@tensorflow/tfjs-core";
import { fmInteraction } from "../layers/fm";
import { Linear } from "../layers/linear";
import { EMBEDDING_DEFAULTS, type EmbeddingHyperparameters, featureEmbedding, linearEmbedding, ParamStore } from "./model";
import type { ModelDefinition } from "./registry";

export type FmHyperparameters = EmbeddingHyperparameters;

/** Factorisation machine (Rendle, ICDM 2010): first-order weights plus Σ_{i<j} ⟨v_i, v_j⟩. */
export const FM: ModelDefinition<FmHyperparameters> = {
  name: "FM",
  description: "Factorization machine, first and second order (Rendle, ICDM 2010)",
  defaults: { ...EMBEDDING_DEFAULTS },
  build(ctx, hp) {
    const params = new ParamStore(ctx.rng, "FM");
    const embedding = featureEmbedding(ctx, hp);
    const linearWeights = linearEmbedding(ctx, hp);
    const linear = new Linear(params, "linear");
    return {
      name: "FM",
      tables: [embedding, linearWeights],
      params,
      forward([e, w]) {
        return { logit: linear.apply(w!).add(fmInteraction(e!)) as tf.Tensor1D, hidden: null };
      },
    };
  },
};
