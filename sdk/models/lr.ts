import { Linear } from "../layers/linear";
import { EMBEDDING_DEFAULTS, type EmbeddingHyperparameters, linearEmbedding, ParamStore } from "./model";
import type { ModelDefinition } from "./registry";

/** LR has no embedding vectors: only the first-order weights' regulariser and initialiser. */
export type LrHyperparameters = Pick<EmbeddingHyperparameters, "embeddingRegularizer" | "embeddingInitStd">;

/** Logistic regression on one-hot features: Σ_f w[x_f] + b. */
export const LR: ModelDefinition<LrHyperparameters> = {
  name: "LR",
  description: "Logistic regression, first-order weights only (the classic CTR baseline)",
  defaults: { embeddingRegularizer: EMBEDDING_DEFAULTS.embeddingRegularizer, embeddingInitStd: EMBEDDING_DEFAULTS.embeddingInitStd },
  build(ctx, hp) {
    const params = new ParamStore(ctx.rng, "LR");
    const linearWeights = linearEmbedding(ctx, hp);
    const linear = new Linear(params, "linear");
    return {
      name: "LR",
      tables: [linearWeights],
      params,
      forward([w]) {
        return { logit: linear.apply(w!), hidden: null };
      },
    };
  },
};
