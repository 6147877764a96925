import type { Benchmark } from "./harness";

/** Every benchmark, loaded only when run; each module exports `benchmark: Benchmark`. */
export const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  accuracy: async () => (await import("./accuracy")).benchmark,
  data: async () => (await import("./data")).benchmark,
  score: async () => (await import("./score")).benchmark,
  train: async () => (await import("./train")).benchmark,
  worker: async () => (await import("./worker")).benchmark,
};
