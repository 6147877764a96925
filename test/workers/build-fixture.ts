/** `node build-fixture.mjs DIR`: builds the workers test fixture into DIR (run by global-setup.ts, bundled). */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildFixture } from "./fixture-builder";

/** Bit flipped in the first embedding row of the tampered module: a change too small to break its layout. */
const FLIPPED_BIT = 0x01;
/** Offset of embeddingOffset in the blob header (sdk/export/pack.ts HeaderField). */
const EMBEDDING_OFFSET_AT = 32;
/** Offset of the model id in the blob header. */
const MODEL_ID_AT = 64;

/**
 * Writes `model/tampered/`: student.wasm with one bit of an embedding weight flipped (ids unchanged), and
 * feature-map.json with one vocabulary word edited but its old id kept. Every loader must refuse both.
 */
async function writeTampered(modelDir: string): Promise<void> {
  const dir = join(modelDir, "tampered");
  await mkdir(dir, { recursive: true });
  const wasm = new Uint8Array(await readFile(join(modelDir, "student.wasm")));
  const model = JSON.parse(await readFile(join(modelDir, "model.json"), "utf8")) as { id: string };
  const blobAt = Buffer.from(wasm).indexOf(Buffer.from(model.id, "ascii")) - MODEL_ID_AT;
  if (blobAt < 0) throw new Error("build-fixture: the model id is not in student.wasm");
  const embeddingAt = blobAt + new DataView(wasm.buffer, wasm.byteOffset).getUint32(blobAt + EMBEDDING_OFFSET_AT, true);
  wasm[embeddingAt + 2] = wasm[embeddingAt + 2]! ^ FLIPPED_BIT;
  await writeFile(join(dir, "student.wasm"), wasm);
  const map = JSON.parse(await readFile(join(modelDir, "feature-map.json"), "utf8")) as { features: { vocab?: string[] }[] };
  map.features[0]!.vocab![0] = "newz";
  await writeFile(join(dir, "feature-map.json"), JSON.stringify(map, null, 2) + "\n");
}

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: build-fixture DIR");
const { modelDir } = await buildFixture(dir);
await writeTampered(modelDir);
