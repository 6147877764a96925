// speed-tmp.ts
import * as tf3 from "@tensorflow/tfjs";

// sdk/backend.ts
import * as tf2 from "@tensorflow/tfjs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// sdk/backend-wasm-fixes.ts
import * as tf from "@tensorflow/tfjs";
var MATMUL_KERNELS = ["BatchMatMul", "_FusedMatMul"];
var patched = false;
function patchWasmBackend() {
  if (patched) return;
  const transpose = tf.getKernel("Transpose", "wasm");
  if (transpose === void 0) throw new Error("wasm backend has no Transpose kernel");
  for (const name of MATMUL_KERNELS) {
    const original = tf.getKernel(name, "wasm");
    if (original === void 0) continue;
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        const attrs = args.attrs;
        if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
        const backend = args.backend;
        const inputs = { ...args.inputs };
        const temporaries = [];
        const swapLastTwo = (t) => {
          const rank = t.shape.length;
          const perm = [...Array(rank).keys()];
          perm[rank - 1] = rank - 2;
          perm[rank - 2] = rank - 1;
          const out = transpose.kernelFunc({ inputs: { x: t }, backend: args.backend, attrs: { perm } });
          temporaries.push(out);
          return out;
        };
        if (attrs.transposeA) inputs.a = swapLastTwo(inputs.a);
        if (attrs.transposeB) inputs.b = swapLastTwo(inputs.b);
        const result = original.kernelFunc({ ...args, inputs, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
        for (const t of temporaries) backend.disposeData(t.dataId);
        return result;
      }
    });
  }
  patched = true;
}

// sdk/errors.ts
var UserError = class extends Error {
  name = "UserError";
};

// sdk/backend.ts
var BACKEND_ORDER = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];
var require2 = createRequire(import.meta.url);
async function tryNative(pkg) {
  try {
    await import(
      /* @vite-ignore */
      pkg
    );
    return tf2.getBackend() === "tensorflow" || await tf2.setBackend("tensorflow");
  } catch {
    return false;
  }
}
async function tryWasm() {
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const dist = dirname(require2.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"));
    wasm.setWasmPaths(join(dist, "/"));
    if (!await tf2.setBackend("wasm")) return false;
    patchWasmBackend();
    return true;
  } catch {
    return false;
  }
}
async function tryBackend(name) {
  switch (name) {
    case "tensorflow-gpu":
      return tryNative("@tensorflow/tfjs-node-gpu");
    case "tensorflow":
      return tryNative("@tensorflow/tfjs-node");
    case "wasm":
      return tryWasm();
    case "cpu":
      return tf2.setBackend("cpu");
  }
}
async function selectBackend(preferred) {
  if (preferred !== void 0) {
    if (!BACKEND_ORDER.includes(preferred))
      throw new UserError(`--backend must be one of ${BACKEND_ORDER.join(", ")}, got '${preferred}'`);
    if (!await tryBackend(preferred)) throw new UserError(`backend '${preferred}' could not be loaded here`);
    return { name: preferred, skipped: [] };
  }
  const skipped = [];
  for (const name of BACKEND_ORDER) {
    if (await tryBackend(name)) return { name, skipped };
    skipped.push(name);
  }
  throw new Error("no tfjs backend could be loaded");
}

// speed-tmp.ts
await selectBackend();
for (const k of ["ScatterNd", "GatherV2", "GatherNd", "TensorScatterUpdate", "UnsortedSegmentSum", "Slice", "Concat", "Pad", "PadV2", "Tile"]) console.log(k, !!tf3.getKernel(k, "wasm"));
function time(label, fn, reps = 3) {
  tf3.tidy(() => {
    const r = fn();
    (Array.isArray(r) ? r : [r]).forEach((t) => t.dataSync());
  });
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) tf3.tidy(() => {
    const r = fn();
    (Array.isArray(r) ? r : [r]).forEach((t) => t.dataSync());
  });
  console.log(label.padEnd(50), ((performance.now() - t0) / reps).toFixed(1), "ms");
}
var B = 1024;
var F = 39;
var D = 10;
var P = F * (F - 1) / 2;
var e = tf3.randomNormal([B, F, D]);
var I = [];
var J = [];
for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) {
  I.push(i);
  J.push(j);
}
var ii = tf3.tensor1d(I, "int32");
var jj = tf3.tensor1d(J, "int32");
time("gather axis1 [B,F,D] -> [B,P,D] x2 and mul", () => tf3.gather(e, ii, 1).mul(tf3.gather(e, jj, 1)));
var eT = e.transpose([1, 0, 2]);
time("transpose to [F,B,D]", () => e.transpose([1, 0, 2]));
time("gather axis0 [F,B,D] -> [P,B,D] x2 and mul", () => tf3.gather(eT, ii, 0).mul(tf3.gather(eT, jj, 0)));
var upd = tf3.randomNormal([P, B, D]);
time("scatterND [P,B,D] -> [F,B,D]", () => tf3.scatterND(ii.reshape([P, 1]), upd, [F, B, D]));
var S = tf3.oneHot(ii, F).transpose().toFloat();
time("onehot matmul [B*D,F]x[F,P]", () => tf3.matMul(e.transpose([0, 2, 1]).reshape([B * D, F]), S));
time("slice contiguous [B,1,D] x38", () => {
  const r = [];
  for (let i = 0; i < F - 1; i++) r.push(e.slice([0, i, 0], [B, 1, D]));
  return r;
});
time("concat 38 x [B,k,D]", () => tf3.concat(Array.from({ length: 20 }, () => tf3.ones([B, 37, D])), 1));
time("slice [B,1,D] once", () => e.slice([0, 3, 0], [B, 1, D]));
time("slice [B,k,D] on axis0-transposed once", () => eT.slice([3, 0, 0], [20, B, D]));
