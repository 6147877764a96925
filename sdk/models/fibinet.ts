import type * as tf from "@tensorflow/tfjs-core";
import { BILINEAR_TYPES, BilinearInteraction, type BilinearType } from "../layers/bilinear";
import { Linear } from "../layers/linear";
import { Mlp } from "../layers/mlp";
import { type ExcitationActivation, SqueezeExcitation } from "../layers/senet";
import { UserError } from "../errors";
import { oneOf } from "./hyperparameter-checks";
import { EMBEDDING_DEFAULTS, type EmbeddingHyperparameters, featureEmbedding, linearEmbedding, MLP_DEFAULTS, type MlpHyperparameters, ParamStore, seedStream } from "./model";
import type { ModelDefinition } from "./registry";

export type FiBiNetHyperparameters = EmbeddingHyperparameters &
  MlpHyperparameters & {
    reductionRatio: number;
    bilinearType: BilinearType;
    excitationActivation: ExcitationActivation;
  };

/**
 * FiBiNET (Huang et al., RecSys 2019), as FuxiCTR's: SENET re-weights the embeddings; one bilinear
 * interaction over the embeddings and another over the re-weighted ones are concatenated into an MLP; a
 * linear part is added. `bilinearType` defaults to "field_all" here (FuxiCTR: "field_interaction", which has
 * F(F−1)/2 matrices of D×D).
 */
export const FiBiNET: ModelDefinition<FiBiNetHyperparameters> = {
  name: "FiBiNET",
  description: "FiBiNET: SENET field importance and bilinear interactions into an MLP (Huang et al., RecSys 2019)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS, reductionRatio: 3, bilinearType: "field_all", excitationActivation: "relu" },
  build(ctx, hp) {
    const bilinearType = oneOf("FiBiNET", "bilinearType", hp.bilinearType, BILINEAR_TYPES);
    const activation = oneOf("FiBiNET", "excitationActivation", hp.excitationActivation, ["relu", "sigmoid"] as const);
    if (!(hp.reductionRatio > 0)) throw new UserError(`FiBiNET.reductionRatio: expected a number > 0, got ${hp.reductionRatio}`);
    const params = new ParamStore(ctx.rng, "FiBiNET");
    const embedding = featureEmbedding(ctx, hp);
    const linearWeights = linearEmbedding(ctx, hp);
    const linear = new Linear(params, "linear");
    const senet = new SqueezeExcitation(params, "senet", ctx.numFields, hp.reductionRatio, activation);
    // FuxiCTR's two bilinear layers (over e and over SENET(e)) as one block of two groups.
    const bilinear = new BilinearInteraction(params, "bilinear", ctx.numFields, hp.embeddingDim, bilinearType, 2);
    const inDim = 2 * bilinear.pairs.count * hp.embeddingDim;
    const mlp = new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "FiBiNET",
      tables: [embedding, linearWeights],
      params,
      forward([e, w], training) {
        const pq = bilinear.apply(e!, senet.apply(e!));
        const { out, hidden } = mlp.apply(pq.reshape([-1, inDim]) as tf.Tensor2D, training);
        return { logit: linear.apply(w!).add(out.reshape([-1])) as tf.Tensor1D, hidden };
      },
    };
  },
};
