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
var cpu = (label, fn, reps = 3) => {
  tf3.tidy(() => fn().sum().dataSync());
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) tf3.tidy(() => fn().sum().dataSync());
  const c = process.cpuUsage(c0);
  console.log(label.padEnd(55), ((c.user + c.system) / 1e3 / reps).toFixed(1), "ms cpu");
};
var z = tf3.randomNormal([10240, 1248]);
var dy = tf3.randomNormal([10240, 32]);
var w = tf3.randomNormal([1248, 32]);
cpu("fwd z\xB7W [10240,1248]x[1248,32]", () => tf3.matMul(z, w));
cpu("dW = z\u1D40\xB7dy (transposeA, patched)", () => tf3.matMul(z, dy, true, false));
var zt = z.transpose();
cpu("transpose z", () => z.transpose());
cpu("dW = [1248,10240]x[10240,32] pre-transposed", () => tf3.matMul(zt, dy));
cpu("dW = (dy\u1D40\xB7z)\u1D40: [32,10240]x[10240,1248]", () => tf3.matMul(dy.transpose(), z).transpose());
cpu("dz = dy\xB7W\u1D40 (transposeB)", () => tf3.matMul(dy, w, false, true));
var x1 = tf3.randomNormal([1024, 390]);
var d1 = tf3.randomNormal([1024, 400]);
cpu("DNN dW [390,1024]x[1024,400] transposeA", () => tf3.matMul(x1, d1, true, false));
cpu("DNN dW via (d1\u1D40 x1)\u1D40", () => tf3.matMul(d1.transpose(), x1).transpose());
