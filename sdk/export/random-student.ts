import { mulberry32 } from "../data/prng";
import type { StudentWeights } from "./student-weights";

export interface RandomStudentOptions {
  numFields: number;
  embeddingDim: number;
  totalRows: number;
  hiddenUnits: readonly number[];
  seed: number;
  /** Embeddings ~ U(−s, s). */
  embeddingScale: number;
  /** Biases ~ U(−s, s). */
  biasScale: number;
  /** Slots of each field (StudentWeights.slotCounts); absent: one per field. */
  slotCounts?: readonly number[];
}

/**
 * A seeded, untrained student with Glorot-uniform dense layers: the model of benchmarks and fixtures, where
 * only sizes and speed matter (its scores mean nothing).
 */
export function randomStudentWeights(o: RandomStudentOptions): StudentWeights {
  const rand = mulberry32(o.seed);
  const uniform = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const dims = [o.numFields * o.embeddingDim, ...o.hiddenUnits, 1];
  const layers = dims.slice(1).map((outDim, i) => {
    const inDim = dims[i]!;
    return {
      inDim,
      outDim,
      weights: uniform(inDim * outDim, Math.sqrt(6 / (inDim + outDim))),
      bias: uniform(outDim, o.biasScale),
      activation: (i === dims.length - 2 ? "linear" : "relu") as "linear" | "relu",
    };
  });
  const embedding = uniform(o.totalRows * o.embeddingDim, o.embeddingScale);
  const weights: StudentWeights = { numFields: o.numFields, embeddingDim: o.embeddingDim, totalRows: o.totalRows, embedding, layers };
  if (o.slotCounts) weights.slotCounts = [...o.slotCounts];
  return weights;
}
