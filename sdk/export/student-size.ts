import { loadScorerBase, type CompileOptions } from "./compile";
import { blobLayout, embeddingSectionBytes } from "./pack";
import type { DenseQuantize, Quantize } from "./quantize";
import { appendDataSegment } from "./wasm-patch";
import { instantiateBytes } from "./wasm-api";

/**
 * The exact size formula of student.wasm: the generic scorer module plus the packed blob (pack.ts blobLayout) as
 * one data segment, whose bytes depend on the shapes alone. Its gzip size is bounded, not predicted: zlib's
 * deflateBound for the default window and memory level (what gzip uses), plus gzip's 18-byte wrapper, so that
 * a student sized by it always fits.
 */

/** Bytes gzip adds around the deflate stream: a 10-byte header and an 8-byte trailer. */
export const GZIP_WRAPPER_BYTES = 18;

/** zlib's deflateBound (default windowBits and memLevel) plus the gzip wrapper: no gzip of `bytes` bytes is larger. */
export function gzipBound(bytes: number): number {
  const shift = (k: number) => Math.floor(bytes / 2 ** k);
  return bytes + shift(12) + shift(14) + shift(25) + 7 + GZIP_WRAPPER_BYTES;
}

/** What student.wasm's size depends on. */
export interface StudentShape {
  numFields: number;
  embeddingDim: number;
  /** Rows of the student's table (remap.totalRows of a compact one). */
  totalRows: number;
  hiddenUnits: readonly number[];
  /** Slots of each field (all ones without sequences). */
  slotCounts: readonly number[];
  /** Whether the embedding is compact (a remap table). */
  remapped: boolean;
  quantize: Quantize;
  /** How the dense layers are stored (default "none": f32; "int8": per-channel scales and int8 codes). */
  quantizeDense?: DenseQuantize;
}

/** Bytes of the packed blob of a student of `shape`. */
export function studentBlobBytes(shape: StudentShape): number {
  const widths = [shape.numFields * shape.embeddingDim, ...shape.hiddenUnits, 1];
  return blobLayout({
    numFields: shape.numFields,
    layers: widths.slice(1).map((outDim, i) => ({ inDim: widths[i]!, outDim })),
    pooled: shape.slotCounts.some((c) => c > 1),
    remapped: shape.remapped,
    embeddingBytes: embeddingSectionBytes(shape.totalRows, shape.embeddingDim, shape.quantize),
    quantizeDense: shape.quantizeDense ?? "none",
  }).blobBytes;
}

/** A student's predicted sizes: student.wasm exactly, its gzip at most. */
export interface PredictedSize {
  wasmBytes: number;
  gzipBytesAtMost: number;
}

/** The sizer of students compiled into this checkout's (or package's) scorer module. */
export async function studentSizer(compile?: CompileOptions): Promise<(shape: StudentShape) => PredictedSize> {
  const base = await loadScorerBase(compile);
  const modelBase = (instantiateBytes(base).exports as { modelBase(): number }).modelBase() >>> 0;
  return (shape) => {
    // The segment's bytes do not depend on the blob's content: a zero blob of the right length gives the exact size.
    const wasmBytes = appendDataSegment(base, modelBase, new Uint8Array(studentBlobBytes(shape))).byteLength;
    return { wasmBytes, gzipBytesAtMost: gzipBound(wasmBytes) };
  };
}
