import type * as tf from "@tensorflow/tfjs-core";
import { EmbeddingTable } from "../layers/embedding-table";
import { ParamStore } from "../layers/params";
import type { RandomSource } from "../layers/random";
import { remapLookup, remapSecondLookup, type EmbeddingRemap } from "../runtime/embedding-remap";

/** What a model's forward pass returns for a batch of B rows. */
export interface ModelOutput {
  /** Click logits, [B]. */
  logit: tf.Tensor1D;
  /** A hidden representation for hint regularisation, [B, H]; null for models without one. */
  hidden: tf.Tensor2D | null;
}

/**
 * A CTR model: sparse embedding tables in JS (updated lazily, see EmbeddingTable) plus dense tf parameters.
 * `forward` receives one gathered tensor per table, [B, F, table.dim], in `tables` order, and, for models
 * that take them, per-row side inputs [B, S] (a teacher gate gets the teachers' logits there).
 */
export interface CtrModel {
  readonly name: string;
  readonly tables: readonly EmbeddingTable[];
  readonly params: ParamStore;
  forward(embeddings: tf.Tensor3D[], training: boolean, side?: tf.Tensor2D): ModelOutput;
}

/** What a model is built from: the shape of the encoded data and its seeded random source. */
export interface ModelContext {
  numFields: number;
  totalRows: number;
  rng: RandomSource;
  /**
   * A compact embedding (the student's, sdk/runtime/embedding-remap.ts): the main table gets `remap.totalRows`
   * rows and maps the feature map's ids through it. Teachers have none.
   */
  remap?: EmbeddingRemap;
}

/** Hyperparameters every embedding model shares, with FuxiCTR's names in camelCase. */
export type EmbeddingHyperparameters = {
  embeddingDim: number;
  /** L2 penalty on the embedding rows a batch touches (FuxiCTR's `embedding_regularizer`). */
  embeddingRegularizer: number;
  /** Std of the normal initialiser of embeddings (FuxiCTR: 1e-4). */
  embeddingInitStd: number;
};

export const EMBEDDING_DEFAULTS: EmbeddingHyperparameters = {
  embeddingDim: 10,
  embeddingRegularizer: 1e-5,
  embeddingInitStd: 1e-4,
};

/** Hyperparameters of a model's MLP tower. */
export type MlpHyperparameters = {
  hiddenUnits: number[];
  netDropout: number;
  batchNorm: boolean;
};

export const MLP_DEFAULTS: MlpHyperparameters = { hiddenUnits: [400, 400, 400], netDropout: 0, batchNorm: false };

/** Builds the main embedding table of a model ([totalRows, embeddingDim], or the compact rows of `ctx.remap`). */
export function featureEmbedding(ctx: ModelContext, hp: EmbeddingHyperparameters, name = "embedding"): EmbeddingTable {
  if (ctx.remap !== undefined) return compactEmbedding(ctx.remap, ctx, hp, name);
  return new EmbeddingTable(name, ctx.totalRows, hp.embeddingDim, ctx.rng, hp.embeddingInitStd, hp.embeddingRegularizer);
}

/**
 * A compact embedding table. The quotient rows of qr fields start at 1 (exactly): a field's vector starts as its
 * remainder row alone, and the product learns from there (both factors small would give vanishing gradients).
 */
function compactEmbedding(remap: EmbeddingRemap, ctx: ModelContext, hp: EmbeddingHyperparameters, name: string): EmbeddingTable {
  const table = new EmbeddingTable(name, remap.totalRows, hp.embeddingDim, ctx.rng, hp.embeddingInitStd, hp.embeddingRegularizer, remapLookup(remap), remapSecondLookup(remap));
  for (const f of remap.fields) {
    if (f.op === "qr") table.weights.fill(1, (f.rowOffset + f.param) * hp.embeddingDim, (f.rowOffset + f.rows) * hp.embeddingDim);
  }
  return table;
}

/** The dim-1 table of first-order weights (LR, FM, Wide&Deep, DeepFM). */
export function linearEmbedding(ctx: ModelContext, hp: Pick<EmbeddingHyperparameters, "embeddingInitStd" | "embeddingRegularizer">): EmbeddingTable {
  return new EmbeddingTable("linear", ctx.totalRows, 1, ctx.rng, hp.embeddingInitStd, hp.embeddingRegularizer);
}

/** A seed for each dropout mask, drawn from the model's random source. */
export function seedStream(rng: RandomSource): () => number {
  return () => Math.floor(rng.next() * 2 ** 31);
}

/** Number of parameters: embedding rows × dims plus every dense variable. */
export function countParams(model: CtrModel): number {
  return model.tables.reduce((n, t) => n + t.rows * t.dim, 0) + model.params.count();
}

/** Frees the model's tf variables (its JS tables go with the garbage collector). */
export function disposeModel(model: CtrModel): void {
  model.params.dispose();
}

export { ParamStore };
