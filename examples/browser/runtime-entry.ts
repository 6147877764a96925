/**
 * Entry of `ctr-distill-runtime.js`, the browser bundle of the project's loader and encoder
 * (`npm run build:browser`; generated, gitignored). Everything here is free of Node and tfjs.
 */
export { Scorer, ScorerError, SCORER_ABI_VERSION, type ScorerInfo } from "../../sdk/runtime/scorer";
export { RowEncoder, EncodeError, type EncodedRows } from "../../sdk/runtime/encode";
export { validateFeatureMap, FeatureMapError, type FeatureMap, type FeatureSpec } from "../../sdk/runtime/feature-map";
