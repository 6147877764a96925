/**
 * The package depends on tfjs-core and the cpu and wasm backends, not the whole `@tensorflow/tfjs` (layers,
 * converter, data, webgl: ~200 MB a user would install for nothing); tfjs-node brings its own when installed.
 */
import * as tf from "@tensorflow/tfjs-core";
// The chained tensor methods (`x.add(y)`) are registered by tfjs-core itself; this import brings their types.
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js";
// Gradients of the ops are not (the union package `@tensorflow/tfjs` registers them): training needs them.
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
// Registers the "cpu" backend, the last resort (and what the wasm backend falls back on for a few kernels).
import "@tensorflow/tfjs-backend-cpu";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { patchWasmBackend } from "./backend-wasm-fixes";
import { UserError } from "./errors";

/** Backends in the order tried: the first that loads runs the training. */
export const BACKEND_ORDER = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

const require = createRequire(import.meta.url);

/** tfjs-node(-gpu) are optional dependencies: present only where their native library installed. */
async function tryNative(pkg: "@tensorflow/tfjs-node-gpu" | "@tensorflow/tfjs-node"): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ pkg);
    return tf.getBackend() === "tensorflow" || (await tf.setBackend("tensorflow"));
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"));
    wasm.setWasmPaths(join(dist, "/"));
    if (!(await tf.setBackend("wasm"))) return false;
    patchWasmBackend();
    return true;
  } catch {
    return false;
  }
}

async function tryBackend(name: BackendName): Promise<boolean> {
  switch (name) {
    case "tensorflow-gpu":
      return tryNative("@tensorflow/tfjs-node-gpu");
    case "tensorflow":
      return tryNative("@tensorflow/tfjs-node");
    case "wasm":
      return tryWasm();
    case "cpu":
      return tf.setBackend("cpu");
  }
}

export interface BackendChoice {
  name: BackendName;
  /** Backends tried before it and why they were passed over, for the log. */
  skipped: string[];
}

/**
 * Chooses the training backend: `preferred` alone when given (an error if it cannot load), otherwise the
 * first of BACKEND_ORDER that loads.
 */
export async function selectBackend(preferred?: string): Promise<BackendChoice> {
  if (preferred !== undefined) {
    if (!(BACKEND_ORDER as readonly string[]).includes(preferred))
      throw new UserError(`--backend must be one of ${BACKEND_ORDER.join(", ")}, got '${preferred}'`);
    if (!(await tryBackend(preferred as BackendName))) throw new UserError(`backend '${preferred}' could not be loaded here`);
    return { name: preferred as BackendName, skipped: [] };
  }
  const skipped: string[] = [];
  for (const name of BACKEND_ORDER) {
    if (await tryBackend(name)) return { name, skipped };
    skipped.push(name);
  }
  throw new Error("no tfjs backend could be loaded");
}
