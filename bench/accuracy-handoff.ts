import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { shuffledBatches } from "../sdk/data/batches";
import type { EncodedDataset } from "../sdk/data/dataset";
import { mulberry32 } from "../sdk/data/prng";
import type { CtrModel } from "../sdk/models/model";

/**
 * What the PyTorch accuracy peer (bench/peers/torch_accuracy.py) reads: our encoded splits, our model's initial
 * weights and our batch order, as raw little-endian files in one folder (the layout is drawn in the peer's
 * docstring). Both sides then train on the very same rows, and the peer may start where ours starts.
 */

export const HANDOFF_SPLITS = ["train", "valid", "test"] as const;
export type HandoffSplit = (typeof HANDOFF_SPLITS)[number];

/** The `meta.json` of a hand-off folder. */
export interface HandoffMeta {
  fields: number;
  totalRows: number;
  rows: Record<HandoffSplit, number>;
}

function bytesOf(a: Int32Array | Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Writes the three splits (in memory, one slot per field: the peer pools nothing) and meta.json into `dir`. */
export function writeHandoff(dir: string, splits: Record<HandoffSplit, EncodedDataset>, totalRows: number): HandoffMeta {
  const fields = splits.train.layout.numFields;
  for (const s of HANDOFF_SPLITS) {
    const d = splits[s];
    if (d.layout.pooled) throw new RangeError(`writeHandoff: the ${s} split has pooled (sequence) fields; the PyTorch peer takes one slot per field`);
    if (d.layout.numFields !== fields) throw new RangeError(`writeHandoff: the ${s} split has ${d.layout.numFields} fields, train has ${fields}`);
    if (d.ids.length !== d.n * fields || d.values.length !== d.n * fields || d.labels.length !== d.n)
      throw new RangeError(`writeHandoff: the ${s} split's arrays do not hold ${d.n} rows of ${fields} fields`);
  }
  mkdirSync(dir, { recursive: true });
  for (const s of HANDOFF_SPLITS) {
    writeFileSync(join(dir, `${s}.ids.i32`), bytesOf(splits[s].ids));
    writeFileSync(join(dir, `${s}.values.f32`), bytesOf(splits[s].values));
    writeFileSync(join(dir, `${s}.labels.f32`), bytesOf(splits[s].labels));
  }
  const meta: HandoffMeta = { fields, totalRows, rows: { train: splits.train.n, valid: splits.valid.n, test: splits.test.n } };
  writeFileSync(join(dir, "meta.json"), JSON.stringify(meta) + "\n");
  return meta;
}

/** A weight's file under `init/`: `table-embedding.f32`, `dense-mlp_dense_0_kernel.f32`. */
function weightFile(kind: "table" | "dense", name: string): string {
  return `${kind}-${name.replaceAll("/", "_")}.f32`;
}

/** Writes `model`'s current weights (tables [rows, dim], dense variables by their ParamStore names) as init.json + init/. */
export function writeWeights(dir: string, model: CtrModel): void {
  mkdirSync(join(dir, "init"), { recursive: true });
  const spec = { tables: {} as Record<string, number[]>, dense: {} as Record<string, number[]> };
  for (const t of model.tables) {
    spec.tables[t.name] = [t.rows, t.dim];
    writeFileSync(join(dir, "init", weightFile("table", t.name)), bytesOf(t.weights));
  }
  for (const [name, v] of model.params.entries()) {
    spec.dense[name] = v.shape;
    writeFileSync(join(dir, "init", weightFile("dense", name)), bytesOf(v.dataSync() as Float32Array));
  }
  writeFileSync(join(dir, "init.json"), JSON.stringify(spec) + "\n");
}

/**
 * Writes order.i32, [epochs, n]: the rows of each epoch in the order fit() trains them, drawn by the very
 * batcher fit uses (shuffledBatches over mulberry32(seed), one generator across epochs).
 */
export function writeBatchOrder(dir: string, train: EncodedDataset, batchSize: number, seed: number, epochs: number): void {
  const order = new Int32Array(epochs * train.n);
  const rand = mulberry32(seed);
  for (let e = 0; e < epochs; e++) {
    let at = e * train.n;
    for (const batch of shuffledBatches(train, batchSize, rand)) {
      order.set(batch.index, at);
      at += batch.n;
    }
  }
  writeFileSync(join(dir, "order.i32"), bytesOf(order));
}

/** Reads `n` float32 logits written by the peer. */
export function readLogits(file: string, n: number): Float32Array {
  const bytes = readFileSync(file);
  if (bytes.byteLength !== n * 4) throw new RangeError(`readLogits: ${file} holds ${bytes.byteLength / 4} values, expected ${n}`);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
