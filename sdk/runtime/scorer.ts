/**
 * Loader of a student scorer module (built by sdk/export/export-student.ts): instantiates it with no
 * imports, checks its ABI version and model blob, verifies the weights against the model id (sha256 in JS,
 * model-id.ts), and scores encoded rows in chunks of maxBatch.
 * No Node and no tfjs imports: it runs in Workers, browsers, Deno and Node alike. The ABI is documented
 * in assembly/index.ts.
 */
import { BLOB_VERSION, BLOB_VERSION_REMAPPED, HeaderField, REMAP_RECORD_BYTES, RemapField } from "./blob-header";
import { BLOB_BYTES_AT, BLOB_HEADER_BYTES, ID_HEX_LENGTH, modelIdOf } from "./model-id";
import { fieldOfSlot } from "./slots";

/** The module ABI this loader speaks (assembly/index.ts: ABI_VERSION). */
export const SCORER_ABI_VERSION = 1;

/** A compiled `WebAssembly.Module` (typed structurally: the SDK compiles without the DOM lib). */
export type WasmModule = object;

/** Bytes of a module: an ArrayBuffer or a view of one (`BufferSource`). */
export type WasmBytes = ArrayBuffer | ArrayBufferView;

/** A module that is not a scorer, a scorer that refused its model, or bad input to `score`. */
export class ScorerError extends Error {
  override name = "ScorerError";
  constructor(
    message: string,
    /** The module's status code, when the module reported one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * The model produced NaN for a row: its weights overflow float32 on that row's values (Inf − Inf). Only
 * inputs far beyond the training range do this, and a feature map with training ranges clips them first.
 */
export class ScoreOverflowError extends ScorerError {
  override name = "ScoreOverflowError";
  constructor(
    /** The 0-based row of the batch. */
    readonly row: number,
  ) {
    super(`Scorer.score: the model produced NaN for row ${row}: its weights overflow on the row's values`);
  }
}

/** An id a scorer refused: where it was, and the ids accepted there. */
export interface RefusedId {
  id: number;
  /** The 0-based row of the batch. */
  row: number;
  /** The id's slot, and the field that slot belongs to (the same number unless some field pools several slots). */
  slot: number;
  field: number;
  /** Whether some field pools several slots (the message then names the slot too). */
  pooled: boolean;
  /** The field's feature name, when the scorer knows its feature map. */
  name?: string;
  /** The ids accepted there, [from, to): the field's ids of the feature map with a compact embedding, else the table's rows. */
  from: number;
  to: number;
  /** Whether [from, to) is the field's own range (a compact embedding) rather than the whole table. */
  perField: boolean;
}

/** The words every scorer refuses an id with, e.g. "Scorer.score: id 40 at row 1, field 2 ('C3') is outside that field's ids [28, 42)". */
export function refusedIdMessage(fn: string, r: RefusedId): string {
  const where = `${r.pooled ? `slot ${r.slot} of ` : ""}field ${r.field}${r.name === undefined ? "" : ` ('${r.name}')`}`;
  const accepted = r.perField ? `that field's ids [${r.from}, ${r.to})` : `the embedding table [0, ${r.to})`;
  return `${fn}: id ${r.id} at row ${r.row}, ${where} is outside ${accepted}`;
}

/** How the module stores its embedding table (sdk/export/quantize.ts). */
export type EmbeddingStorage = "none" | "fp16" | "int8";

/** How the module stores and computes its dense layers: f32, or int8 weights with int16 inputs (sdk/export/dense-int8.ts). */
export type DenseStorage = "none" | "int8";

export interface ScorerInfo {
  abiVersion: number;
  modelId: string;
  featureMapId: string;
  /** F: fields per row the model sees (the feature map's features.length). */
  numFields: number;
  /** S ≥ F: ids and values per encoded row; above F when some field pools several slots (sdk/runtime/slots.ts). */
  numSlots: number;
  maxBatch: number;
  /** Rows of the module's embedding table: the feature map's totalRows, or fewer with a compact embedding (prune, hash, qr). */
  embeddingRows: number;
  /** The embedding table's storage: f32 ("none"), fp16, or int8 with a per-row scale. */
  quantize: EmbeddingStorage;
  /** The dense layers' storage: f32 ("none") or int8 with a per-channel scale. */
  quantizeDense: DenseStorage;
}

/** The part of the standard WebAssembly API the loader uses. */
interface WebAssemblyApi {
  Instance: new (module: WasmModule, imports: Record<string, never>) => { readonly exports: Record<string, unknown> };
  /** Absent or refused where code may not be compiled at run time (Cloudflare Workers). */
  compile?(bytes: WasmBytes): Promise<WasmModule>;
}

/** The exports of a scorer module (assembly/index.ts). */
interface ScorerExports {
  memory: { readonly buffer: ArrayBuffer };
  abiVersion(): number;
  init(): number;
  maxBatch(): number;
  numFields(): number;
  idsPtr(): number;
  valuesPtr(): number;
  outputPtr(): number;
  modelBase(): number;
  modelIdPtr(): number;
  featureMapIdPtr(): number;
  score(n: number): number;
  errorIndex(): number;
  /** Added within ABI 1; a module without it stores f32. */
  embeddingDtype?(): number;
  /** Added within ABI 1; a module without it has one slot per field. */
  numSlots?(): number;
  /** Added within ABI 1; a module without it computes f32 dense layers. */
  denseDtype?(): number;
}

const FUNCTION_EXPORTS = [
  "abiVersion", "modelBase", "init", "maxBatch", "numFields", "idsPtr", "valuesPtr", "outputPtr", "modelIdPtr", "featureMapIdPtr", "score", "errorIndex",
] as const;

/** The module's embedding dtype codes (assembly/layout.ts EMBEDDING_*). */
const STORAGE_OF_DTYPE: Record<number, EmbeddingStorage> = { 0: "none", 1: "int8", 2: "fp16" };

/** The module's dense dtype codes (assembly/layout.ts DENSE_*). */
const STORAGE_OF_DENSE_DTYPE: Record<number, DenseStorage> = { 0: "none", 1: "int8" };

/** Status codes of the module (assembly/index.ts STATUS_*) and what they mean. */
const STATUS_MESSAGES: Record<number, string> = {
  1: "the module holds no model (a bare scorer-base.wasm, not an exported student?)",
  2: "the model blob has a bad magic number (corrupted module?)",
  3: "the model blob's format version is not one this module reads",
  4: "the model blob's embedding type is not supported by this module",
  5: "the model blob's sizes or offsets are inconsistent (corrupted module?)",
  6: "out of memory while reserving scratch space",
  7: "batch size out of range",
  8: "an id is outside its field's ids (compact embedding) or the embedding table",
  9: "the model blob's dense-layer type is not supported by this module",
};

function statusMessage(status: number): string {
  return STATUS_MESSAGES[status] ?? `unknown status ${status}`;
}

function webAssembly(): WebAssemblyApi {
  const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (!api) throw new ScorerError("Scorer: this runtime has no WebAssembly");
  return api;
}

function checkExports(exports: Record<string, unknown>): ScorerExports {
  for (const name of FUNCTION_EXPORTS) {
    if (typeof exports[name] !== "function") throw new ScorerError(`Scorer: the module is not a ctr-distill scorer (no '${name}' export)`);
  }
  const memory = exports.memory as { buffer?: unknown } | undefined;
  if (!memory || !(memory.buffer instanceof ArrayBuffer)) throw new ScorerError("Scorer: the module exports no 'memory'");
  return exports as unknown as ScorerExports;
}

export class Scorer {
  readonly info: ScorerInfo;
  private readonly exports: ScorerExports;
  private readonly idsAt: number;
  private readonly valuesAt: number;
  private readonly outputAt: number;
  private buffer: ArrayBuffer | null = null;
  private i32 = new Int32Array(0);
  private f32 = new Float32Array(0);
  /** The feature names of the map checkFeatureMap accepted, by field (undefined until then): score's errors name fields by them. */
  private fieldNames: readonly (string | undefined)[] = [];

  private constructor(exports: ScorerExports) {
    this.exports = exports;
    const abiVersion = exports.abiVersion();
    if (abiVersion !== SCORER_ABI_VERSION)
      throw new ScorerError(`Scorer: the module speaks ABI version ${abiVersion}, this loader speaks ${SCORER_ABI_VERSION}`);
    let status: number;
    try {
      status = exports.init();
    } catch (e) {
      throw new ScorerError(`Scorer: the module trapped while reading its model (corrupted module?): ${(e as Error).message}`);
    }
    if (status !== 0) throw new ScorerError(`Scorer: the module refused its model: ${statusMessage(status)} (status ${status})`, status);
    const modelId = this.readAscii(exports.modelIdPtr() >>> 0, ID_HEX_LENGTH);
    this.verifyWeights(modelId);
    this.idsAt = exports.idsPtr() >>> 0;
    this.valuesAt = exports.valuesPtr() >>> 0;
    this.outputAt = exports.outputPtr() >>> 0;
    this.info = {
      abiVersion,
      modelId,
      featureMapId: this.readAscii(exports.featureMapIdPtr() >>> 0, ID_HEX_LENGTH),
      numFields: exports.numFields(),
      numSlots: typeof exports.numSlots === "function" ? exports.numSlots() : exports.numFields(),
      maxBatch: exports.maxBatch(),
      embeddingRows: this.blobU32(HeaderField.totalRows),
      quantize: typeof exports.embeddingDtype === "function" ? (STORAGE_OF_DTYPE[exports.embeddingDtype()] ?? "none") : "none",
      quantizeDense: typeof exports.denseDtype === "function" ? (STORAGE_OF_DENSE_DTYPE[exports.denseDtype()] ?? "none") : "none",
    };
  }

  /**
   * Recomputes the model id from the blob in memory (init() has checked that it lies inside memory): a
   * flipped bit in a weight, an embedding row or a shape refuses the module instead of serving under the
   * genuine id. Runs the same in every runtime, also where only a compiled module (no bytes) is at hand.
   */
  private verifyWeights(modelId: string): void {
    const base = this.exports.modelBase() >>> 0;
    const buffer = this.exports.memory.buffer;
    const blobBytes = base + BLOB_HEADER_BYTES <= buffer.byteLength ? new DataView(buffer).getUint32(base + BLOB_BYTES_AT, true) : 0;
    if (blobBytes < BLOB_HEADER_BYTES || base + blobBytes > buffer.byteLength)
      throw new ScorerError("Scorer: the module's model blob does not lie inside its memory (not a ctr-distill scorer?)");
    const actual = modelIdOf(new Uint8Array(buffer, base, blobBytes));
    if (actual !== modelId)
      throw new ScorerError(
        `Scorer: the module's weights do not match its model id: they hash to ${actual.slice(0, 12)}…, the module says ${modelId.slice(0, 12)}… (student.wasm was modified or corrupted)`,
      );
  }

  /** Instantiates a compiled module synchronously (`new WebAssembly.Instance(module, {})`): the Workers way. */
  static fromModule(module: WasmModule): Scorer {
    let instance: { readonly exports: Record<string, unknown> };
    try {
      instance = new (webAssembly().Instance)(module, {});
    } catch (e) {
      throw new ScorerError(`Scorer.fromModule: cannot instantiate the module with no imports: ${(e as Error).message}`);
    }
    return new Scorer(checkExports(instance.exports));
  }

  /** Compiles bytes then instantiates them (Node, browsers, Deno; Workers refuse to compile at run time). */
  static async fromBytes(bytes: WasmBytes): Promise<Scorer> {
    const api = webAssembly();
    if (typeof api.compile !== "function")
      throw new ScorerError("Scorer.fromBytes: this runtime cannot compile WebAssembly at run time; import the .wasm and use Scorer.fromModule");
    let module: WasmModule;
    try {
      module = await api.compile(bytes);
    } catch (e) {
      throw new ScorerError(`Scorer.fromBytes: not a valid WebAssembly module: ${(e as Error).message}`);
    }
    return Scorer.fromModule(module);
  }

  /**
   * Scores `n` encoded rows: `ids` and `values` hold `n * numSlots` entries each (`ids[r * S + s]`).
   * Returns n probabilities; batches over maxBatch are split into chunks.
   */
  score(ids: Int32Array, values: Float32Array, n: number): Float32Array {
    const { numSlots, maxBatch } = this.info;
    if (!Number.isInteger(n) || n < 0) throw new ScorerError(`Scorer.score: 'n' must be a non-negative integer, got ${n}`);
    if (!(ids instanceof Int32Array) || ids.length < n * numSlots)
      throw new ScorerError(`Scorer.score: 'ids' must be an Int32Array of at least n * numSlots = ${n * numSlots} entries, got ${describe(ids)}`);
    if (!(values instanceof Float32Array) || values.length < n * numSlots)
      throw new ScorerError(`Scorer.score: 'values' must be a Float32Array of at least n * numSlots = ${n * numSlots} entries, got ${describe(values)}`);
    const out = new Float32Array(n);
    for (let start = 0; start < n; start += maxBatch) {
      const m = Math.min(maxBatch, n - start);
      this.refreshViews();
      const from = start * numSlots;
      const to = from + m * numSlots;
      this.i32.set(ids.subarray(from, to), this.idsAt >>> 2);
      this.f32.set(values.subarray(from, to), this.valuesAt >>> 2);
      const status = this.exports.score(m);
      if (status !== 0) throw this.scoreError(status, ids, start);
      this.refreshViews();
      out.set(this.f32.subarray(this.outputAt >>> 2, (this.outputAt >>> 2) + m), start);
    }
    // The kernel's sigmoid maps every logit but NaN into [0, 1]; NaN means weights that overflow on this input.
    const bad = out.findIndex((p) => Number.isNaN(p));
    if (bad >= 0) throw new ScoreOverflowError(bad);
    return out;
  }

  /**
   * Throws unless `map` is the feature map this model was trained with (same id, same field count). Once it is
   * accepted, `score`'s errors name each field by its feature's name too.
   */
  checkFeatureMap(map: { id: string; features: unknown[] }): void {
    if (map.id !== this.info.featureMapId)
      throw new ScorerError(`Scorer.checkFeatureMap: feature map ${String(map.id)} is not the model's feature map ${this.info.featureMapId}`);
    if (map.features.length !== this.info.numFields)
      throw new ScorerError(`Scorer.checkFeatureMap: feature map has ${map.features.length} features, the model expects ${this.info.numFields}`);
    this.fieldNames = map.features.map((f) => {
      const name = typeof f === "object" && f !== null ? (f as { name?: unknown }).name : undefined;
      return typeof name === "string" ? name : undefined;
    });
  }

  private scoreError(status: number, ids: Int32Array, start: number): ScorerError {
    if (status === 8) {
      const at = this.exports.errorIndex();
      const { numFields, numSlots } = this.info;
      const slot = at % numSlots;
      const accepted = this.acceptedIds(slot);
      const refused = { id: ids[start * numSlots + at]!, row: start + Math.floor(at / numSlots), slot, pooled: numSlots !== numFields, ...accepted };
      return new ScorerError(refusedIdMessage("Scorer.score", { ...refused, name: this.fieldNames[accepted.field] }), status);
    }
    return new ScorerError(`Scorer.score: ${statusMessage(status)} (status ${status})`, status);
  }

  /** The u32 at byte `at` of the blob: a header field, or one of its tables (init() has checked that they lie inside memory). */
  private blobU32(at: number): number {
    return new DataView(this.exports.memory.buffer).getUint32((this.exports.modelBase() >>> 0) + at, true);
  }

  /**
   * The field of `slot` and the ids the module accepts there, read from the blob as the module reads them
   * (assembly/index.ts score): a compact embedding's (v3) field range from its remap table, else [0, totalRows).
   */
  private acceptedIds(slot: number): Pick<RefusedId, "field" | "from" | "to" | "perField"> {
    const version = this.blobU32(HeaderField.version);
    const { numFields } = this.info;
    let field = slot;
    if (version !== BLOB_VERSION) {
      const table = this.blobU32(HeaderField.slotTableOffset);
      field = fieldOfSlot(Array.from({ length: numFields }, (_, f) => this.blobU32(table + 4 * f)), slot);
    }
    if (version !== BLOB_VERSION_REMAPPED) return { field, from: 0, to: this.blobU32(HeaderField.totalRows), perField: false };
    const record = this.blobU32(HeaderField.remapTableOffset) + field * REMAP_RECORD_BYTES;
    const from = this.blobU32(record + RemapField.inputOffset);
    return { field, from, to: from + this.blobU32(record + RemapField.inputSize), perField: true };
  }

  /** Views over memory, rebuilt when it has grown (growth replaces the ArrayBuffer). */
  private refreshViews(): void {
    const buffer = this.exports.memory.buffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.i32 = new Int32Array(buffer);
      this.f32 = new Float32Array(buffer);
    }
  }

  private readAscii(ptr: number, length: number): string {
    const bytes = new Uint8Array(this.exports.memory.buffer, ptr, length);
    return String.fromCharCode(...bytes);
  }
}

function describe(v: unknown): string {
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
  return v === null ? "null" : typeof v;
}
