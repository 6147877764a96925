import type * as tf from "@tensorflow/tfjs-core";
import { biInteraction } from "../layers/fm";
import { Linear } from "../layers/linear";
import { Mlp } from "../layers/mlp";
import { EMBEDDING_DEFAULTS, type EmbeddingHyperparameters, featureEmbedding, linearEmbedding, MLP_DEFAULTS, type MlpHyperparameters, ParamStore, seedStream } from "./model";
import type { ModelDefinition } from "./registry";

export type NfmHyperparameters = EmbeddingHyperparameters & MlpHyperparameters;

/** Neural FM (He & Chua, SIGIR 2017): a linear part plus an MLP over bi-interaction pooling ([B, D]). */
export const NFM: ModelDefinition<NfmHyperparameters> = {
  name: "NFM",
  description: "Neural factorization machine: bi-interaction pooling into an MLP, plus a linear part (He & Chua, SIGIR 2017)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS },
  build(ctx, hp) {
    const params = new ParamStore(ctx.rng, "NFM");
    const embedding = featureEmbedding(ctx, hp);
    const linearWeights = linearEmbedding(ctx, hp);
    const linear = new Linear(params, "linear");
    const mlp = new Mlp(params, "mlp", hp.embeddingDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "NFM",
      tables: [embedding, linearWeights],
      params,
      forward([e, w], training) {
        const { out, hidden } = mlp.apply(biInteraction(e!), training);
        return { logit: linear.apply(w!).add(out.reshape([-1])) as tf.Tensor1D, hidden };
      },
    };
  },
};
