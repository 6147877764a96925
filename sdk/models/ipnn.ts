import * as tf from "@tensorflow/tfjs-core";
import { InnerProductInteraction } from "../layers/inner-product";
import { Mlp } from "../layers/mlp";
import { EMBEDDING_DEFAULTS, type EmbeddingHyperparameters, featureEmbedding, MLP_DEFAULTS, type MlpHyperparameters, ParamStore, seedStream } from "./model";
import type { ModelDefinition } from "./registry";

export type IpnnHyperparameters = EmbeddingHyperparameters & MlpHyperparameters;

/** Inner-product PNN (Qu et al., ICDM 2016), as FuxiCTR's PNN: [embeddings, pairwise inner products] → MLP. */
export const IPNN: ModelDefinition<IpnnHyperparameters> = {
  name: "IPNN",
  description: "Inner-product neural network: embeddings and pairwise inner products into an MLP (Qu et al., ICDM 2016)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS },
  build(ctx, hp) {
    const params = new ParamStore(ctx.rng, "IPNN");
    const embedding = featureEmbedding(ctx, hp);
    const flatDim = ctx.numFields * hp.embeddingDim;
    const inDim = flatDim + (ctx.numFields * (ctx.numFields - 1)) / 2;
    const innerProduct = new InnerProductInteraction(ctx.numFields);
    const mlp = new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "IPNN",
      tables: [embedding],
      params,
      forward([e], training) {
        const input = tf.concat([e!.reshape([-1, flatDim]) as tf.Tensor2D, innerProduct.apply(e!)], 1);
        const { out, hidden } = mlp.apply(input, training);
        return { logit: out.reshape([-1]) as tf.Tensor1D, hidden };
      },
    };
  },
};
