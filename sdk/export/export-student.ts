import { UserError } from "../errors";
import { Scorer, SCORER_ABI_VERSION } from "../runtime/scorer";
import { loadScorerBase, type CompileOptions } from "./compile";
import { JsScorer } from "./js-scorer";
import { packStudent } from "./pack";
import {
  dequantizedStudent, DENSE_QUANTIZE_ORDER, isDenseQuantize, isQuantize, QUANTIZE_ORDER, QuantizeRangeError, type DenseQuantize, type Quantize,
} from "./quantize";
import { studentSlots, type StudentWeights } from "./student-weights";
import { appendDataSegment } from "./wasm-patch";
import { instantiateBytes, webAssembly } from "./wasm-api";

export interface ExportOptions {
  /** sha256 hex id of the feature map the student was trained with. */
  featureMapId: string;
  /** Rows per call of the module's score() (default 256); larger batches are chunked by the loader. */
  maxBatch?: number;
  /**
   * How the embedding table is stored: "none" (f32), "fp16" or "int8" (per-row scale); dense layers stay
   * f32 unless `quantizeDense` says otherwise. Default: "none", or with `budget` the least lossy option that fits.
   */
  quantize?: Quantize;
  /**
   * How the dense layers are stored and computed: "none" (f32, the default) or "int8" (per-output-channel int8
   * weights, inputs quantised to int16 per row, integer dot products; dense-int8.ts). A budget never picks it on
   * its own: it changes the arithmetic, not only the storage, so its AUC cost is the caller's to accept.
   */
  quantizeDense?: DenseQuantize;
  /**
   * Largest student.wasm, in bytes. Without `quantize`, the first of none → fp16 → int8 that fits is
   * chosen (dense layers as `quantizeDense` says); with it, that option must fit. A UserError says how big
   * the smallest option is otherwise.
   */
  budget?: number;
  /** Where assembly/ lives and build/ goes (default: the repository of this file). */
  compile?: CompileOptions;
}

export interface ExportedStudent {
  /** The scorer module with the model inside: instantiable with `new WebAssembly.Instance(module, {})`. */
  wasm: Uint8Array;
  /** sha256 hex of the packed weights (see packStudent). */
  modelId: string;
  /** How the embedding table was stored. */
  quantize: Quantize;
  /** How the dense layers were stored. */
  quantizeDense: DenseQuantize;
  /** Bytes of the embedding section inside the module. */
  embeddingBytes: number;
}

/** Largest |wasm - js| accepted on the probe row that checks every export. */
const PROBE_TOLERANCE = 1e-4;

/** The exporter produced a module that does not behave: a bug, never the caller's mistake. */
export class ExportVerificationError extends Error {
  override name = "ExportVerificationError";
}

/** The quantisations to try, in order: the asked-for one, or all of them least lossy first under a budget. */
function candidatesOf(opts: ExportOptions): Quantize[] {
  const fn = "exportStudentWasm";
  if (opts.quantize !== undefined && !isQuantize(opts.quantize))
    throw new UserError(`${fn}: 'quantize' must be one of ${QUANTIZE_ORDER.join(", ")}, got ${JSON.stringify(opts.quantize)}`);
  if (opts.quantizeDense !== undefined && !isDenseQuantize(opts.quantizeDense))
    throw new UserError(`${fn}: 'quantizeDense' must be one of ${DENSE_QUANTIZE_ORDER.join(", ")}, got ${JSON.stringify(opts.quantizeDense)}`);
  if (opts.budget !== undefined && !(Number.isInteger(opts.budget) && opts.budget > 0))
    throw new UserError(`${fn}: 'budget' must be a positive whole number of bytes, got ${String(opts.budget)}`);
  if (opts.quantize !== undefined) return [opts.quantize];
  return opts.budget === undefined ? ["none"] : [...QUANTIZE_ORDER];
}

/**
 * Compiles the student into a standalone scorer: packs the weights (quantising the embedding table when
 * asked, or as a byte budget requires, and the dense layers when asked), appends them to the generic scorer module as a data segment at
 * its modelBase(), then instantiates the result once to check its ids and a probe row against the
 * plain-JS forward pass over the same (dequantised) weights.
 */
export async function exportStudentWasm(weights: StudentWeights, opts: ExportOptions): Promise<ExportedStudent> {
  const candidates = candidatesOf(opts);
  const quantizeDense = opts.quantizeDense ?? "none";
  const base = await loadScorerBase(opts.compile);
  const bare = instantiateBytes(base).exports as { abiVersion(): number; modelBase(): number };
  if (bare.abiVersion() !== SCORER_ABI_VERSION)
    throw new ExportVerificationError(`exportStudentWasm: scorer-base.wasm has ABI ${bare.abiVersion()}, the loader speaks ${SCORER_ABI_VERSION}`);

  const tried: string[] = [];
  for (const quantize of candidates) {
    let packed: ReturnType<typeof packStudent>;
    try {
      packed = packStudent(weights, { featureMapId: opts.featureMapId, maxBatch: opts.maxBatch, quantize, quantizeDense });
    } catch (e) {
      if (!(e instanceof QuantizeRangeError)) throw e;
      if (candidates.length === 1) throw new UserError(`exportStudentWasm: cannot store the embeddings as ${quantize}: ${e.message}`);
      tried.push(`${quantize}: not possible (${e.message})`);
      continue;
    }
    const wasm = appendDataSegment(base, bare.modelBase() >>> 0, packed.blob);
    if (opts.budget !== undefined && wasm.byteLength > opts.budget) {
      tried.push(`${quantize}: ${wasm.byteLength.toLocaleString("en-US")} bytes`);
      continue;
    }
    verifyExport(wasm, packed.modelId, weights, quantize, quantizeDense, opts.featureMapId);
    return { wasm, modelId: packed.modelId, quantize, quantizeDense, embeddingBytes: packed.embeddingBytes };
  }
  const smallest = tried[tried.length - 1] ?? "";
  throw new UserError(
    `exportStudentWasm: no student.wasm fits the budget of ${opts.budget!.toLocaleString("en-US")} bytes; ` +
      `the smallest option is ${smallest} (tried ${tried.join("; ")}${quantizeDense === "int8" ? ", dense layers int8" : ""}). ` +
      `${quantizeDense === "int8" ? "" : "Dense layers in int8 (quantizeDense \"int8\") take about a quarter of their f32 bytes; beyond that, "}` +
      "quantisation is all an export can do: a smaller model needs retraining with fewer hash buckets, a higher minCount or a smaller embeddingDim",
  );
}

/** Instantiates the export once: the ids it reads back, and a probe row within PROBE_TOLERANCE of JS. */
function verifyExport(wasm: Uint8Array, modelId: string, weights: StudentWeights, quantize: Quantize, quantizeDense: DenseQuantize, featureMapId: string): void {
  const scorer = Scorer.fromModule(new webAssembly.Module(wasm));
  if (scorer.info.modelId !== modelId || scorer.info.featureMapId !== featureMapId)
    throw new ExportVerificationError("exportStudentWasm: the exported module reads back other ids than were packed");
  const layout = studentSlots(weights);
  const S = layout.numSlots;
  const fieldOfSlot = layout.slotCounts.flatMap((count, f) => new Array<number>(count).fill(f));
  // A compact student takes the feature map's ids, each within its field's range.
  const { remap } = weights;
  const ids = Int32Array.from({ length: S }, (_, s) => {
    if (remap === undefined) return s % weights.totalRows;
    const field = remap.fields[fieldOfSlot[s]!]!;
    return field.inputOffset + ((s * 7919) % field.inputSize);
  });
  const values = new Float32Array(S).fill(1);
  const got = scorer.score(ids, values, 1)[0]!;
  const want = new JsScorer(dequantizedStudent(weights, quantize), { quantizeDense }).score(ids, values, 1)[0]!;
  if (!(Math.abs(got - want) <= PROBE_TOLERANCE))
    throw new ExportVerificationError(`exportStudentWasm: probe row scores ${got} in wasm, ${want} in JS`);
}
