import type * as tf from "@tensorflow/tfjs-core";
import { Cin } from "../layers/cin";
import { Linear } from "../layers/linear";
import { Mlp } from "../layers/mlp";
import { UserError } from "../errors";
import { EMBEDDING_DEFAULTS, type EmbeddingHyperparameters, featureEmbedding, linearEmbedding, MLP_DEFAULTS, type MlpHyperparameters, ParamStore, seedStream } from "./model";
import type { ModelDefinition } from "./registry";

export type XDeepFmHyperparameters = EmbeddingHyperparameters & MlpHyperparameters & { cinHiddenUnits: number[] };

/** xDeepFM (Lian et al., KDD 2018), as FuxiCTR's: linear + CIN + MLP logits, summed. */
export const xDeepFM: ModelDefinition<XDeepFmHyperparameters> = {
  name: "xDeepFM",
  description: "xDeepFM: linear part, Compressed Interaction Network and an MLP (Lian et al., KDD 2018)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS, cinHiddenUnits: [32, 32, 32] },
  build(ctx, hp) {
    if (hp.cinHiddenUnits.length === 0 || !hp.cinHiddenUnits.every((u) => Number.isInteger(u) && u >= 1))
      throw new UserError(`xDeepFM.cinHiddenUnits: expected a non-empty array of integers >= 1, got ${JSON.stringify(hp.cinHiddenUnits)}`);
    const params = new ParamStore(ctx.rng, "xDeepFM");
    const embedding = featureEmbedding(ctx, hp);
    const linearWeights = linearEmbedding(ctx, hp);
    const linear = new Linear(params, "linear");
    const cin = new Cin(params, "cin", ctx.numFields, hp.cinHiddenUnits);
    const inDim = ctx.numFields * hp.embeddingDim;
    const mlp = new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "xDeepFM",
      tables: [embedding, linearWeights],
      params,
      forward([e, w], training) {
        const { out, hidden } = mlp.apply(e!.reshape([-1, inDim]) as tf.Tensor2D, training);
        const logit = linear.apply(w!).add(cin.apply(e!).reshape([-1])).add(out.reshape([-1])) as tf.Tensor1D;
        return { logit, hidden };
      },
    };
  },
};
