import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { loadConfig, parseConfig } from "../../sdk/config";
import type { DataConfig } from "../../sdk/config-types";
import { shuffledBatches } from "../../sdk/data/batches";
import { blockShuffledBatches } from "../../sdk/data/block-shuffle";
import { assembledChunks, planCells } from "../../sdk/data/cell-plan";
import { DiskDatasetBuilder, RowRangeReader, type DiskDataset, type EncodedDataset, type RowDataset } from "../../sdk/data/dataset";
import { disposeData, prepareData, readerOptions } from "../../sdk/data/prepare";
import { mulberry32 } from "../../sdk/data/prng";
import { openRecords } from "../../sdk/data/readers/index";
import { generateSynthetic } from "../../sdk/data/synthetic";
import { silentLogger } from "../../sdk/log";
import { disposeModel } from "../../sdk/models/model";
import { RowEncoder } from "../../sdk/runtime/encode";
import { evaluateLogits } from "../../sdk/train/evaluate";
import { predictLogits, type EncodedInput } from "../../sdk/train/step";
import { trainOnLabels } from "../../sdk/train/train-teacher";
import { runPipeline } from "../../sdk/pipeline/run";

const dir = mkdtempSync(join(tmpdir(), "disk-dataset-"));

/** A synthetic click log as a CSV file: `click` then C1..C8, with one sequence column for pooled slots. */
function writeCsv(rows: number): string {
  const gen = generateSynthetic({ seed: 5, rows: { train: rows, valid: 200, test: 200 }, fields: 8, vocabSize: 60, interactions: 4, zipf: 1, ctr: 0.25 });
  const lines = ["click," + gen.fields.join(",") + ",tags"];
  gen.train.rows.forEach((row, r) => lines.push(`${gen.train.labels[r]},${row.join(",")},${row[0]}|${row[1]}`));
  const file = join(dir, `click-${rows}.csv`);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

function dataConfig(train: string, cache: "memory" | "disk"): DataConfig {
  return {
    train, split: [0.8, 0.1, 0.1], format: "csv", delimiter: ",", header: true, label: "click", cache,
    features: [
      ...Array.from({ length: 8 }, (_, i) => ({ name: `C${i + 1}`, type: "categorical" as const })),
      { name: "tags", type: "sequence" as const, separator: "|", maxLength: 2, pooling: "mean" as const },
    ],
  };
}

/** Every row of `ds`, in order, read through the common interface. */
function allRows(ds: RowDataset): { ids: number[]; values: number[] } {
  const { ids, values } = inMemory(ds);
  return { ids: [...ids], values: [...values] };
}

/** A copy of the rows of `ds` in memory. */
function inMemory(ds: RowDataset): EncodedInput {
  return { ...new RowRangeReader(ds, ds.layout.numSlots, ds.n).read(0, ds.n), n: ds.n, layout: ds.layout };
}

let file: string;
let memory: EncodedDataset;

beforeAll(async () => {
  file = writeCsv(4_000);
  const p = await prepareData(dataConfig(file, "memory"), { seed: 1 });
  memory = p.train as EncodedDataset;
});

/** The train split of `file` encoded into blocks of `blockRows` rows; `check` runs after every row. */
async function diskTrain(blockRows: number, check: (b: DiskDatasetBuilder) => void = () => {}): Promise<DiskDataset> {
  const data = dataConfig(file, "memory");
  const p = await prepareData(data, { seed: 1 });
  const plan = await planCells(data, data.features);
  const reader = openRecords(file, readerOptions(data, false, plan.select));
  const builder = new DiskDatasetBuilder(new RowEncoder(p.featureMap, "text"), file, {}, blockRows);
  const train = new Set(p.train.lines);
  for await (const chunk of assembledChunks(reader.chunks(), plan))
    for (const rec of chunk) {
      if (!train.has(rec.line)) continue;
      builder.add(rec);
      check(builder);
    }
  return builder.finish();
}

describe("disk-backed datasets", () => {
  it("prepareData with cache 'disk' gives exactly the rows of the in-memory train split", async () => {
    const p = await prepareData(dataConfig(file, "disk"), { seed: 1 });
    const m = await prepareData(dataConfig(file, "memory"), { seed: 1 });
    expect("store" in p.train).toBe(true);
    expect(p.train.layout.numSlots).toBeGreaterThan(p.train.layout.numFields);
    expect(p.train.n).toBe(memory.n);
    expect(allRows(p.train)).toEqual({ ids: [...memory.ids], values: [...memory.values] });
    expect(p.train.labels).toEqual(memory.labels);
    expect(p.train.lines).toEqual(memory.lines);
    // valid and test stay in memory, as before.
    expect(p.valid).toEqual(m.valid);
    expect(p.test).toEqual(m.test);
    disposeData(p);
  });

  it("a builder never holds more than one block of encoded slots, and the files hold whole blocks", async () => {
    const blockRows = 256;
    let most = 0;
    const ds = await diskTrain(blockRows, (b) => {
      most = Math.max(most, b.bufferedRows);
      expect((b.n - b.bufferedRows) % blockRows).toBe(0);
    });
    expect(most).toBe(blockRows);
    expect(ds.store.numBlocks).toBe(Math.ceil(memory.n / blockRows));
    expect(ds.store.bytesOnDisk).toBe(memory.n * memory.layout.numSlots * 8);
    expect(allRows(ds)).toEqual({ ids: [...memory.ids], values: [...memory.values] });
    ds.store.dispose();
  });

  it("visits every row once per epoch, in an order fixed by the seed, with the rows of the memory store", async () => {
    const ds = await diskTrain(100);
    const S = ds.layout.numSlots;
    const epoch = (seed: number, window?: number) => {
      const order: number[] = [];
      for (const b of blockShuffledBatches(ds, 64, mulberry32(seed), window)) {
        for (let k = 0; k < b.n; k++) {
          const r = b.index[k]!;
          order.push(r);
          expect([...b.ids.subarray(k * S, k * S + S)]).toEqual([...memory.ids.subarray(r * S, r * S + S)]);
          expect([...b.values.subarray(k * S, k * S + S)]).toEqual([...memory.values.subarray(r * S, r * S + S)]);
          expect(b.labels[k]).toBe(memory.labels[r]);
        }
      }
      return order;
    };
    const a = epoch(7);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: ds.n }, (_, i) => i));
    expect(epoch(7)).toEqual(a);
    expect(epoch(8)).not.toEqual(a);
    // With a window of one block, the epoch reads each block once, whole: its rows come out together.
    const blocks = epoch(7, 1).map((r) => Math.floor(r / 100));
    const changes = blocks.filter((b, i) => i > 0 && b !== blocks[i - 1]).length;
    expect(changes).toBe(ds.store.numBlocks - 1);
    ds.store.dispose();
  });

  it("shuffledBatches reads a disk dataset in shuffled blocks", async () => {
    const ds = await diskTrain(100);
    const viaShuffled = [...shuffledBatches(ds, 50, mulberry32(3))].flatMap((b) => [...b.index]);
    const viaBlocks = [...blockShuffledBatches(ds, 50, mulberry32(3))].flatMap((b) => [...b.index]);
    expect(viaShuffled).toEqual(viaBlocks);
    ds.store.dispose();
  });

  it("leaves no files behind: the directory is unlinked while open (POSIX), dispose closes them; later reads fail", async () => {
    const p = await prepareData(dataConfig(file, "disk"), { seed: 1 });
    const { store } = p.train as DiskDataset;
    if (process.platform !== "win32") expect(existsSync(store.dir)).toBe(false);
    expect(() => store.read(0, 1, new Int32Array(64), new Float32Array(64))).not.toThrow();
    disposeData(p);
    expect(existsSync(store.dir)).toBe(false);
    expect(() => store.read(0, 1, new Int32Array(64), new Float32Array(64))).toThrow(/after dispose/);
    disposeData(p);
  });
});

describe.skipIf(process.platform === "win32")("an interrupted run", () => {
  it("stops at once on SIGINT during training and leaves no temporary rows behind", async () => {
    const tmp = mkdtempSync(join(dir, "tmp-"));
    const config = join(dir, "interrupted.json");
    writeFileSync(config, JSON.stringify({ data: dataConfig(file, "disk"), teachers: [{ model: "DNN", hiddenUnits: [32] }], training: { epochs: 200, patience: 200, batchSize: 64 } }));
    const child = spawn(process.execPath, [resolve("bin/ctr-distill.js"), "train", "--config", config, "--out", join(dir, "interrupted-run")], { env: { ...process.env, TMPDIR: tmp }, stdio: ["ignore", "ignore", "pipe"] });
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    // Interrupt once the rows are on disk and training has begun (its first log line).
    await new Promise<void>((training) => child.stderr!.on("data", (text: Buffer) => text.toString().includes("training DNN") && training()));
    const stopped = Date.now();
    child.kill("SIGINT");
    expect(await exited).toBe(130); // the CLI's Ctrl-C: stop between two steps, clean up, exit 128 + SIGINT
    expect(Date.now() - stopped).toBeLessThan(5_000);
    expect(readdirSync(tmp)).toEqual([]);
    expect(readdirSync(dir).filter((name) => name.includes("interrupted-run"))).toEqual([]);
  });
});

describe("training from disk", () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it("a teacher trained with cache 'disk' reaches the AUC of the in-memory run (within 0.02)", async () => {
    const big = writeCsv(40_000);
    const training = { batchSize: 256, epochs: 2, learningRate: 0.01, seed: 1, patience: 2, optimizer: "adam" as const, adamVariant: "pytorch" as const, embeddingUpdate: "lazy" as const };
    const auc = async (cache: "memory" | "disk") => {
      const p = await prepareData(dataConfig(big, cache), { seed: 1 });
      const trained = await trainOnLabels("FM", { embeddingDim: 8 }, { train: p.train, valid: p.valid, totalRows: p.featureMap.totalRows }, training, silentLogger, "test", 0);
      // Predictions over the train split read the disk store in chunks: the same logits as from memory.
      if (cache === "disk") expect(predictLogits(trained.model, p.train)).toEqual(predictLogits(trained.model, inMemory(p.train)));
      const result = evaluateLogits(p.test.labels, predictLogits(trained.model, p.test)).auc;
      disposeModel(trained.model);
      disposeData(p);
      return result;
    };
    const memoryAuc = await auc("memory");
    const diskAuc = await auc("disk");
    expect(memoryAuc).toBeGreaterThan(0.6);
    expect(Math.abs(diskAuc - memoryAuc)).toBeLessThan(0.02);
  });
});

describe("the pipeline from a disk train split", () => {
  it("runs hint targets, a teacher gate fitted on train, and joint training from disk", async () => {
    const big = writeCsv(3_000);
    const base = {
      data: { ...dataConfig(big, "disk") },
      teachers: [{ model: "LR" }, { model: "FM", embeddingDim: 4 }],
      student: { embeddingDim: 4, hiddenUnits: [16] },
      training: { batchSize: 256, epochs: 3, learningRate: 0.01, seed: 2, patience: 1 },
    };
    const dir = mkdtempSync(join(tmpdir(), "disk-pipeline-"));
    for (const distill of [{ ensemble: "gating", hint: true, gate: { data: "train" } }, { ensemble: "mean", teacherTraining: "joint" }]) {
      const config = parseConfig({ ...base, teachers: distill.hint ? [{ model: "DNN", embeddingDim: 4, hiddenUnits: [8] }, ...base.teachers] : base.teachers, distill });
      const report = await runPipeline({ config, outDir: join(dir, distill.ensemble), log: silentLogger, backend: "cpu", httpCheckPort: null });
      expect(report.students[1]!.auc).toBeGreaterThan(0.55);
    }
  });
});

/** The real data sets beside the repository (absent in a user's clone): see ../shared/data/README.md. */
const SHARED = resolve(process.cwd(), "../shared/data");
if (!existsSync(SHARED)) console.log(`disk-dataset.test.ts: ${SHARED} is absent; skipping the frappe-x1 check from disk`);
describe.skipIf(!existsSync(SHARED))("a shared data set from disk", () => {
  it("frappe-x1.json with cache 'disk': the row counts of the in-memory run", async () => {
    const cfg = loadConfig(resolve(process.cwd(), "configs/frappe-x1.json"));
    const m = await prepareData(cfg.data, { seed: cfg.training.seed });
    const d = await prepareData({ ...cfg.data, cache: "disk" }, { seed: cfg.training.seed });
    expect([d.train.n, d.valid.n, d.test.n]).toEqual([m.train.n, m.valid.n, m.test.n]);
    expect((d.train as DiskDataset).store.numBlocks).toBeGreaterThan(1);
    expect(allRows(d.train).ids).toEqual([...(m.train as EncodedDataset).ids]);
    disposeData(d);
  });
});
