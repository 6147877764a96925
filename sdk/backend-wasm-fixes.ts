import * as tf from "@tensorflow/tfjs";

/**
 * The wasm backend's matmul runs ~10× slower when asked to transpose an operand (measured: 1.9 against
 * 17–25 GFLOP/s), and a dense layer's backward pass asks for exactly that. We re-register the two matmul
 * kernels so that a transposed operand is materialised by the backend's own Transpose kernel first.
 */
const MATMUL_KERNELS = ["BatchMatMul", "_FusedMatMul"] as const;

interface WasmBackendLike {
  disposeData(dataId: object): boolean;
}

let patched = false;

export function patchWasmBackend(): void {
  if (patched) return;
  const transpose = tf.getKernel("Transpose", "wasm");
  if (transpose === undefined) throw new Error("wasm backend has no Transpose kernel");
  for (const name of MATMUL_KERNELS) {
    const original = tf.getKernel(name, "wasm");
    if (original === undefined) continue;
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
        if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
        const backend = args.backend as WasmBackendLike;
        const inputs = { ...args.inputs } as Record<string, tf.TensorInfo>;
        const temporaries: tf.TensorInfo[] = [];
        const swapLastTwo = (t: tf.TensorInfo): tf.TensorInfo => {
          const rank = t.shape.length;
          const perm = [...Array(rank).keys()];
          perm[rank - 1] = rank - 2;
          perm[rank - 2] = rank - 1;
          const out = transpose.kernelFunc({ inputs: { x: t }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
          temporaries.push(out);
          return out;
        };
        if (attrs.transposeA) inputs.a = swapLastTwo(inputs.a!);
        if (attrs.transposeB) inputs.b = swapLastTwo(inputs.b!);
        const result = original.kernelFunc({ ...args, inputs, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
        for (const t of temporaries) backend.disposeData(t.dataId);
        return result;
      },
    });
  }
  patched = true;
}
