/**
 * The feature map: the versioned contract between the trainer and every scorer (SDK, worker, browser).
 *
 * Every field encodes to one (id, value) pair per row, a sequence field to `maxLength` pairs (its slots, see
 * slots.ts), pooled by the model into one embedding:
 * - `id` is a global row of the concatenated embedding table (`offset` + local index);
 * - `value` scales that row (1 for categorical fields, the transformed number for plain numeric ones, 1/k for
 *   each of the k items of a mean-pooled sequence, 0 for its unused slots).
 *
 * Local indices per type (`size` rows each):
 * - categorical / log-square / quantile: 0 = missing, 1..V = vocabulary (or bucket), V+1 = out-of-vocabulary.
 * - hashed: 0 = missing, 1 + hash32(value) % buckets.
 * - numeric (none | standard | minmax): 0 = the value row (value = transformed x), 1 = missing (value 1).
 * - sequence: like categorical (or hashed, with `buckets`) per item; an empty or missing sequence is row 0 with
 *   value 1 in its first slot;
 *   unused slots are row 0 with value 0 (they add nothing).
 *
 * This file has no Node or tfjs imports: the worker and browsers load it as well.
 */
import { featureMapId } from "./feature-map-id";

/** Format tag and version written into every feature map; loaders refuse anything else. */
export const FEATURE_MAP_FORMAT = "ctr-distill/feature-map";
export const FEATURE_MAP_VERSION = 1;

export type NumericTransform = "none" | "standard" | "minmax";

export interface CategoricalFeature {
  name: string;
  type: "categorical";
  offset: number;
  size: number;
  /** Kept values in index order: vocab[i] has local index i + 1. */
  vocab: string[];
}

export interface HashedFeature {
  name: string;
  type: "hashed";
  offset: number;
  size: number;
  buckets: number;
}

export interface NumericFeature {
  name: string;
  type: "numeric";
  offset: number;
  size: 2;
  transform: NumericTransform;
  /** standard: (x - a) / b; minmax: (x - a) / (b - a), clipped to [0, 1]; none: x. */
  a: number;
  b: number;
  /**
   * The range seen in training (transforms none and standard; minmax clips already): inputs are clipped to
   * [min, max] before the transform, so that no value reaches the model far outside what it was trained on.
   * Absent in maps fitted before it existed, which encode values unclipped.
   */
  min?: number;
  max?: number;
}

/** Criteo's convention (FuxiCTR): `x > 2 ? floor(ln(x)^2) : x`, then a vocabulary over the results. */
export interface LogSquareFeature {
  name: string;
  type: "log-square";
  offset: number;
  size: number;
  vocab: string[];
}

/** Numeric value bucketed by sorted boundaries: bucket k holds boundaries[k-1] <= x < boundaries[k]. */
export interface QuantileFeature {
  name: string;
  type: "quantile";
  offset: number;
  size: number;
  boundaries: number[];
}

/**
 * Multi-valued categorical (tags, genres, a click history): items split by `separator` (or a JSON array), each
 * looked up like a categorical value; the last `maxLength` items are kept; their rows are summed ("sum") or
 * averaged ("mean", FuxiCTR's masked average pooling).
 */
export interface SequenceFeature {
  name: string;
  type: "sequence";
  offset: number;
  size: number;
  /** Items looked up like a categorical value (empty when the items are hashed). */
  vocab: string[];
  /** When set, items are hashed instead (1 + hash32(item) % buckets, as a hashed feature); size = buckets + 1. */
  buckets?: number;
  separator: string;
  maxLength: number;
  pooling: SequencePooling;
}

export type SequencePooling = "mean" | "sum";

export type FeatureSpec = CategoricalFeature | HashedFeature | NumericFeature | LogSquareFeature | QuantileFeature | SequenceFeature;

const FEATURE_TYPES: ReadonlySet<string> = new Set<FeatureSpec["type"]>(["categorical", "hashed", "numeric", "log-square", "quantile", "sequence"]);

/** Encoded columns (slots) a feature takes: `maxLength` for a sequence, else one. */
export function slotCount(spec: FeatureSpec): number {
  return spec.type === "sequence" ? spec.maxLength : 1;
}

export interface FeatureMap {
  format: typeof FEATURE_MAP_FORMAT;
  version: typeof FEATURE_MAP_VERSION;
  /** sha256 (hex) of the canonical JSON of every other key; see `featureMapId`. */
  id: string;
  label: string;
  features: FeatureSpec[];
  /** Rows of the concatenated embedding table: the sum of every feature's `size`. */
  totalRows: number;
}

/** A feature map whose format, version or shape is wrong. */
export class FeatureMapError extends Error {
  override name = "FeatureMapError";
}

const NUMERIC_TRANSFORMS: ReadonlySet<string> = new Set<NumericTransform>(["none", "standard", "minmax"]);

const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");
const isPositiveInteger = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;

/**
 * The rows a feature's type gives it (the encoder writes local indices below this and nothing else), or a
 * description of what is wrong with its type-specific keys. A size off this would let ids of one feature
 * alias rows of the next.
 */
function expectedSize(f: FeatureSpec): number | string {
  switch (f.type) {
    case "categorical":
    case "log-square":
      return isStringArray(f.vocab) ? f.vocab.length + 2 : "needs 'vocab', an array of strings";
    case "hashed":
      return isPositiveInteger(f.buckets) ? f.buckets + 1 : "needs integer 'buckets' ≥ 1";
    case "numeric":
      if (!NUMERIC_TRANSFORMS.has(f.transform)) return `has unknown transform ${JSON.stringify(f.transform)}`;
      if (!isFiniteNumber(f.a) || !isFiniteNumber(f.b)) return "needs finite numbers 'a' and 'b'";
      if ((f.transform === "standard" && f.b === 0) || (f.transform === "minmax" && !(f.b > f.a))) return `needs 'b' ≠ 0 (standard) or 'b' > 'a' (minmax)`;
      if ((f.min !== undefined || f.max !== undefined) && !(isFiniteNumber(f.min) && isFiniteNumber(f.max) && f.min <= f.max))
        return "needs finite 'min' ≤ 'max' (or neither)";
      return 2;
    case "quantile":
      if (!Array.isArray(f.boundaries) || !f.boundaries.every((x, i) => isFiniteNumber(x) && (i === 0 || x > f.boundaries[i - 1]!)))
        return "needs 'boundaries', increasing finite numbers";
      return f.boundaries.length + 3;
    case "sequence":
      if (!(isPositiveInteger(f.maxLength) && typeof f.separator === "string" && f.separator !== "" && (f.pooling === "mean" || f.pooling === "sum")))
        return `needs an integer maxLength ≥ 1, a non-empty separator and pooling "mean" or "sum"`;
      if (!isStringArray(f.vocab)) return "needs 'vocab', an array of strings";
      if (f.buckets === undefined) return f.vocab.length + 2;
      return isPositiveInteger(f.buckets) && f.vocab.length === 0 ? f.buckets + 1 : "needs integer buckets ≥ 1, an empty vocab and size buckets + 1";
  }
}

/**
 * Checks everything every loader relies on: format, version, each feature's type-specific keys and `size`,
 * contiguous offsets, totalRows, and the id recomputed from the content (sha256 of its canonical JSON),
 * so that an edited map that kept its old id is refused. Returns the map typed.
 */
export function validateFeatureMap(doc: unknown): FeatureMap {
  const map = doc as Partial<FeatureMap> | null;
  if (map === null || typeof map !== "object" || Array.isArray(map)) throw new FeatureMapError("feature map: expected a JSON object");
  if (map.format !== FEATURE_MAP_FORMAT)
    throw new FeatureMapError(`feature map: format must be "${FEATURE_MAP_FORMAT}", got ${JSON.stringify(map.format)}`);
  if (map.version !== FEATURE_MAP_VERSION)
    throw new FeatureMapError(`feature map: version ${String(map.version)} is not supported (expected ${FEATURE_MAP_VERSION})`);
  if (!Array.isArray(map.features) || map.features.length === 0)
    throw new FeatureMapError("feature map: 'features' must be a non-empty array");
  let offset = 0;
  for (const f of map.features) {
    if (f === null || typeof f !== "object" || typeof f.name !== "string") throw new FeatureMapError("feature map: every feature must be an object with a string 'name'");
    if (!FEATURE_TYPES.has(f.type)) throw new FeatureMapError(`feature map: feature '${f.name}' has unknown type ${JSON.stringify(f.type)}`);
    const size = expectedSize(f);
    const what = `${f.type === "sequence" && f.buckets !== undefined ? "hashed sequence" : f.type} feature '${f.name}'`;
    if (typeof size === "string") throw new FeatureMapError(`feature map: ${what} ${size}`);
    if (f.size !== size) throw new FeatureMapError(`feature map: ${what} has size ${String(f.size)}, expected ${size} for its type and keys`);
    if (f.offset !== offset) throw new FeatureMapError(`feature map: feature '${f.name}' has offset ${f.offset}, expected ${offset}`);
    offset += f.size;
  }
  if (map.totalRows !== offset) throw new FeatureMapError(`feature map: totalRows is ${map.totalRows}, features sum to ${offset}`);
  if (typeof map.id !== "string" || !/^[0-9a-f]{64}$/.test(map.id)) throw new FeatureMapError("feature map: 'id' must be a sha256 hex string");
  const actual = featureMapId(map);
  if (actual !== map.id)
    throw new FeatureMapError(`feature map: id ${map.id.slice(0, 12)}… does not match its content (sha256 ${actual.slice(0, 12)}…): the file was modified`);
  return map as FeatureMap;
}
