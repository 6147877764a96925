/**
 * `node scripts/bundle.mjs scripts/verify-cost.ts dist/verify-cost.js && node dist/verify-cost.js`: what
 * verifying the artifacts costs at start-up. For students of about 3 MB and 10 MB (39 fields × 8, MLP
 * 64-32, seeded random weights), the median over RUNS of: loading the module (`Scorer.fromModule`:
 * instantiate, init, verify), the weights check alone (`modelIdOf` over the blob in memory), and for a
 * feature map of about the same size, recomputing its id (`validateFeatureMap`). Prints one line each.
 */
import { machineLine } from "../bench/harness";
import { exportStudentWasm } from "../sdk/export/export-student";
import { randomStudentWeights } from "../sdk/export/random-student";
import { webAssembly } from "../sdk/export/wasm-api";
import { featureMapId } from "../sdk/runtime/feature-map-id";
import { validateFeatureMap, FEATURE_MAP_FORMAT, FEATURE_MAP_VERSION } from "../sdk/runtime/feature-map";
import { BLOB_BYTES_AT, modelIdOf } from "../sdk/runtime/model-id";
import { Scorer } from "../sdk/runtime/scorer";

const RUNS = 15;
const FIELDS = 39;
const DIM = 8;
const SIZES_MB = [3, 10];

function median(ms: number[]): number {
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

function time(run: () => void): number {
  run(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    run();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** A feature map of about `bytes` of JSON: one categorical feature with a vocabulary of 12-character words. */
function bigFeatureMap(bytes: number): { doc: unknown; jsonBytes: number } {
  const words = Math.round(bytes / 15);
  const vocab = Array.from({ length: words }, (_, i) => `w${i.toString(36).padStart(11, "0")}`);
  const body = { format: FEATURE_MAP_FORMAT, version: FEATURE_MAP_VERSION, label: "click", features: [{ name: "c", type: "categorical", offset: 0, size: words + 2, vocab }], totalRows: words + 2 };
  const doc = { ...body, id: featureMapId(body) };
  return { doc, jsonBytes: JSON.stringify(doc).length };
}

console.log(machineLine());
for (const mb of SIZES_MB) {
  const totalRows = Math.round((mb * 1e6) / (DIM * 4));
  const weights = randomStudentWeights({ numFields: FIELDS, embeddingDim: DIM, totalRows, hiddenUnits: [64, 32], seed: mb, embeddingScale: 0.05, biasScale: 0.01 });
  const { wasm } = await exportStudentWasm(weights, { featureMapId: "0".repeat(64) });
  const module = new webAssembly.Module(wasm);
  const load = time(() => Scorer.fromModule(module));
  const instance = new webAssembly.Instance(module, {});
  const exports = instance.exports as unknown as { memory: { buffer: ArrayBuffer }; modelBase(): number; init(): number };
  exports.init();
  const base = exports.modelBase() >>> 0;
  const blobBytes = new DataView(exports.memory.buffer).getUint32(base + BLOB_BYTES_AT, true);
  const hash = time(() => modelIdOf(new Uint8Array(exports.memory.buffer, base, blobBytes)));
  const instantiate = time(() => new webAssembly.Instance(module, {}));
  const map = bigFeatureMap(mb * 1e6);
  const mapCheck = time(() => validateFeatureMap(map.doc));
  console.log(
    `student.wasm ${(wasm.byteLength / 1e6).toFixed(1)} MB: Scorer.fromModule ${load.toFixed(1)} ms ` +
      `(instantiate alone ${instantiate.toFixed(1)} ms, weights sha256 ${hash.toFixed(1)} ms = ${((blobBytes / 1e6) / (hash / 1e3)).toFixed(0)} MB/s); ` +
      `feature-map.json ${(map.jsonBytes / 1e6).toFixed(1)} MB: validateFeatureMap ${mapCheck.toFixed(1)} ms`,
  );
}
