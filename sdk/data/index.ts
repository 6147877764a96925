export { shuffledBatches, sequentialBatches, type Batch } from "./batches";
export { DatasetBuilder, DiskDatasetBuilder, encodeRecords, encodeRecordStream, RowRangeReader, subsetDataset, type DatasetInfo, type DiskDataset, type EncodedDataset, type EncodeOptions, type InMemoryRows, type RowDataset } from "./dataset";
export { DiskRows, DiskRowWriter } from "./disk-rows";
export { FeatureMapFitter, fitFeatureMap } from "./feature-map-fit";
export { canonicalJson, checkSchema, featureMapId, loadFeatureMap, saveFeatureMap } from "./feature-map-io";
export { disposeData, prepareData, readEncoded, readerOptions, type PrepareOptions, type PreparedData } from "./prepare";
export { deriveSeed, mulberry32, randNormal, shuffleInPlace, zipfSampler, type Rand } from "./prng";
export { generateSynthetic, syntheticFeatures, type SyntheticData, type SyntheticSplit } from "./synthetic";
export * from "./readers/index";
