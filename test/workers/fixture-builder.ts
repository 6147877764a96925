/**
 * Builds the model directory and worker bundle the Workers tests (and the Node serve/deploy tests) run on:
 * a tiny feature map (categorical with a 4-word vocabulary, hashed with 16 buckets, numeric standard, and a
 * mean-pooled sequence of up to 3 tags),
 * seeded random student weights compiled by `exportStudentWasm` (and a compact student's, COMPACT_EMBEDDING),
 * `model.json`, request rows, and the
 * expected CTRs of those rows computed in Node by the same Scorer and, independently, by a float64 forward
 * pass in plain JavaScript. Node-side only (uses node:fs).
 */
import { build } from "esbuild";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { packageRoot } from "../../sdk/package-root";
import { featureMapId, saveFeatureMap } from "../../sdk/data/feature-map-io";
import { exportStudentWasm } from "../../sdk/export/export-student";
import type { StudentWeights } from "../../sdk/export/student-weights";
import { compactRemapOf, remapLookup, remapSecondLookup, type CompactEmbeddingSpec } from "../../sdk/runtime/embedding-remap";
import { RowEncoder } from "../../sdk/runtime/encode";
import { featureMapSlots } from "../../sdk/runtime/slots";
import { FEATURE_MAP_FORMAT, FEATURE_MAP_VERSION, type FeatureMap } from "../../sdk/runtime/feature-map";
import { Scorer } from "../../sdk/runtime/scorer";
import { readModelFiles } from "../../sdk/serve/model-files";
import { writeWorkerBundle } from "../../sdk/serve/worker-bundle";
import type { ModelMeta } from "../../worker/model-meta";
import { mulberry32 } from "../../sdk/data/prng";
import { randomStudentWeights } from "../../sdk/export/random-student";

/** Seed of every random draw of the fixture. */
const SEED = 20201109;
const EMBEDDING_DIM = 4;
const HIDDEN_UNITS = [8] as const;
/** Small on purpose, so that 40 rows are scored in several chunks. */
export const FIXTURE_MAX_BATCH = 16;
/**
 * The compact student's embedding over the fixture's map: site (6 ids) hashed into 4 rows, user (17) a
 * quotient–remainder table of 4 + ⌈17 / 4⌉ = 9 rows, price (2) whole, tags (5) hashed into 4: 19 rows, not 30.
 */
export const COMPACT_EMBEDDING: CompactEmbeddingSpec = { kind: "hash", buckets: 4, fields: [{ name: "user", kind: "qr", buckets: 4 }] };

/** The files of a built fixture; `expected.json` sits beside each model's files. */
export interface FixturePaths {
  modelDir: string;
  /**
   * A second student for two-student deployments: other weights, and a feature map without `tags` (so that
   * rows are seen to be checked against the student that scores them).
   */
  canaryDir: string;
  /** A compact student (COMPACT_EMBEDDING) over the primary's feature map: its table has fewer rows than the map. */
  compactDir: string;
  bundleDir: string;
}

/** Expected results stored in `expected.json`. */
export interface FixtureExpected {
  modelId: string;
  featureMapId: string;
  rows: Record<string, unknown>[];
  /** By the Scorer (the same student.wasm) in Node. */
  ctr: number[];
  /** By a float64 forward pass of the weights in plain JavaScript. */
  reference: number[];
  /** The rows as Node's RowEncoder encodes them: the trainer/worker encoding-parity reference. */
  encoded: { ids: number[]; values: number[] };
}

export function fixtureFeatureMap(): FeatureMap {
  const body: Omit<FeatureMap, "id"> = {
    format: FEATURE_MAP_FORMAT,
    version: FEATURE_MAP_VERSION,
    label: "click",
    features: [
      { name: "site", type: "categorical", offset: 0, size: 6, vocab: ["news", "shop", "mail", "video"] },
      { name: "user", type: "hashed", offset: 6, size: 17, buckets: 16 },
      { name: "price", type: "numeric", offset: 23, size: 2, transform: "standard", a: 10, b: 5, min: -5, max: 35 },
      { name: "tags", type: "sequence", offset: 25, size: 5, vocab: ["sale", "new", "kids"], separator: "|", maxLength: 3, pooling: "mean" },
    ],
    totalRows: 30,
  };
  return { ...body, id: featureMapId(body) } as FeatureMap;
}

/** The canary's feature map: the fixture's without its sequence feature. */
function canaryFeatureMap(): FeatureMap {
  const { id: _id, ...map } = fixtureFeatureMap();
  const features = map.features.filter((f) => f.name !== "tags");
  const body = { ...map, features, totalRows: features.reduce((n, f) => n + f.size, 0) };
  return { ...body, id: featureMapId(body) } as FeatureMap;
}


/** Request rows covering every path of the encoder: known, OOV, integer, missing, null, "" and numbers; lists. */
function fixtureRows(): Record<string, unknown>[] {
  const rand = mulberry32(SEED + 1);
  const sites: unknown[] = ["news", "shop", "mail", "video", "unseen-site", 7, null, ""];
  const tags: unknown[] = [["sale"], ["new", "kids"], "sale|new", [], "", null, ["sale", "new", "kids", "other"], [3, "kids"], "kids||sale"];
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < 40; i++) {
    const row: Record<string, unknown> = {};
    if (i % 9 !== 4) row["site"] = sites[i % sites.length];
    if (i % 7 !== 3) row["user"] = i % 5 === 0 ? Math.floor(rand() * 1000) : `u${Math.floor(rand() * 100)}`;
    if (i % 5 !== 1) row["tags"] = tags[i % tags.length];
    if (i % 6 !== 2) row["price"] = i % 4 === 0 ? Math.floor(rand() * 30) : Math.round((rand() * 40 - 5) * 1000) / 1000;
    rows.push(row);
  }
  return rows;
}

/**
 * The student's forward pass in float64: embeddings scaled by values (a compact student's ids mapped to its rows
 * first, a qr field's row times its second row), summed per field, concatenated, MLP, sigmoid.
 */
export function referenceScores(w: StudentWeights, ids: Int32Array, values: Float32Array, n: number): number[] {
  const slotCounts = w.slotCounts ?? new Array<number>(w.numFields).fill(1);
  const S = slotCounts.reduce((a, b) => a + b, 0);
  const D = w.embeddingDim;
  const rowOf = w.remap === undefined ? null : remapLookup(w.remap);
  const secondOf = w.remap === undefined ? undefined : remapSecondLookup(w.remap);
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    let x: number[] = [];
    let s = r * S;
    for (const count of slotCounts) {
      const field = new Array<number>(D).fill(0);
      for (let k = 0; k < count; k++, s++) {
        const row = rowOf === null ? ids[s]! : rowOf[ids[s]!]!;
        const second = secondOf?.[ids[s]!] ?? -1;
        for (let d = 0; d < D; d++) field[d]! += w.embedding[row * D + d]! * values[s]! * (second < 0 ? 1 : w.embedding[second * D + d]!);
      }
      x.push(...field);
    }
    for (const layer of w.layers) {
      const y: number[] = [];
      for (let o = 0; o < layer.outDim; o++) {
        let s = layer.bias[o]!;
        for (let i = 0; i < layer.inDim; i++) s += x[i]! * layer.weights[i * layer.outDim + o]!;
        y.push(layer.activation === "relu" ? Math.max(0, s) : s);
      }
      x = y;
    }
    out.push(1 / (1 + Math.exp(-x[0]!)));
  }
  return out;
}

function countParams(w: StudentWeights): number {
  return w.embedding.length + w.layers.reduce((s, l) => s + l.weights.length + l.bias.length, 0);
}

/**
 * The worker runtime from today's sources (worker/index.ts), bundled as scripts/build.mjs bundles
 * dist/worker.js, so that the tests never run a stale build.
 */
async function buildWorkerRuntime(outfile: string): Promise<void> {
  await build({ entryPoints: [join(packageRoot(), "worker", "index.ts")], outfile, bundle: true, format: "esm", platform: "neutral", target: "es2022", logLevel: "warning" });
}

/** Writes a run directory for seeded random student weights over `map` (compact under `embedding`), with `expected.json` for `rows`. */
async function writeStudent(modelDir: string, map: FeatureMap, seed: number, rows: Record<string, unknown>[], embedding?: CompactEmbeddingSpec): Promise<void> {
  await mkdir(modelDir, { recursive: true });
  const remap = compactRemapOf(map, embedding);
  const totalRows = remap?.totalRows ?? map.totalRows;
  const weights = randomStudentWeights({ numFields: map.features.length, slotCounts: featureMapSlots(map).slotCounts, embeddingDim: EMBEDDING_DIM, totalRows, hiddenUnits: HIDDEN_UNITS, seed, embeddingScale: 0.5, biasScale: 0.1 });
  if (remap !== undefined) weights.remap = remap;
  const { wasm, modelId } = await exportStudentWasm(weights, { featureMapId: map.id, maxBatch: FIXTURE_MAX_BATCH });
  const model: ModelMeta = {
    id: modelId,
    featureMapId: map.id,
    createdAt: "2026-01-01T00:00:00.000Z",
    student: { embeddingDim: EMBEDDING_DIM, hiddenUnits: [...HIDDEN_UNITS], params: countParams(weights) },
    metrics: { test: { auc: 0.75, logloss: 0.5 } },
    sizes: { wasmBytes: wasm.byteLength },
  };
  await writeFile(join(modelDir, "student.wasm"), wasm);
  await saveFeatureMap(join(modelDir, "feature-map.json"), map);
  await writeFile(join(modelDir, "model.json"), JSON.stringify(model, null, 2) + "\n");

  const encoded = new RowEncoder(map, "json").encodeObjects(rows);
  const scorer = await Scorer.fromBytes(wasm);
  scorer.checkFeatureMap(map);
  const expected: FixtureExpected = {
    modelId,
    featureMapId: map.id,
    rows,
    ctr: Array.from(scorer.score(encoded.ids, encoded.values, encoded.n)),
    reference: referenceScores(weights, encoded.ids, encoded.values, encoded.n),
    encoded: { ids: Array.from(encoded.ids), values: Array.from(encoded.values) },
  };
  await writeFile(join(modelDir, "expected.json"), JSON.stringify(expected, null, 2) + "\n");
}

/** Writes `dir/model/` (the run directory), `dir/canary/`, `dir/compact/` and `dir/bundle/` (the Workers project `deploy` writes, on a fresh runtime build). */
export async function buildFixture(dir: string): Promise<FixturePaths> {
  const modelDir = join(dir, "model");
  const canaryDir = join(dir, "canary");
  const compactDir = join(dir, "compact");
  const bundleDir = join(dir, "bundle");
  const rows = fixtureRows();
  await writeStudent(modelDir, fixtureFeatureMap(), SEED, rows);
  await writeStudent(canaryDir, canaryFeatureMap(), SEED + 2, rows.map(({ tags: _tags, ...row }) => row));
  await writeStudent(compactDir, fixtureFeatureMap(), SEED + 3, rows, COMPACT_EMBEDDING);
  const runtime = join(dir, "runtime", "worker.js");
  await buildWorkerRuntime(runtime);
  await writeWorkerBundle(await readModelFiles(modelDir), bundleDir, { runtime });
  return { modelDir, canaryDir, compactDir, bundleDir };
}
