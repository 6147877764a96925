import type { Batch } from "./batches";
import type { DiskDataset } from "./dataset";
import { shuffleInPlace, type Rand } from "./prng";

/** Blocks read and shuffled together (tf.data's shuffle buffer): 4 × 16,384 rows by default. */
export const WINDOW_BLOCKS = 4;

/**
 * One epoch of a disk-backed dataset in a seeded random order, reading only whole blocks: the blocks in a
 * random order, taken `windowBlocks` at a time, each window's rows shuffled (Fisher–Yates with `rand`). A row
 * is thus mixed only with the rows of its window, but memory stays at the window and one batch. The yielded
 * arrays, `index` included, are buffers reused by the next batch; the last batch may be smaller (views).
 */
export function* blockShuffledBatches(ds: DiskDataset, batchSize: number, rand: Rand, windowBlocks = WINDOW_BLOCKS): Generator<Batch> {
  if (!Number.isInteger(windowBlocks) || windowBlocks < 1) throw new RangeError(`blockShuffledBatches: 'windowBlocks' must be an integer >= 1, got ${windowBlocks}`);
  const { store } = ds;
  const S = ds.layout.numSlots;
  const B = store.blockRows;
  const blocks = Int32Array.from({ length: store.numBlocks }, (_, b) => b);
  shuffleInPlace(blocks, rand);
  const windowIds = new Int32Array(windowBlocks * B * S);
  const windowValues = new Float32Array(windowBlocks * B * S);
  /** Dataset row of each row of the window. */
  const windowRows = new Int32Array(windowBlocks * B);
  const order = new Int32Array(windowBlocks * B);
  const ids = new Int32Array(batchSize * S);
  const values = new Float32Array(batchSize * S);
  const labels = new Float32Array(batchSize);
  const index = new Int32Array(batchSize);
  let k = 0;
  for (let w = 0; w < blocks.length; w += windowBlocks) {
    let rows = 0;
    for (const b of blocks.subarray(w, w + windowBlocks)) {
      const start = b * B;
      const end = Math.min(ds.n, start + B);
      store.read(start, end, windowIds.subarray(rows * S), windowValues.subarray(rows * S));
      for (let r = start; r < end; r++) windowRows[rows++] = r;
    }
    const window = order.subarray(0, rows);
    for (let i = 0; i < rows; i++) window[i] = i;
    shuffleInPlace(window, rand);
    for (const p of window) {
      ids.set(windowIds.subarray(p * S, p * S + S), k * S);
      values.set(windowValues.subarray(p * S, p * S + S), k * S);
      index[k] = windowRows[p]!;
      labels[k] = ds.labels[index[k]!]!;
      if (++k === batchSize) {
        yield { ids, values, labels, n: k, index };
        k = 0;
      }
    }
  }
  if (k > 0) yield { ids: ids.subarray(0, k * S), values: values.subarray(0, k * S), labels: labels.subarray(0, k), n: k, index: index.subarray(0, k) };
}
