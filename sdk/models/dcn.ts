import * as tf from "@tensorflow/tfjs-core";
import { CrossNet } from "../layers/cross-network";
import { Dense } from "../layers/dense";
import { Mlp } from "../layers/mlp";
import { integerAtLeast } from "./hyperparameter-checks";
import { EMBEDDING_DEFAULTS, type EmbeddingHyperparameters, featureEmbedding, MLP_DEFAULTS, type MlpHyperparameters, ParamStore, seedStream } from "./model";
import type { ModelDefinition } from "./registry";

export type DcnHyperparameters = EmbeddingHyperparameters & MlpHyperparameters & { numCrossLayers: number };

/**
 * Deep & Cross Network (Wang et al., ADKDD 2017), as FuxiCTR's DCN: a cross network and an MLP side by side
 * over the flat embeddings, their outputs concatenated into one logit. `hiddenUnits: []` leaves the cross
 * network alone (and no hint layer).
 */
export const DCN: ModelDefinition<DcnHyperparameters> = {
  name: "DCN",
  description: "Deep & Cross Network: cross layers beside an MLP (Wang et al., ADKDD 2017)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS, numCrossLayers: 3 },
  build(ctx, hp) {
    integerAtLeast("DCN", "numCrossLayers", hp.numCrossLayers, 0);
    const params = new ParamStore(ctx.rng, "DCN");
    const embedding = featureEmbedding(ctx, hp);
    const inDim = ctx.numFields * hp.embeddingDim;
    const cross = new CrossNet(params, "crossnet", inDim, hp.numCrossLayers);
    const mlp =
      hp.hiddenUnits.length > 0
        ? new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: null, nextSeed: seedStream(ctx.rng) })
        : null;
    const fc = new Dense(params, "fc", inDim + (mlp?.outDim ?? 0), 1);
    return {
      name: "DCN",
      tables: [embedding],
      params,
      forward([e], training) {
        const flat = e!.reshape([-1, inDim]) as tf.Tensor2D;
        const crossOut = cross.apply(flat);
        const hidden = mlp === null ? null : mlp.apply(flat, training).hidden;
        const logit = fc.apply(hidden === null ? crossOut : tf.concat([crossOut, hidden], 1)).reshape([-1]) as tf.Tensor1D;
        return { logit, hidden };
      },
    };
  },
};
