import { blockShuffledBatches } from "./block-shuffle";
import { RowRangeReader, type EncodedDataset, type RowDataset } from "./dataset";
import { shuffleInPlace, type Rand } from "./prng";

/**
 * A mini-batch: `n` rows, slots laid out as in EncodedDataset, and `index`, the dataset rows of the batch
 * (to join per-row data such as logged teacher scores).
 */
export interface Batch {
  ids: Int32Array;
  values: Float32Array;
  labels: Float32Array;
  n: number;
  index: Int32Array;
}

function checkBatchSize(fn: string, batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${fn}: 'batchSize' must be an integer >= 1, got ${batchSize}`);
}

/**
 * One epoch in a random order. In memory, a Fisher–Yates shuffle of every row with `rand`; on disk, shuffled
 * blocks and rows shuffled within windows of blocks (blockShuffledBatches). The yielded arrays are buffers
 * reused by the next batch: copy (or upload) them before advancing. The last batch may be smaller; its arrays
 * are then views of length n·numSlots and n.
 */
export function shuffledBatches(ds: RowDataset, batchSize: number, rand: Rand): Generator<Batch> {
  checkBatchSize("shuffledBatches", batchSize);
  return "store" in ds ? blockShuffledBatches(ds, batchSize, rand) : memoryShuffledBatches(ds, batchSize, rand);
}

function memoryShuffledBatches(ds: EncodedDataset, batchSize: number, rand: Rand): Generator<Batch> {
  return stackedShuffledBatches([ds], batchSize, rand);
}

/**
 * One epoch over in-memory datasets stacked end to end, as if concatenated (nothing is copied): row r of part
 * k has index r + the rows of the parts before it. A Fisher–Yates shuffle of every row with `rand`; buffers as
 * `shuffledBatches` yields them. The parts share one slot layout.
 */
export function* stackedShuffledBatches(parts: readonly EncodedDataset[], batchSize: number, rand: Rand): Generator<Batch> {
  checkBatchSize("stackedShuffledBatches", batchSize);
  const F = parts[0]!.layout.numSlots;
  const starts = new Int32Array(parts.length + 1);
  parts.forEach((p, k) => {
    if (p.layout.numSlots !== F) throw new RangeError(`stackedShuffledBatches: part ${k} has ${p.layout.numSlots} slots per row, part 0 has ${F}`);
    starts[k + 1] = starts[k]! + p.n;
  });
  const total = starts[parts.length]!;
  const order = new Int32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  shuffleInPlace(order, rand);
  const ids = new Int32Array(batchSize * F);
  const values = new Float32Array(batchSize * F);
  const labels = new Float32Array(batchSize);
  for (let start = 0; start < total; start += batchSize) {
    const n = Math.min(batchSize, total - start);
    const index = order.subarray(start, start + n);
    for (let k = 0; k < n; k++) {
      let part = 0;
      while (index[k]! >= starts[part + 1]!) part++;
      const ds = parts[part]!;
      const r = index[k]! - starts[part]!;
      ids.set(ds.ids.subarray(r * F, r * F + F), k * F);
      values.set(ds.values.subarray(r * F, r * F + F), k * F);
      labels[k] = ds.labels[r]!;
    }
    yield n === batchSize
      ? { ids, values, labels, n, index }
      : { ids: ids.subarray(0, n * F), values: values.subarray(0, n * F), labels: labels.subarray(0, n), n, index };
  }
}

/**
 * Batches in dataset order (evaluation, scoring): views of an in-memory dataset, no copies; a disk-backed one
 * is read into buffers reused by the next batch.
 */
export function* sequentialBatches(ds: RowDataset, batchSize: number): Generator<Batch> {
  checkBatchSize("sequentialBatches", batchSize);
  const reader = new RowRangeReader(ds, ds.layout.numSlots, batchSize);
  const all = new Int32Array(ds.n);
  for (let i = 0; i < ds.n; i++) all[i] = i;
  for (let start = 0; start < ds.n; start += batchSize) {
    const end = Math.min(ds.n, start + batchSize);
    yield {
      ...reader.read(start, end),
      labels: ds.labels.subarray(start, end),
      n: end - start,
      index: all.subarray(start, end),
    };
  }
}

/** One training epoch: `shuffledBatches` under the name the trainer uses. */
export const epochBatches = shuffledBatches;
