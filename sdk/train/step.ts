import * as tf from "@tensorflow/tfjs-core";
import type { Batch } from "../data/batches";
import { RowRangeReader, type DiskDataset } from "../data/dataset";
import type { EmbeddingTable } from "../layers/embedding-table";
import type { CtrModel, ModelOutput } from "../models/model";
import type { DenseOptimizer } from "./dense-optimizer";
import type { OptimizerConfig } from "./optimizer-config";
import { poolSlots, spreadFieldGradient, type SlotLayout } from "../runtime/slots";

/** The loss of a batch from the model's output; `labels` is [n]. */
export type LossFunction = (out: ModelOutput, labels: tf.Tensor1D, batch: Batch) => tf.Scalar;

let stepCounter = 0;

/**
 * Reused gather buffers per table. Only on wasm, whose `write` copies the values onto its heap when the tensor is
 * made (the cpu and node backends keep a reference to the array). Saves a multi-MB allocation per batch and the
 * garbage collections it triggers.
 */
const gatherScratch = new WeakMap<EmbeddingTable, Float32Array<ArrayBuffer>>();

function gatherBuffer(table: EmbeddingTable, size: number): Float32Array<ArrayBuffer> | undefined {
  if (tf.getBackend() !== "wasm") return undefined;
  let buffer = gatherScratch.get(table);
  if (buffer === undefined || buffer.length < size) gatherScratch.set(table, (buffer = new Float32Array(size)));
  return buffer.length === size ? buffer : buffer.subarray(0, size);
}

/**
 * A float32 tensor's values for JS to read. On wasm, a view of the backend's heap instead of a copy (a multi-MB
 * allocation per step for the embedding gradients): valid only until the next tf op, which may grow the heap.
 */
function readOnlyValues(t: tf.Tensor): Float32Array {
  const backend = tf.backend() as unknown as { typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array };
  if (tf.getBackend() === "wasm" && t.dtype === "float32" && typeof backend.typedArrayFromHeap === "function") return backend.typedArrayFromHeap(t);
  return t.dataSync() as Float32Array;
}

/** Encoded rows and their slot layout: what a model is run on. */
export interface EncodedInput {
  ids: Int32Array;
  values: Float32Array;
  n: number;
  layout: SlotLayout;
}

/**
 * One table's rows for `n` rows as [n, F, dim] values: the scaled slot rows, summed per field when the layout
 * pools (sequence features). Unpooled, the gather writes straight into the (reused, on wasm) upload buffer.
 */
function fieldRows(table: EmbeddingTable, ids: Int32Array, values: Float32Array, n: number, layout: SlotLayout): Float32Array {
  const out = gatherBuffer(table, n * layout.numFields * table.dim);
  if (!layout.pooled) return table.gather(ids, values, n * layout.numSlots, out);
  return poolSlots(table.gather(ids, values, n * layout.numSlots, slotBuffer(table, n * layout.numSlots * table.dim)), layout, n, table.dim, out);
}

/** Reused slot rows per table: pooling reads them at once, then the step's slot gradients reuse them. */
const slotScratch = new WeakMap<EmbeddingTable, Float32Array<ArrayBuffer>>();

function slotBuffer(table: EmbeddingTable, size: number): Float32Array<ArrayBuffer> {
  let buffer = slotScratch.get(table);
  if (buffer === undefined || buffer.length < size) slotScratch.set(table, (buffer = new Float32Array(size)));
  return buffer.subarray(0, size);
}

/** Gathers each embedding table's rows for the batch as a [n, F, dim] tensor. */
export function gatherEmbeddings(model: CtrModel, input: EncodedInput): tf.Tensor3D[] {
  const { ids, values, n, layout } = input;
  return model.tables.map((t) => tf.tensor3d(fieldRows(t, ids, values, n, layout), [n, layout.numFields, t.dim]));
}

/** Per-row side inputs of a data set, row-major [n, dim] (e.g. teacher logits for a gate). */
export interface SideInput {
  values: Float32Array;
  dim: number;
}

/** The side inputs of the rows `index` (a batch), as a [n, dim] tensor. */
export function sideTensor(side: SideInput, index: ArrayLike<number>, n: number): tf.Tensor2D {
  const out = new Float32Array(n * side.dim);
  for (let i = 0; i < n; i++) out.set(side.values.subarray(index[i]! * side.dim, (index[i]! + 1) * side.dim), i * side.dim);
  return tf.tensor2d(out, [n, side.dim]);
}

/**
 * Milliseconds spent in each phase of trainStep, summed over steps (the training benchmark's profile). Exact on
 * backends that run kernels synchronously (wasm, cpu); `backward` includes the tape's bookkeeping.
 */
export interface StepPhases {
  /** Embedding rows gathered in JS. */
  gather: number;
  /** Gathered rows, labels and side inputs made tensors (copied to the backend). */
  upload: number;
  forward: number;
  backward: number;
  /** The global gradient norm (one read back), when clipping. */
  clipNorm: number;
  /** The dense parameters' optimizer (tf ops). */
  denseOptimizer: number;
  /** The embeddings' gradients made readable in JS (a view of the heap on wasm, else a copy). */
  gradientRead: number;
  /** The tables' lazy updates in JS. */
  sparseUpdate: number;
  /** The loss read back, tensors disposed. */
  finish: number;
}

export function emptyStepPhases(): StepPhases {
  return { gather: 0, upload: 0, forward: 0, backward: 0, clipNorm: 0, denseOptimizer: 0, gradientRead: 0, sparseUpdate: 0, finish: 0 };
}

export interface StepOptions {
  layout: SlotLayout;
  side?: SideInput;
  /** Clip the global gradient norm (dense and embedding) to this value; 0 = no clipping (FuxiCTR: 10). */
  clipNorm: number;
  optimizer: DenseOptimizer;
  sparse: OptimizerConfig;
  /** When given, each phase's time is added to it. */
  phases?: StepPhases;
}

/**
 * One optimisation step. The gathered embeddings are leaf variables of the tape, so their gradient comes
 * back as a dense [n, F, dim] tensor that the tables apply to the touched rows only.
 */
export function trainStep(model: CtrModel, batch: Batch, loss: LossFunction, options: StepOptions): number {
  const { n } = batch;
  const stepId = stepCounter++;
  const { phases } = options;
  let mark = phases === undefined ? 0 : performance.now();
  const lap = (phase: keyof StepPhases): void => {
    if (phases === undefined) return;
    const now = performance.now();
    phases[phase] += now - mark;
    mark = now;
  };
  const { layout } = options;
  const count = n * layout.numSlots;
  const gathered = model.tables.map((t) => fieldRows(t, batch.ids, batch.values, n, layout));
  lap("gather");
  const inputs = gathered.map((values, i) => tf.tensor3d(values, [n, layout.numFields, model.tables[i]!.dim]));
  const leaves = inputs.map((t, i) => tf.variable(t, true, `__step${stepId}_emb${i}`));
  inputs.forEach((t) => t.dispose());
  const labels = tf.tensor1d(batch.labels.subarray(0, n));
  const side = options.side === undefined ? undefined : sideTensor(options.side, batch.index, n);
  const dense = model.params.trainable();
  try {
    const { value, grads } = tf.variableGrads(() => {
      lap("upload");
      const result = loss(model.forward(leaves, true, side), labels, batch);
      lap("forward");
      return result;
    }, [...dense, ...leaves]);
    lap("backward");
    const all = Object.values(grads);
    const scale =
      options.clipNorm > 0
        ? tf.tidy(() => {
            const norm = Math.sqrt(tf.addN(all.map((g) => g.square().sum())).dataSync()[0]!);
            return norm > options.clipNorm ? options.clipNorm / norm : 1;
          })
        : 1;
    lap("clipNorm");
    options.optimizer.apply(
      dense.map((v) => [v, grads[v.name]!]),
      scale,
    );
    lap("denseOptimizer");
    // Views of the backend's memory on wasm: no tf op may run until the tables have applied them.
    const tableGrads = model.tables.map((t, i) => {
      const fieldGrad = readOnlyValues(grads[leaves[i]!.name]!);
      // The slot buffer is free again: pooling read it before the forward pass.
      return layout.pooled ? spreadFieldGradient(fieldGrad, layout, n, t.dim, slotBuffer(t, count * t.dim)) : fieldGrad;
    });
    lap("gradientRead");
    model.tables.forEach((table, i) => table.applyGradient(batch.ids, batch.values, count, tableGrads[i]!, options.sparse, scale));
    lap("sparseUpdate");
    const lossValue = value.dataSync()[0]!;
    value.dispose();
    tf.dispose(all);
    if (!Number.isFinite(lossValue)) throw new Error(`training diverged: the loss of step ${stepId} is ${lossValue}`);
    return lossValue;
  } finally {
    leaves.forEach((v) => v.dispose());
    labels.dispose();
    side?.dispose();
    lap("finish");
  }
}

/** Rows per inference batch. */
const PREDICT_BATCH = 4096;

/** Rows to predict: encoded rows in memory, or a dataset whose rows are on disk. */
export type PredictInput = EncodedInput | DiskDataset;

/**
 * Runs `model` in inference mode over `n` encoded rows in chunks; `pick` selects what to keep of each
 * chunk's output ([m] or [m, k]), returned concatenated in row order.
 */
export function predictOutputs(model: CtrModel, input: PredictInput, pick: (out: ModelOutput) => tf.Tensor, width: number, side?: SideInput): Float32Array {
  const { n, layout } = input;
  const rows = new RowRangeReader(input, layout.numSlots, PREDICT_BATCH);
  const out = new Float32Array(n * width);
  for (let start = 0; start < n; start += PREDICT_BATCH) {
    const m = Math.min(PREDICT_BATCH, n - start);
    const chunk = { ...rows.read(start, start + m), n: m, layout };
    const result = tf.tidy(() => {
      const sideInput = side === undefined ? undefined : tf.tensor2d(side.values.subarray(start * side.dim, (start + m) * side.dim), [m, side.dim]);
      return pick(model.forward(gatherEmbeddings(model, chunk), false, sideInput));
    });
    out.set(result.dataSync(), start * width);
    result.dispose();
  }
  return out;
}

/** Logits of `n` encoded rows, with the model in inference mode. */
export function predictLogits(model: CtrModel, input: PredictInput, side?: SideInput): Float32Array {
  return predictOutputs(model, input, (o) => o.logit, 1, side);
}
