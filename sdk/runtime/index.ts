/**
 * `ctr-distill/runtime`: what every scorer shares, with no Node and no tfjs — feature-map validation, the row
 * encoder and the WASM `Scorer`. Browsers, Deno, Bun and Workers import this.
 */
export { Scorer, ScorerError, ScoreOverflowError, SCORER_ABI_VERSION, type DenseStorage, type EmbeddingStorage, type ScorerInfo, type WasmBytes, type WasmModule } from "./scorer";
export { RowEncoder, EncodeError, type EncodedRows, type RawSource } from "./encode";
export { featureMapId } from "./feature-map-id";
export { modelIdOf } from "./model-id";
export {
  validateFeatureMap,
  FeatureMapError,
  FEATURE_MAP_FORMAT,
  FEATURE_MAP_VERSION,
  type FeatureMap,
  type FeatureSpec,
  type CategoricalFeature,
  type HashedFeature,
  type NumericFeature,
  type LogSquareFeature,
  type QuantileFeature,
  type SequenceFeature,
  type SequencePooling,
  type NumericTransform,
} from "./feature-map";
