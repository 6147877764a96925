import type * as tf from "@tensorflow/tfjs-core";
import { fmInteraction } from "../layers/fm";
import { Linear } from "../layers/linear";
import { Mlp } from "../layers/mlp";
import { EMBEDDING_DEFAULTS, type EmbeddingHyperparameters, featureEmbedding, linearEmbedding, MLP_DEFAULTS, type MlpHyperparameters, ParamStore, seedStream } from "./model";
import type { ModelDefinition } from "./registry";

export type DeepFmHyperparameters = EmbeddingHyperparameters & MlpHyperparameters;

/** FM (first + second order) plus an MLP over the shared embeddings (Guo et al., IJCAI 2017). */
export const DeepFM: ModelDefinition<DeepFmHyperparameters> = {
  name: "DeepFM",
  description: "FM and an MLP over shared embeddings (Guo et al., IJCAI 2017)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS },
  build(ctx, hp) {
    const params = new ParamStore(ctx.rng, "DeepFM");
    const embedding = featureEmbedding(ctx, hp);
    const linearWeights = linearEmbedding(ctx, hp);
    const linear = new Linear(params, "linear");
    const inDim = ctx.numFields * hp.embeddingDim;
    const mlp = new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "DeepFM",
      tables: [embedding, linearWeights],
      params,
      forward([e, w], training) {
        const { out, hidden } = mlp.apply(e!.reshape([-1, inDim]) as tf.Tensor2D, training);
        const logit = linear.apply(w!).add(fmInteraction(e!)).add(out.reshape([-1])) as tf.Tensor1D;
        return { logit, hidden };
      },
    };
  },
};
