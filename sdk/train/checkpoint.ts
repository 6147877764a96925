import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { UserError } from "../errors";
import type { CtrModel } from "../models/model";

/** Checkpoint format tag and version, checked on load. */
export const CHECKPOINT_FORMAT = "ctr-distill/checkpoint";
export const CHECKPOINT_VERSION = 1;

interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in floats into weights.bin. */
  offset: number;
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  model: string;
  hyperparameters: Record<string, unknown>;
  featureMapId: string;
  /** sha256 hex of weights.bin: a corrupt or swapped file is refused. */
  sha256: string;
  tensors: TensorEntry[];
  extra: Record<string, unknown>;
}

function tensorsOf(model: CtrModel): { name: string; shape: number[]; data: Float32Array }[] {
  return [
    ...model.tables.map((t) => ({ name: `table:${t.name}`, shape: [t.rows, t.dim], data: t.weights })),
    ...model.params.entries().map(([name, v]) => ({ name, shape: v.shape, data: v.dataSync() as Float32Array })),
  ];
}

/** Writes `dir/checkpoint.json` and `dir/weights.bin` (little-endian f32, tensors back to back). */
export async function saveCheckpoint(model: CtrModel, dir: string, meta: Omit<CheckpointManifest, "format" | "version" | "sha256" | "tensors" | "model">): Promise<void> {
  const tensors = tensorsOf(model);
  const total = tensors.reduce((n, t) => n + t.data.length, 0);
  const weights = new Float32Array(total);
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    weights.set(t.data, offset);
    entries.push({ name: t.name, shape: t.shape, offset });
    offset += t.data.length;
  }
  const bytes = new Uint8Array(weights.buffer);
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model: model.name,
    ...meta,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    tensors: entries,
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "weights.bin"), bytes);
  await writeFile(join(dir, "checkpoint.json"), JSON.stringify(manifest, null, 2) + "\n");
}

export async function readCheckpointManifest(dir: string): Promise<CheckpointManifest> {
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, "checkpoint.json"), "utf8")) as CheckpointManifest;
  } catch {
    throw new UserError(`${dir}: no readable checkpoint.json`);
  }
  if (manifest.format !== CHECKPOINT_FORMAT || manifest.version !== CHECKPOINT_VERSION)
    throw new UserError(`${dir}/checkpoint.json: not a ${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION} checkpoint`);
  return manifest;
}

/** Fills a freshly built model of the same architecture with a checkpoint's weights. */
export async function loadCheckpointInto(model: CtrModel, dir: string): Promise<CheckpointManifest> {
  const manifest = await readCheckpointManifest(dir);
  const bytes = await readFile(join(dir, "weights.bin"));
  if (createHash("sha256").update(bytes).digest("hex") !== manifest.sha256)
    throw new UserError(`${dir}/weights.bin: checksum mismatch (corrupt or replaced file)`);
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const byName = new Map(manifest.tensors.map((t) => [t.name, t]));
  for (const t of tensorsOf(model)) {
    const entry = byName.get(t.name);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (entry === undefined || entry.shape.join("x") !== t.shape.join("x"))
      throw new UserError(`${dir}: checkpoint does not match the model (tensor '${t.name}')`);
    const values = weights.subarray(entry.offset, entry.offset + size);
    if (t.name.startsWith("table:")) t.data.set(values);
    else {
      const v = model.params.get(t.name);
      tf.tidy(() => v.assign(tf.tensor(values, v.shape, "float32")));
    }
  }
  return manifest;
}
