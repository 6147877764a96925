import type * as tf from "@tensorflow/tfjs-core";
import { Mlp } from "../layers/mlp";
import { EMBEDDING_DEFAULTS, type EmbeddingHyperparameters, featureEmbedding, MLP_DEFAULTS, type MlpHyperparameters, ParamStore, seedStream } from "./model";
import type { ModelDefinition } from "./registry";

export type DnnHyperparameters = EmbeddingHyperparameters & MlpHyperparameters;

/** Embeddings concatenated into an MLP (Covington et al., 2016): the student's architecture too. */
export const DNN: ModelDefinition<DnnHyperparameters> = {
  name: "DNN",
  description: "Embedding + MLP (YouTube DNN, Covington et al. 2016); also the distillation student",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS },
  build(ctx, hp) {
    const params = new ParamStore(ctx.rng, "DNN");
    const embedding = featureEmbedding(ctx, hp);
    const inDim = ctx.numFields * hp.embeddingDim;
    const mlp = new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "DNN",
      tables: [embedding],
      params,
      forward([e], training) {
        const { out, hidden } = mlp.apply(e!.reshape([-1, inDim]) as tf.Tensor2D, training);
        return { logit: out.reshape([-1]) as tf.Tensor1D, hidden };
      },
    };
  },
};
