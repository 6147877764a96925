import * as tf from "@tensorflow/tfjs-core";

/**
 * Kernel fixes for tfjs-backend-wasm 4.22, each measured on the training step of a 39-field, 400-400-400 model
 * at batch 1024 (BENCHMARKS.md "Training throughput"). All three give bit-identical results:
 *
 * - `matmulTranspose`: the wasm matmul runs ~10× slower when asked to transpose an operand (measured: 1.9 against
 *   17–25 GFLOP/s), and a dense layer's backward pass asks for exactly that. The two matmul kernels are
 *   re-registered so that a transposed operand is materialised first, then XNNPACK's fast path runs.
 * - `blockedTranspose`: the backend's 2-D Transpose writes its output with a stride of one output row; with 1024
 *   input rows (the batch size) that stride is 4 KiB and every write lands in the same cache set: 12–20 ms to
 *   transpose 1024×624 against 0.8 ms for 624×1024 (the same data). Transposes that swap the last two axes of a
 *   float32/int32 tensor (the matmul fix's, and `tf.transpose` of a matrix) are done in tiles on the wasm heap
 *   instead (~1 ms for 1024×624).
 * - `sumLeadingAxes`: Sum over axes that are not innermost (a bias gradient sums [1024, 400] over axis 0) first
 *   transposes with that same slow kernel; a float32 sum over a contiguous block of axes that excludes the last
 *   is done by adding whole rows in the same order as the backend's sequential float32 sum.
 *
 * `setWasmFixes` turns them off one by one (the benchmark's on/off measurement); the patch itself is installed
 * once, when the wasm backend is selected.
 */
export interface WasmFixes {
  matmulTranspose: boolean;
  blockedTranspose: boolean;
  sumLeadingAxes: boolean;
}

const fixes: WasmFixes = { matmulTranspose: true, blockedTranspose: true, sumLeadingAxes: true };

/** Switches fixes on or off (all on by default); returns the previous setting. */
export function setWasmFixes(change: Partial<WasmFixes>): WasmFixes {
  const previous = { ...fixes };
  Object.assign(fixes, change);
  return previous;
}

const MATMUL_KERNELS = ["BatchMatMul", "_FusedMatMul"] as const;

/** The parts of tfjs-backend-wasm's BackendWasm (public methods in its typings) that the fixes use. */
interface WasmBackendLike {
  disposeData(dataId: object): boolean;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Tile of the blocked transpose: TILE_ROWS source rows × TILE_COLS source columns. A tile's writes go to TILE_COLS
 * output rows that may all map to one cache set (a 4 KiB stride); 8 of them fit an 8-way L1. Measured, 1024×624:
 * 32 × 32 tiles 8.4 ms, 64 × 8 tiles 0.95 ms.
 */
const TILE_ROWS = 64;
const TILE_COLS = 8;

/** 32-bit views of a tensor's heap memory: bit copies, so NaN payloads survive. */
function heapInt32(backend: WasmBackendLike, t: tf.TensorInfo): Int32Array {
  const view = backend.typedArrayFromHeap(t);
  return new Int32Array(view.buffer, view.byteOffset, view.byteLength >> 2);
}

/** out[b][j][i] = x[b][i][j] for x [batch, rows, cols], in TILE_ROWS × TILE_COLS blocks. */
function transposeLastTwo(src: Int32Array, dst: Int32Array, batch: number, rows: number, cols: number): void {
  const size = rows * cols;
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    for (let i0 = 0; i0 < rows; i0 += TILE_ROWS) {
      const i1 = Math.min(i0 + TILE_ROWS, rows);
      for (let j0 = 0; j0 < cols; j0 += TILE_COLS) {
        const j1 = Math.min(j0 + TILE_COLS, cols);
        for (let i = i0; i < i1; i++) {
          const from = base + i * cols;
          for (let j = j0; j < j1; j++) dst[base + j * rows + i] = src[from + j]!;
        }
      }
    }
  }
}

/**
 * The blocked transpose of `x` when `perm` swaps its last two axes (leading axes in place) and its dtype is
 * 32-bit; null otherwise (the caller falls back to the backend's kernel).
 */
function blockedTranspose(backend: WasmBackendLike, x: tf.TensorInfo, perm: number[]): tf.TensorInfo | null {
  const rank = x.shape.length;
  if (rank < 2 || perm.length !== rank || (x.dtype !== "float32" && x.dtype !== "int32")) return null;
  for (let i = 0; i < rank - 2; i++) if (perm[i] !== i) return null;
  if (perm[rank - 2] !== rank - 1 || perm[rank - 1] !== rank - 2) return null;
  const rows = x.shape[rank - 2]!;
  const cols = x.shape[rank - 1]!;
  // A vector's "transpose" is a reshape, which the backend's kernel does without a copy.
  if (rows === 1 || cols === 1) return null;
  const batch = x.shape.slice(0, rank - 2).reduce((a, b) => a * b, 1);
  const outShape = [...x.shape.slice(0, rank - 2), cols, rows];
  // Allocate first: growing the heap detaches views taken before.
  const out = backend.makeOutput(outShape, x.dtype);
  if (batch * rows * cols > 0) transposeLastTwo(heapInt32(backend, x), heapInt32(backend, out), batch, rows, cols);
  return out;
}

/**
 * Sum of float32 `x` over `axes` when they form one contiguous block that excludes the last axis: with x viewed as
 * [outer, reduce, inner], out[o][k] = Σ_r x[o][r][k], accumulated in float32 in increasing r — the order of the
 * backend's kernel on its transposed copy. Null when not applicable (axes out of order, or including the last).
 */
function sumLeadingAxes(backend: WasmBackendLike, x: tf.TensorInfo, axis: number | number[] | null, keepDims: boolean): tf.TensorInfo | null {
  if (x.dtype !== "float32") return null;
  const rank = x.shape.length;
  // In the order given: the backend reduces the axes in that order (so [2, 1] is not [1, 2] bit for bit).
  const axes = axis === null || axis === undefined ? [...x.shape.keys()] : tf.util.parseAxisParam(axis, x.shape);
  if (axes.length === 0 || axes[axes.length - 1]! >= rank - 1) return null;
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1]! + 1) return null;
  const first = axes[0]!;
  const last = axes[axes.length - 1]!;
  const outer = x.shape.slice(0, first).reduce((a, b) => a * b, 1);
  const reduce = x.shape.slice(first, last + 1).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(last + 1).reduce((a, b) => a * b, 1);
  const outShape = keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : x.shape.filter((_, i) => i < first || i > last);
  const out = backend.makeOutput(outShape, "float32");
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  dst.fill(0);
  for (let o = 0; o < outer; o++) {
    const to = o * inner;
    for (let r = 0; r < reduce; r++) {
      const from = (o * reduce + r) * inner;
      for (let k = 0; k < inner; k++) dst[to + k]! += src[from + k]!;
    }
  }
  return out;
}

/** Re-registers `name` on wasm with `wrap(original)` as its kernel function. */
function replaceKernel(name: string, wrap: (original: tf.KernelFunc) => tf.KernelFunc): void {
  const original = tf.getKernel(name, "wasm");
  if (original === undefined) return;
  tf.unregisterKernel(name, "wasm");
  tf.registerKernel({ ...original, kernelFunc: wrap(original.kernelFunc) });
}

let patched = false;

export function patchWasmBackend(): void {
  if (patched) return;
  const transpose = tf.getKernel("Transpose", "wasm");
  if (transpose === undefined) throw new Error("wasm backend has no Transpose kernel");
  const transposeOf = (x: tf.TensorInfo, perm: number[], backend: object): tf.TensorInfo =>
    (fixes.blockedTranspose ? blockedTranspose(backend as WasmBackendLike, x, perm) : null) ??
    (transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo);

  replaceKernel("Transpose", (original) => (args) => {
    if (!fixes.blockedTranspose) return original(args);
    const { perm } = args.attrs as { perm: number[] };
    return blockedTranspose(args.backend as WasmBackendLike, args.inputs.x!, perm) ?? original(args);
  });

  replaceKernel("Sum", (original) => (args) => {
    if (!fixes.sumLeadingAxes) return original(args);
    const { axis, keepDims } = args.attrs as { axis: number | number[] | null; keepDims: boolean };
    return sumLeadingAxes(args.backend as WasmBackendLike, args.inputs.x!, axis, keepDims) ?? original(args);
  });

  for (const name of MATMUL_KERNELS)
    replaceKernel(name, (original) => (args) => {
      const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
      if (!fixes.matmulTranspose || (!attrs.transposeA && !attrs.transposeB)) return original(args);
      const backend = args.backend as WasmBackendLike;
      const inputs = { ...args.inputs } as Record<string, tf.TensorInfo>;
      const temporaries: tf.TensorInfo[] = [];
      const swapLastTwo = (t: tf.TensorInfo): tf.TensorInfo => {
        const rank = t.shape.length;
        const perm = [...Array(rank).keys()];
        perm[rank - 1] = rank - 2;
        perm[rank - 2] = rank - 1;
        const out = transposeOf(t, perm, args.backend);
        temporaries.push(out);
        return out;
      };
      if (attrs.transposeA) inputs.a = swapLastTwo(inputs.a!);
      if (attrs.transposeB) inputs.b = swapLastTwo(inputs.b!);
      const result = original({ ...args, inputs, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
      for (const t of temporaries) backend.disposeData(t.dataId);
      return result;
    });
  patched = true;
}
