import { Scorer, SCORER_ABI_VERSION } from "../runtime/scorer";
import { loadScorerBase, type CompileOptions } from "./compile";
import { JsScorer } from "./js-scorer";
import { packStudent } from "./pack";
import type { StudentWeights } from "./student-weights";
import { appendDataSegment } from "./wasm-patch";
import { instantiateBytes, webAssembly } from "./wasm-api";

export interface ExportOptions {
  /** sha256 hex id of the feature map the student was trained with. */
  featureMapId: string;
  /** Rows per call of the module's score() (default 256); larger batches are chunked by the loader. */
  maxBatch?: number;
  /** Where assembly/ lives and build/ goes (default: the repository of this file). */
  compile?: CompileOptions;
}

export interface ExportedStudent {
  /** The scorer module with the model inside: instantiable with `new WebAssembly.Instance(module, {})`. */
  wasm: Uint8Array;
  /** sha256 hex of the packed weights (see packStudent). */
  modelId: string;
}

/** Largest |wasm - js| accepted on the probe row that checks every export. */
const PROBE_TOLERANCE = 1e-4;

/** The exporter produced a module that does not behave: a bug, never the caller's mistake. */
export class ExportVerificationError extends Error {
  override name = "ExportVerificationError";
}

/**
 * Compiles the student into a standalone scorer: packs the weights, appends them to the generic scorer
 * module as a data segment at its modelBase(), then instantiates the result once to check its ids and a
 * probe row against the plain-JS forward pass.
 */
export async function exportStudentWasm(weights: StudentWeights, opts: ExportOptions): Promise<ExportedStudent> {
  const { blob, modelId } = packStudent(weights, { featureMapId: opts.featureMapId, maxBatch: opts.maxBatch });
  const base = await loadScorerBase(opts.compile);
  const bare = instantiateBytes(base).exports as { abiVersion(): number; modelBase(): number };
  if (bare.abiVersion() !== SCORER_ABI_VERSION)
    throw new ExportVerificationError(`exportStudentWasm: scorer-base.wasm has ABI ${bare.abiVersion()}, the loader speaks ${SCORER_ABI_VERSION}`);
  const wasm = appendDataSegment(base, bare.modelBase() >>> 0, blob);

  const scorer = Scorer.fromModule(new webAssembly.Module(wasm));
  if (scorer.info.modelId !== modelId || scorer.info.featureMapId !== opts.featureMapId)
    throw new ExportVerificationError("exportStudentWasm: the exported module reads back other ids than were packed");
  const F = weights.numFields;
  const ids = Int32Array.from({ length: F }, (_, f) => f % weights.totalRows);
  const values = new Float32Array(F).fill(1);
  const got = scorer.score(ids, values, 1)[0]!;
  const want = new JsScorer(weights).score(ids, values, 1)[0]!;
  if (!(Math.abs(got - want) <= PROBE_TOLERANCE))
    throw new ExportVerificationError(`exportStudentWasm: probe row scores ${got} in wasm, ${want} in JS`);
  return { wasm, modelId };
}
