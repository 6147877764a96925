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
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) tf3.tidy(() => {
    const r = fn();
    (Array.isArray(r) ? r : [r]).forEach((t) => t.dataSync());
  });
  const c = process.cpuUsage(c0);
  console.log(label.padEnd(50), ((performance.now() - t0) / reps).toFixed(1), "ms wall", ((c.user + c.system) / 1e3 / reps).toFixed(1), "ms cpu");
}
var B = 1024;
var F = 39;
var D = 10;
var P = F * (F - 1) / 2;
var e = tf3.randomNormal([B, F, D]);
var eT = e.transpose([1, 0, 2]);
var big = tf3.randomNormal([P, B, D]);
time("transpose [B,F,D]->[F,B,D]", () => e.transpose([1, 0, 2]), 10);
time("transpose [P,B,D]->[B,P,D]", () => big.transpose([1, 0, 2]), 3);
time("mul [P,B,D] x [P,B,D]", () => big.mul(big), 3);
time("sum(2) [P,B,D]", () => big.sum(2), 3);
time("pairs field-major: 38 slices, muls, concat0", () => {
  const r = [];
  for (let i = 0; i < F - 1; i++) r.push(eT.slice([i, 0, 0], [1, B, D]).mul(eT.slice([i + 1, 0, 0], [F - 1 - i, B, D])));
  return tf3.concat(r, 0);
}, 3);
time("grad pairs field-major", () => tf3.grad((x2) => {
  const r = [];
  for (let i = 0; i < F - 1; i++) r.push(x2.slice([i, 0, 0], [1, B, D]).mul(x2.slice([i + 1, 0, 0], [F - 1 - i, B, D])));
  return tf3.concat(r, 0).sum();
})(eT), 3);
time("pad axis0 [1,B,D]->[F,B,D]", () => tf3.pad(tf3.ones([1, B, D]), [[3, 35], [0, 0], [0, 0]]), 10);
var x = tf3.randomNormal([B, 1131]);
var w = tf3.randomNormal([1131, 400]);
time("matMul [B,1131]x[1131,400]", () => tf3.matMul(x, w), 5);
var q = tf3.randomNormal([B * 2, F, 20]);
var qt = q.transpose([0, 2, 1]);
time("batched [2048,39,20]x[2048,20,39]", () => tf3.matMul(q, qt), 3);
time("batched via transposeB", () => tf3.matMul(q, q, false, true), 3);
time("softmax [2048,39,39]", () => tf3.softmax(tf3.matMul(q, qt)), 3);
var s = tf3.softmax(tf3.matMul(q, qt));
time("grad softmax", () => tf3.grad((a) => tf3.softmax(a).mul(s).sum())(s), 3);
time("bcast mul cin [B,D,F,1]x[B,D,1,32]", () => tf3.randomNormal([B, D, F, 1]).mul(tf3.randomNormal([B, D, 1, 32])), 3);
