export { shuffledBatches, sequentialBatches, type Batch } from "./batches";
export { DatasetBuilder, encodeRecords, encodeRecordStream, subsetDataset, type EncodedDataset, type EncodeOptions } from "./dataset";
export { FeatureMapFitter, fitFeatureMap } from "./feature-map-fit";
export { canonicalJson, checkSchema, featureMapId, loadFeatureMap, saveFeatureMap } from "./feature-map-io";
export { prepareData, readEncoded, readerOptions, type PrepareOptions, type PreparedData } from "./prepare";
export { deriveSeed, mulberry32, randNormal, shuffleInPlace, zipfSampler, type Rand } from "./prng";
export { generateSynthetic, syntheticFeatures, type SyntheticData, type SyntheticSplit } from "./synthetic";
export * from "./readers/index";
