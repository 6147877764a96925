/**
 * Test-only entry (compiled to build/scorer-kernels.wasm, never shipped): every SIMD kernel beside its
 * scalar reference, exported with raw pointer arguments, so tests can compare the two on awkward sizes.
 * Tests place their data at scratchBase() and grow `memory` themselves.
 */
export { denseF32x4, denseScalar } from "./dense";
export { gatherF32x4, gatherScalar, firstBadId } from "./embedding";
export { sigmoidColumn } from "./activations";
import { modelBaseAddress } from "./layout";

/** First free byte for test data (the same 64 KiB boundary the scorer puts its blob at). */
export function scratchBase(): usize {
  return modelBaseAddress();
}
