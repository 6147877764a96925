import type * as tf from "@tensorflow/tfjs-core";
import { Dense } from "../layers/dense";
import { Mlp } from "../layers/mlp";
import { SelfAttention } from "../layers/self-attention";
import { UserError } from "../errors";
import { integerAtLeast } from "./hyperparameter-checks";
import { EMBEDDING_DEFAULTS, type EmbeddingHyperparameters, featureEmbedding, MLP_DEFAULTS, type MlpHyperparameters, ParamStore, seedStream } from "./model";
import type { ModelDefinition } from "./registry";

export type AutoIntPlusHyperparameters = EmbeddingHyperparameters &
  MlpHyperparameters & {
    attentionLayers: number;
    numHeads: number;
    attentionDim: number;
    useResidual: boolean;
    useScale: boolean;
  };

/**
 * AutoInt+ (Song et al., CIKM 2019), as FuxiCTR's AutoInt with its DNN on: stacked multi-head self-attention
 * over the fields, flattened into a logit, plus an MLP logit over the embeddings. `hiddenUnits: []` gives plain
 * AutoInt (no hint layer). Attention defaults are FuxiCTR's AutoInt_default (3 layers, 2 heads, width 40).
 */
export const AutoIntPlus: ModelDefinition<AutoIntPlusHyperparameters> = {
  name: "AutoInt+",
  description: "AutoInt+: multi-head self-attention over fields plus an MLP (Song et al., CIKM 2019)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS, attentionLayers: 3, numHeads: 2, attentionDim: 40, useResidual: true, useScale: false },
  build(ctx, hp) {
    integerAtLeast("AutoInt+", "attentionLayers", hp.attentionLayers, 1);
    integerAtLeast("AutoInt+", "numHeads", hp.numHeads, 1);
    integerAtLeast("AutoInt+", "attentionDim", hp.attentionDim, 1);
    if (hp.attentionDim % hp.numHeads !== 0) throw new UserError(`AutoInt+.attentionDim: expected a multiple of numHeads (${hp.numHeads}), got ${hp.attentionDim}`);
    const params = new ParamStore(ctx.rng, "AutoInt+");
    const embedding = featureEmbedding(ctx, hp);
    const options = { attentionDim: hp.attentionDim, numHeads: hp.numHeads, useResidual: hp.useResidual, useScale: hp.useScale };
    const attention = Array.from({ length: hp.attentionLayers }, (_, i) => new SelfAttention(params, `attention_${i}`, i === 0 ? hp.embeddingDim : hp.attentionDim, options));
    const fc = new Dense(params, "fc", ctx.numFields * hp.attentionDim, 1);
    const inDim = ctx.numFields * hp.embeddingDim;
    const mlp =
      hp.hiddenUnits.length > 0
        ? new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) })
        : null;
    return {
      name: "AutoInt+",
      tables: [embedding],
      params,
      forward([e], training) {
        let x = e!;
        for (const layer of attention) x = layer.apply(x);
        let logit = fc.apply(x.reshape([-1, ctx.numFields * hp.attentionDim]) as tf.Tensor2D).reshape([-1]) as tf.Tensor1D;
        if (mlp === null) return { logit, hidden: null };
        const { out, hidden } = mlp.apply(e!.reshape([-1, inDim]) as tf.Tensor2D, training);
        logit = logit.add(out.reshape([-1]));
        return { logit, hidden };
      },
    };
  },
};
