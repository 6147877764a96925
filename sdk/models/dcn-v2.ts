import * as tf from "@tensorflow/tfjs-core";
import { CrossNetV2 } from "../layers/cross-network-v2";
import { Dense } from "../layers/dense";
import { Mlp } from "../layers/mlp";
import { UserError } from "../errors";
import { integerAtLeast, oneOf } from "./hyperparameter-checks";
import { EMBEDDING_DEFAULTS, type EmbeddingHyperparameters, featureEmbedding, MLP_DEFAULTS, type MlpHyperparameters, ParamStore, seedStream } from "./model";
import type { ModelDefinition } from "./registry";

/** How the cross network and the MLP combine (FuxiCTR's `model_structure`, without "stacked_parallel"). */
export type DcnV2Structure = "parallel" | "stacked" | "crossnet_only";
export const DCNV2_STRUCTURES: readonly DcnV2Structure[] = ["parallel", "stacked", "crossnet_only"];

export type DcnV2Hyperparameters = EmbeddingHyperparameters &
  MlpHyperparameters & {
    numCrossLayers: number;
    modelStructure: DcnV2Structure;
  };

/**
 * DCN-V2 (Wang et al., WWW 2021) with full-rank cross layers, as FuxiCTR's DCNv2 (no low-rank mixture):
 * "parallel" concatenates the cross output with an MLP over the embeddings, "stacked" feeds the cross output
 * into the MLP, "crossnet_only" uses the cross network alone (no hint layer). One linear layer gives the logit.
 */
export const DCNv2: ModelDefinition<DcnV2Hyperparameters> = {
  name: "DCNv2",
  description: "DCN-V2: full-rank cross layers with an MLP, parallel or stacked (Wang et al., WWW 2021)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS, numCrossLayers: 3, modelStructure: "parallel" },
  build(ctx, hp) {
    integerAtLeast("DCNv2", "numCrossLayers", hp.numCrossLayers, 0);
    const structure = oneOf("DCNv2", "modelStructure", hp.modelStructure, DCNV2_STRUCTURES);
    if (structure !== "crossnet_only" && hp.hiddenUnits.length === 0)
      throw new UserError(`DCNv2.hiddenUnits: modelStructure "${structure}" needs at least one hidden layer (or use "crossnet_only")`);
    const params = new ParamStore(ctx.rng, "DCNv2");
    const embedding = featureEmbedding(ctx, hp);
    const inDim = ctx.numFields * hp.embeddingDim;
    const cross = new CrossNetV2(params, "crossnet", inDim, hp.numCrossLayers);
    const mlp =
      structure === "crossnet_only"
        ? null
        : new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: null, nextSeed: seedStream(ctx.rng) });
    const finalDim = structure === "crossnet_only" ? inDim : structure === "stacked" ? mlp!.outDim : inDim + mlp!.outDim;
    const fc = new Dense(params, "fc", finalDim, 1);
    return {
      name: "DCNv2",
      tables: [embedding],
      params,
      forward([e], training) {
        const flat = e!.reshape([-1, inDim]) as tf.Tensor2D;
        const crossOut = cross.apply(flat);
        let final: tf.Tensor2D = crossOut;
        let hidden: tf.Tensor2D | null = null;
        if (mlp !== null && structure === "stacked") final = hidden = mlp.apply(crossOut, training).hidden;
        else if (mlp !== null) {
          hidden = mlp.apply(flat, training).hidden;
          final = tf.concat([crossOut, hidden], 1);
        }
        return { logit: fc.apply(final).reshape([-1]) as tf.Tensor1D, hidden };
      },
    };
  },
};
