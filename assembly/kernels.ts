/**
 * Test-only entry (compiled to build/scorer-kernels.wasm, never shipped): every SIMD kernel beside its
 * scalar reference, exported with raw pointer arguments, so tests can compare the two on awkward sizes.
 * Tests place their data at scratchBase() and grow `memory` themselves. The benchmark reuses it for the
 * f32x4 peak loop (peak.ts).
 */
export { denseF32x4, denseScalar } from "./dense";
export { denseInt8I16x8, denseInt8Scalar, quantizeRowsF32x4, quantizeRowsScalar } from "./dense-int8";
export {
  gatherF32x4, gatherScalar, gatherI8F32x4, gatherI8Scalar, gatherF16F32x4, gatherF16Scalar, firstBadId,
} from "./embedding";
export { f16ToF32 } from "./f16";
export { multiplySecondF32x4, multiplySecondScalar, remapIds, remapLocal } from "./remap";
export { poolSlotsF32x4, poolSlotsScalar } from "./pooling";
export { peakF32x4 } from "./peak";
export { sigmoidColumn } from "./activations";
import { modelBaseAddress } from "./layout";

/** First free byte for test data (the same 64 KiB boundary the scorer puts its blob at). */
export function scratchBase(): usize {
  return modelBaseAddress();
}
