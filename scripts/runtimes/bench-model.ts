/**
 * The model every runtime times in `npm run test:runtimes`: Criteo-shaped (13 log-square counts and 26
 * hashed categoricals) plus a mean-pooled hashed sequence of up to 5 tags, so every runtime runs the pooling
 * kernel too (40 fields, 44 slots); the criteo-sample student's shape (embeddingDim 8, hiddenUnits 64-32),
 * seeded random weights, compiled by `exportStudentWasm` with maxBatch 256; plus one encoded batch of 256
 * seeded random rows (`bench-batch.json`). Node-side only.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { featureMapId, saveFeatureMap } from "../../sdk/data/feature-map-io";
import { exportStudentWasm } from "../../sdk/export/export-student";
import { RowEncoder } from "../../sdk/runtime/encode";
import { featureMapSlots } from "../../sdk/runtime/slots";
import { FEATURE_MAP_FORMAT, FEATURE_MAP_VERSION, type FeatureMap, type FeatureSpec } from "../../sdk/runtime/feature-map";
import type { BenchBatch } from "./probe";
import { mulberry32 } from "../../sdk/data/prng";
import { randomStudentWeights } from "../../sdk/export/random-student";

/** Seed of every random draw of the bench model and batch. */
const SEED = 20260426;
const NUMERIC_FIELDS = 13;
const CATEGORICAL_FIELDS = 26;
/** log-square keys kept per count field (floor(ln(x)^2) stays under 50 for x < 1.2e3). */
const LOG_SQUARE_VOCAB = 50;
/** Buckets per hashed field (and of the tags sequence). */
const HASH_BUCKETS = 1000;
/** Slots of the tags sequence. */
const TAG_SLOTS = 5;
export const BENCH_EMBEDDING_DIM = 8;
export const BENCH_HIDDEN_UNITS = [64, 32] as const;
/** Rows per score() call in the timed loop (the module's maxBatch, so one call is one module call). */
export const BENCH_BATCH = 256;

export interface BenchModel {
  dir: string;
  modelId: string;
  wasmBytes: number;
  numFields: number;
  /** e.g. "39 fields × 8, MLP 64-32". */
  shape: string;
}

/** mulberry32: a small seeded generator, enough for weights and rows. */
function random(seed: number): () => number {
  return mulberry32(seed);
}

function benchFeatureMap(): FeatureMap {
  const features: FeatureSpec[] = [];
  let offset = 0;
  for (let i = 1; i <= NUMERIC_FIELDS; i++) {
    const vocab = Array.from({ length: LOG_SQUARE_VOCAB }, (_, k) => String(k));
    features.push({ name: `I${i}`, type: "log-square", offset, size: vocab.length + 2, vocab });
    offset += vocab.length + 2;
  }
  for (let i = 1; i <= CATEGORICAL_FIELDS; i++) {
    features.push({ name: `C${i}`, type: "hashed", offset, size: HASH_BUCKETS + 1, buckets: HASH_BUCKETS });
    offset += HASH_BUCKETS + 1;
  }
  features.push({ name: "tags", type: "sequence", offset, size: HASH_BUCKETS + 1, vocab: [], buckets: HASH_BUCKETS, separator: "|", maxLength: TAG_SLOTS, pooling: "mean" });
  offset += HASH_BUCKETS + 1;
  const body: Omit<FeatureMap, "id"> = { format: FEATURE_MAP_FORMAT, version: FEATURE_MAP_VERSION, label: "label", features, totalRows: offset };
  return { ...body, id: featureMapId(body) } as FeatureMap;
}


/** Rows like Criteo's: heavy-tailed counts, Zipf-ish categories, a few missing values of each. */
function benchRows(rand: () => number): Record<string, unknown>[] {
  return Array.from({ length: BENCH_BATCH }, () => {
    const row: Record<string, unknown> = {};
    for (let i = 1; i <= NUMERIC_FIELDS; i++) if (rand() > 0.1) row[`I${i}`] = Math.floor(Math.exp(rand() * 7)) - 1;
    for (let i = 1; i <= CATEGORICAL_FIELDS; i++) if (rand() > 0.05) row[`C${i}`] = `c${Math.floor(rand() ** 2 * 5000)}`;
    row["tags"] = Array.from({ length: Math.floor(rand() * (TAG_SLOTS + 1)) }, () => `t${Math.floor(rand() * 300)}`);
    return row;
  });
}

/** Writes `dir/student.wasm`, `dir/feature-map.json` and `dir/bench-batch.json`. */
export async function buildBenchModel(dir: string): Promise<BenchModel> {
  await mkdir(dir, { recursive: true });
  const rand = random(SEED);
  const map = benchFeatureMap();
  const { wasm, modelId } = await exportStudentWasm(randomStudentWeights({ numFields: map.features.length, slotCounts: featureMapSlots(map).slotCounts, embeddingDim: BENCH_EMBEDDING_DIM, totalRows: map.totalRows, hiddenUnits: BENCH_HIDDEN_UNITS, seed: SEED + 1, embeddingScale: 0.1, biasScale: 0.1 }), { featureMapId: map.id, maxBatch: BENCH_BATCH });
  const encoded = new RowEncoder(map, "json").encodeObjects(benchRows(rand));
  const batch: BenchBatch = { n: encoded.n, ids: Array.from(encoded.ids), values: Array.from(encoded.values) };
  await writeFile(join(dir, "student.wasm"), wasm);
  await saveFeatureMap(join(dir, "feature-map.json"), map);
  await writeFile(join(dir, "bench-batch.json"), JSON.stringify(batch) + "\n");
  return {
    dir,
    modelId,
    wasmBytes: wasm.byteLength,
    numFields: map.features.length,
    shape: `${map.features.length} fields (${featureMapSlots(map).numSlots} slots) × ${BENCH_EMBEDDING_DIM}, MLP ${BENCH_HIDDEN_UNITS.join("-")}`,
  };
}
