/**
 * Compact student embeddings: the student keeps the shared feature map (its ids are the map's global rows)
 * but maps each field's ids into a table of its own, smaller than the field's vocabulary. The teachers are
 * unchanged. One remap per field, applied to the field's local index l = id − offset (0 ≤ l < size):
 *
 *   identity          row = l                                  rows = size
 *   clamp(c)          row = min(l, c)                          rows = c + 1
 *   hash(N)           row = fmix32(l) mod N                    rows = N
 *   qr(M)             row = l mod M, second = M + ⌊l / M⌋      rows = M + ⌈size / M⌉
 *
 * and the student row is the field's rowOffset + row (fields' tables are concatenated in field order). qr is the
 * compositional quotient–remainder embedding of Shi et al. (KDD 2020, "mult" operation): a field's vector is the
 * element-wise product of its remainder row (l mod M) and its quotient row (⌊l / M⌋, stored after the M remainder
 * rows), so every id keeps a distinct vector from about 2√size rows; the scaled product is (row · value) ⊙ second.
 * `fmix32` is MurmurHash3's 32-bit finaliser (Appleby, public domain), unsigned, the same in TypeScript
 * (here) and AssemblyScript (assembly/remap.ts). An id outside its field's range is refused, never clamped.
 *
 * What the config's kinds (sdk/config/schema.ts `student.embedding`) become per feature type
 * (`planEmbeddingRemap`); a kind that would not shrink a field leaves it identity:
 * - prune, keep K: frequency-ordered fields (categorical, log-square, sequence with a vocabulary: their
 *   vocabularies are sorted most frequent first) keep rows 0 (missing) .. K (the K most frequent values), and
 *   every other value and the out-of-vocabulary id share row K + 1: clamp(K + 1), K + 2 rows.
 *   Hashed fields (hashed, sequence with buckets) have no frequency order: their buckets are hashed into the
 *   same K + 2 rows, hash(K + 2). Numeric fields (2 rows) and quantile fields (quantiles + 3 rows, equally
 *   frequent buckets by construction) are kept whole.
 * - hash, buckets N: every field with more than N ids is hashed into N rows, hash(N).
 * - qr, buckets M: every field that M + ⌈size / M⌉ rows shrink gets qr(M) (M ≈ √size shrinks most).
 *
 * No Node or tfjs imports: the exporter, the JS scorer and the trainer share it.
 */
import type { FeatureMap, FeatureSpec } from "./feature-map";

/** How one field's local indices become its rows. */
export type RemapOp = "identity" | "clamp" | "hash" | "qr";

/** The op codes of the blob's remap table (assembly/layout.ts REMAP_*). */
export const REMAP_OP_CODE: Record<RemapOp, number> = { identity: 0, clamp: 1, hash: 2, qr: 3 };

export interface FieldRemap {
  /** First id of the field in the feature map (its `offset`). */
  inputOffset: number;
  /** Ids of the field in the feature map (its `size`). */
  inputSize: number;
  op: RemapOp;
  /** clamp: the last row (larger local indices share it); hash: the buckets N; qr: the remainder rows M; identity: 0. */
  param: number;
  /** First row of the field in the student's table. */
  rowOffset: number;
  /** Rows of the field in the student's table. */
  rows: number;
}

/** The whole student's remap: one entry per field, in field order. */
export interface EmbeddingRemap {
  fields: FieldRemap[];
  /** Ids accepted: the feature map's totalRows. */
  inputRows: number;
  /** Rows of the student's table: the sum of the fields' rows. */
  totalRows: number;
}

/** A field's compact embedding as the config gives it. */
export interface CompactKind {
  kind: "full" | "prune" | "hash" | "qr";
  /** prune: the most frequent values that keep a row of their own. */
  keep?: number;
  /** hash: the rows a field is hashed into; qr: the remainder rows M. */
  buckets?: number;
}

/** `student.embedding`: a kind for every field, and per-field overrides by feature name. */
export interface CompactEmbeddingSpec extends CompactKind {
  fields?: (CompactKind & { name: string })[];
}

/** MurmurHash3's fmix32 finaliser (unsigned): an integer hash with full avalanche. fmix32(0) = 0. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The row (within its field) of local index `local` under `f`'s op; `local` must be in [0, inputSize). */
export function remapLocal(f: Pick<FieldRemap, "op" | "param">, local: number): number {
  switch (f.op) {
    case "identity":
      return local;
    case "clamp":
      return Math.min(local, f.param);
    case "hash":
      return fmix32(local) % f.param;
    case "qr":
      return local % f.param;
  }
}

/** The second row (within its field) of local index `local`, multiplied into the first: qr's quotient row; -1 for the other ops. */
export function remapSecondLocal(f: Pick<FieldRemap, "op" | "param">, local: number): number {
  return f.op === "qr" ? f.param + Math.floor(local / f.param) : -1;
}

/** Rows of a field of `size` ids under qr(M): M remainder rows, then ⌈size / M⌉ quotient rows. */
export function qrRows(size: number, m: number): number {
  return m + Math.ceil(size / m);
}

/** Whether a feature's local indices run most frequent first (a vocabulary), so that pruning is a clamp. */
function frequencyOrdered(spec: FeatureSpec): boolean {
  return spec.type === "categorical" || spec.type === "log-square" || (spec.type === "sequence" && spec.buckets === undefined);
}

/** Whether a feature's ids are hash buckets (no frequency order). */
function hashedIds(spec: FeatureSpec): boolean {
  return spec.type === "hashed" || (spec.type === "sequence" && spec.buckets !== undefined);
}

/** The op and rows of one field under a kind; identity when the kind would not shrink it. */
function fieldOp(spec: FeatureSpec, kind: CompactKind): { op: RemapOp; param: number; rows: number } {
  const whole = { op: "identity" as const, param: 0, rows: spec.size };
  if (kind.kind === "prune") {
    const rows = kind.keep! + 2;
    if (rows >= spec.size) return whole;
    if (frequencyOrdered(spec)) return { op: "clamp", param: rows - 1, rows };
    if (hashedIds(spec)) return { op: "hash", param: rows, rows };
    return whole;
  }
  if (kind.kind === "hash" && kind.buckets! < spec.size) return { op: "hash", param: kind.buckets!, rows: kind.buckets! };
  if (kind.kind === "qr" && qrRows(spec.size, kind.buckets!) < spec.size) return { op: "qr", param: kind.buckets!, rows: qrRows(spec.size, kind.buckets!) };
  return whole;
}

/** A spec that a config would give but the map cannot honour (an unknown field, a missing keep or buckets). */
export class EmbeddingRemapError extends Error {
  override name = "EmbeddingRemapError";
}

/** A problem of a spec: the path of the key under `student.embedding`, and what is wrong. */
export interface CompactSpecProblem {
  path: (string | number)[];
  reason: string;
}

function kindProblem(kind: CompactKind, path: (string | number)[], sized = false): CompactSpecProblem | null {
  const positive = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1;
  if (sized) {
    const key = kind.kind === "hash" ? "buckets" : "keep";
    return kind[key] === undefined ? null : { path: [...path, key], reason: "is chosen by student.budgetBytes; give one or the other" };
  }
  if (kind.kind === "prune" && !positive(kind.keep)) return { path: [...path, "keep"], reason: 'kind "prune" needs \'keep\', an integer ≥ 1' };
  if ((kind.kind === "hash" || kind.kind === "qr") && !positive(kind.buckets))
    return { path: [...path, "buckets"], reason: `kind ${JSON.stringify(kind.kind)} needs 'buckets', an integer ≥ 1` };
  if (kind.kind !== "prune" && kind.keep !== undefined) return { path: [...path, "keep"], reason: `only for kind "prune"; this one is ${JSON.stringify(kind.kind)}` };
  if (kind.kind !== "hash" && kind.kind !== "qr" && kind.buckets !== undefined)
    return { path: [...path, "buckets"], reason: `only for kind "hash" or "qr"; this one is ${JSON.stringify(kind.kind)}` };
  return null;
}

/**
 * The first problem of a spec's kinds and field names (against `featureNames`), or null. `sized`: the student-wide
 * keep or buckets is left to student.budgetBytes (student-budget.ts), so it must be absent.
 */
export function compactSpecProblem(spec: CompactEmbeddingSpec, featureNames: readonly string[], sized = false): CompactSpecProblem | null {
  const top = kindProblem(spec, [], sized);
  if (top !== null) return top;
  const seen = new Set<string>();
  for (const [i, f] of (spec.fields ?? []).entries()) {
    if (!featureNames.includes(f.name)) return { path: ["fields", i, "name"], reason: `no feature '${f.name}'; the features are ${featureNames.join(", ")}` };
    if (seen.has(f.name)) return { path: ["fields", i, "name"], reason: `feature '${f.name}' is listed twice` };
    seen.add(f.name);
    const problem = kindProblem(f, ["fields", i]);
    if (problem !== null) return problem;
  }
  return null;
}

/** The remap `spec` gives a feature map: each field's op, its rows and where its table starts. */
export function planEmbeddingRemap(map: Pick<FeatureMap, "features" | "totalRows">, spec: CompactEmbeddingSpec): EmbeddingRemap {
  const problem = compactSpecProblem(spec, map.features.map((f) => f.name));
  if (problem !== null) throw new EmbeddingRemapError(`student.embedding${problem.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("")}: ${problem.reason}`);
  const byName = new Map((spec.fields ?? []).map((f) => [f.name, f]));
  let rowOffset = 0;
  const fields = map.features.map((feature) => {
    const { op, param, rows } = fieldOp(feature, byName.get(feature.name) ?? spec);
    const field: FieldRemap = { inputOffset: feature.offset, inputSize: feature.size, op, param, rowOffset, rows };
    rowOffset += rows;
    return field;
  });
  return { fields, inputRows: map.totalRows, totalRows: rowOffset };
}

/** Whether a remap changes nothing (every field identity): such a student is stored as a plain one. */
export function isIdentityRemap(remap: EmbeddingRemap): boolean {
  return remap.fields.every((f) => f.op === "identity");
}

/** The student's remap under `spec`, or undefined when there is none or it changes nothing (a plain student). */
export function compactRemapOf(map: Pick<FeatureMap, "features" | "totalRows">, spec: CompactEmbeddingSpec | undefined): EmbeddingRemap | undefined {
  if (spec === undefined) return undefined;
  const remap = planEmbeddingRemap(map, spec);
  return isIdentityRemap(remap) ? undefined : remap;
}

/**
 * Checks a remap's shape: fields contiguous in the feature map and in the table, rows consistent with each op.
 * The blob's reader (assembly/index.ts) checks the same. Returns a description of the first problem, or null.
 */
export function remapProblem(remap: EmbeddingRemap, numFields: number): string | null {
  if (!Array.isArray(remap.fields) || remap.fields.length !== numFields) return `has ${remap.fields?.length} fields, expected ${numFields}`;
  let input = 0;
  let rows = 0;
  for (const [i, f] of remap.fields.entries()) {
    const at = `field ${i}`;
    if (f.inputOffset !== input) return `${at} starts at id ${f.inputOffset}, expected ${input}`;
    if (f.rowOffset !== rows) return `${at} starts at row ${f.rowOffset}, expected ${rows}`;
    if (!(Number.isSafeInteger(f.inputSize) && f.inputSize >= 1 && Number.isSafeInteger(f.rows) && f.rows >= 1)) return `${at} needs inputSize and rows ≥ 1`;
    const ok =
      f.op === "identity"
        ? f.rows === f.inputSize && f.param === 0
        : f.op === "clamp"
          ? f.param === f.rows - 1 && f.rows <= f.inputSize
          : f.op === "hash"
            ? f.param === f.rows && f.rows <= 2 ** 31 - 1
            : f.op === "qr"
              ? Number.isSafeInteger(f.param) && f.param >= 1 && f.rows === qrRows(f.inputSize, f.param)
              : false;
    if (!ok) return `${at} has op ${JSON.stringify(f.op)}, param ${f.param} and ${f.rows} rows for ${f.inputSize} ids, which do not agree`;
    input += f.inputSize;
    rows += f.rows;
  }
  if (input !== remap.inputRows) return `fields cover ${input} ids, inputRows is ${remap.inputRows}`;
  if (rows !== remap.totalRows) return `fields take ${rows} rows, totalRows is ${remap.totalRows}`;
  return null;
}

/** The student row of every feature-map id: [inputRows], what the trainer gathers with and ONNX stores. */
export function remapLookup(remap: EmbeddingRemap): Int32Array {
  const lookup = new Int32Array(remap.inputRows);
  for (const f of remap.fields) {
    for (let l = 0; l < f.inputSize; l++) lookup[f.inputOffset + l] = f.rowOffset + remapLocal(f, l);
  }
  return lookup;
}

/** Whether some field multiplies a second row into its first (qr). */
export function hasSecondRows(remap: EmbeddingRemap): boolean {
  return remap.fields.some((f) => f.op === "qr");
}

/** The second student row of every feature-map id, -1 where none ([inputRows]); undefined when no field has one. */
export function remapSecondLookup(remap: EmbeddingRemap): Int32Array | undefined {
  if (!hasSecondRows(remap)) return undefined;
  const lookup = new Int32Array(remap.inputRows).fill(-1);
  for (const f of remap.fields) {
    if (f.op !== "qr") continue;
    for (let l = 0; l < f.inputSize; l++) lookup[f.inputOffset + l] = f.rowOffset + remapSecondLocal(f, l);
  }
  return lookup;
}

/**
 * The student rows of `n` encoded rows of `ids` (`slotCounts[f]` slots of field f each, in field order), field
 * by field from the ops (not the lookup): the JS scorer's path, an independent check of `remapLookup` and the
 * WASM kernel; `second` (when given) gets each id's second row or -1 (remapSecondLocal). Returns the flat index of the first id outside its field's range, or -1 when all map.
 */
export function remapSlotIds(remap: EmbeddingRemap, slotCounts: readonly number[], ids: Int32Array, n: number, out: Int32Array, second?: Int32Array): number {
  let i = 0;
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < slotCounts.length; f++) {
      const field = remap.fields[f]!;
      for (let s = 0; s < slotCounts[f]!; s++, i++) {
        const local = ids[i]! - field.inputOffset;
        if (!(local >= 0 && local < field.inputSize)) return i;
        out[i] = field.rowOffset + remapLocal(field, local);
        if (second !== undefined) second[i] = field.op === "qr" ? field.rowOffset + remapSecondLocal(field, local) : -1;
      }
    }
  }
  return -1;
}
