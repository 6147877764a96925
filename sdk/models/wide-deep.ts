import type * as tf from "@tensorflow/tfjs-core";
import { Linear } from "../layers/linear";
import { Mlp } from "../layers/mlp";
import { EMBEDDING_DEFAULTS, type EmbeddingHyperparameters, featureEmbedding, linearEmbedding, MLP_DEFAULTS, type MlpHyperparameters, ParamStore, seedStream } from "./model";
import type { ModelDefinition } from "./registry";

export type WideDeepHyperparameters = EmbeddingHyperparameters & MlpHyperparameters;

/** Wide & Deep (Cheng et al., DLRS 2016): a wide linear part plus an MLP over the embeddings, summed. */
export const WideDeep: ModelDefinition<WideDeepHyperparameters> = {
  name: "WideDeep",
  description: "Wide&Deep: a linear (wide) part plus an MLP (Cheng et al., DLRS 2016)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS },
  build(ctx, hp) {
    const params = new ParamStore(ctx.rng, "WideDeep");
    const embedding = featureEmbedding(ctx, hp);
    const linearWeights = linearEmbedding(ctx, hp);
    const linear = new Linear(params, "linear");
    const inDim = ctx.numFields * hp.embeddingDim;
    const mlp = new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "WideDeep",
      tables: [embedding, linearWeights],
      params,
      forward([e, w], training) {
        const { out, hidden } = mlp.apply(e!.reshape([-1, inDim]) as tf.Tensor2D, training);
        return { logit: linear.apply(w!).add(out.reshape([-1])) as tf.Tensor1D, hidden };
      },
    };
  },
};
