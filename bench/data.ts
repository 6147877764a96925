import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FeatureConfig } from "../sdk/config-types";
import { encodeDataSet } from "../sdk/data/byte-encode";
import { DatasetBuilder, type EncodedDataset } from "../sdk/data/dataset";
import { FeatureMapFitter } from "../sdk/data/feature-map-fit";
import { openRecords, type ReaderOptions } from "../sdk/data/readers/index";
import { generateSynthetic } from "../sdk/data/synthetic";
import { packageRoot } from "../sdk/package-root";
import { RowEncoder, type EncodedRows } from "../sdk/runtime/encode";
import { unpooledLayout } from "../sdk/runtime/slots";
import type { FeatureMap } from "../sdk/runtime/feature-map";
import { costCase, rateCase, type BenchCase, type BenchOptions, type Benchmark } from "./harness";
import { headerNames, timeDuckdbCsv, type CsvColumn, type CsvFile } from "./peers/duckdb-csv";

/**
 * `npm run bench -- data`: rows/s and memory of read + encode, ours against the code a user would write.
 *
 * Ours: the streaming reader (`openRecords`) feeding the shared `RowEncoder` through a `DatasetBuilder`, exactly
 * the encoding pass of `prepareData`. Peer ("naive-js"): `readFileSync(f).split("\n").map(l => l.split(d))`, then a
 * loop of `Map` lookups into preallocated typed arrays, with the same vocabularies. Both start from the same
 * fitted feature map (fitting is not timed) and must produce identical ids, values and labels (checked).
 *
 * Rates: in this process, rounds of ours and the peer alternate until the time is spent; the median round counts.
 * Memory: each implementation runs alone in a fresh child process (this file bundled on its own, so the child
 * loads nothing but the data layer, started with CHILD_ENV set) on the file repeated ×1, ×4 and ×17 (≈ 1M rows)
 * in os.tmpdir(), twice:
 * - peak RSS: the kernel's high-water mark (`process.resourceUsage().maxRSS`) of a plain run, what a user sees;
 *   it includes garbage V8 has not collected yet and the child's baseline (node and the bundle, loaded);
 * - live memory added: `heapUsed + arrayBuffers` after a forced full GC (node --expose-gc) at every sample (after
 *   each chunk for ours, after each phase for the peer), high-water mark minus the value before reading.
 * "stream" is ours encoding into one reused 4096-row batch, keeping nothing (as a scorer would): the reader's own
 * footprint, flat in the file size. Ours and the peer also keep the encoded rows (`encodedOutput`).
 *
 * "bytes": the byte-level encoding pass (sdk/data/byte-encode.ts) against today's record path ("ours" above, peer
 * "record-path"), both into a DatasetBuilder, checked identical; rows per CPU-second side by side, in this
 * process (the files as they are) and in one cold child run on the largest file. The byte path is also set beside
 * DuckDB's CSV reader on one thread (peer "duckdb-1t", bench/peers/duckdb-csv.ts) on the same file.
 */

/** Environment variable that turns a run of the child bundle into one measured run. */
const CHILD_ENV = "CTR_DISTILL_BENCH_DATA_CHILD";
/** Prefix of the child's result line on stdout. */
const CHILD_PREFIX = "data-child-result ";
/** Rows the largest memory case aims at. */
const TARGET_ROWS = 1_000_000;
/** Rows of the reused batch of the "stream" child. */
const STREAM_BATCH = 4096;
const MIB = 2 ** 20;

/** How the naive peer reads a file: split on a delimiter, label and feature columns by index. */
interface NaiveSpec {
  delimiter: string;
  header: boolean;
  /** libsvm: the label is "1" for a click and a cell is the index before ":". */
  libsvm: boolean;
  labelColumn: number;
  /** Column of each feature, in feature-map order. */
  columns: number[];
}

/** One data set: a file, how ours reads it, how the peer reads it, and its features. */
interface DataSet {
  name: string;
  file: string;
  reader: ReaderOptions & { label: string };
  naive: NaiveSpec;
  features: FeatureConfig[];
}

type Impl = "ours" | "stream" | "naive" | "bytes";

interface ChildJob {
  impl: Impl;
  set: DataSet;
  mapFile: string;
  /** Force a full GC at every sample (node --expose-gc): the high-water mark of live memory, not of garbage. */
  live: boolean;
}

interface ChildResult {
  rows: number;
  seconds: number;
  /** CPU seconds (user + system, all threads) of the read + encode. */
  cpuSeconds: number;
  baseRssMiB: number;
  /** The kernel's high-water mark of the resident set. */
  peakRssMiB: number;
  /** heapUsed + arrayBuffers before reading (the bundle, loaded). */
  memBaseMiB: number;
  /** High-water mark of heapUsed + arrayBuffers over the samples. */
  memPeakMiB: number;
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from);

function frappe(dataDir: string): DataSet {
  const columns = range(10, 1).map((k) => `f${k}`);
  return {
    name: "frappe-x1 libsvm",
    file: join(dataDir, "frappe-x1/frappe.validation.libfm"),
    reader: { format: "libsvm", label: "label", select: columns },
    naive: { delimiter: " ", header: false, libsvm: true, labelColumn: 0, columns: range(10, 1) },
    features: columns.map((name) => ({ name, type: "categorical", minCount: 1 })),
  };
}

function criteo(dataDir: string): DataSet {
  const ints = range(13, 1).map((k) => `I${k}`);
  const cats = range(26, 1).map((k) => `C${k}`);
  return {
    name: "criteo tsv",
    file: join(dataDir, "criteo-sample/criteo_wideresdnn_train.tsv"),
    reader: { format: "tsv", header: false, columns: ["label", ...ints, ...cats], label: "label", select: [...ints, ...cats] },
    naive: { delimiter: "\t", header: false, libsvm: false, labelColumn: 0, columns: range(39, 1) },
    features: [
      ...ints.map((name): FeatureConfig => ({ name, type: "numeric", transform: "log-square", minCount: 2 })),
      ...cats.map((name): FeatureConfig => ({ name, type: "categorical", minCount: 2 })),
    ],
  };
}

/** Without ../shared/data: a seeded synthetic click log as CSV (10 categorical fields, 57,722 rows) in `dir`. */
function syntheticCsv(dir: string): DataSet {
  const gen = generateSynthetic({ seed: 11, rows: { train: 57_722, valid: 100, test: 100 }, fields: 10, vocabSize: 500, interactions: 4, zipf: 1, ctr: 0.2 });
  const file = join(dir, "synthetic.csv");
  const lines = ["click," + gen.fields.join(",")];
  gen.train.rows.forEach((row, r) => lines.push(`${gen.train.labels[r]},${row.join(",")}`));
  writeFileSync(file, lines.join("\n") + "\n");
  return {
    name: "synthetic csv",
    file,
    reader: { format: "csv", header: true, label: "click", select: gen.fields },
    naive: { delimiter: ",", header: true, libsvm: false, labelColumn: 0, columns: range(gen.fields.length, 1) },
    features: gen.fields.map((name) => ({ name, type: "categorical", minCount: 1 })),
  };
}

/** Fits the feature map on the whole file with the project's reader (not timed). */
async function fit(set: DataSet): Promise<FeatureMap> {
  const fitter = new FeatureMapFitter(set.features, set.reader.label, set.file);
  for await (const chunk of openRecords(set.file, set.reader).chunks()) for (const rec of chunk) fitter.add(rec.cells, rec.line);
  return fitter.finish();
}

/** Ours: the streaming reader into a DatasetBuilder, as prepareData's encoding pass; `sample` after each chunk. */
async function oursEncode(set: DataSet, map: FeatureMap, sample: () => void = () => {}): Promise<EncodedDataset> {
  const reader = openRecords(set.file, set.reader);
  const builder = new DatasetBuilder(new RowEncoder(map, "text"), set.file, { bad: reader.bad }, 4096);
  for await (const chunk of reader.chunks()) {
    for (const rec of chunk) builder.add(rec);
    sample();
  }
  return builder.finish();
}

/** Ours, byte-level: the same reader's files encoded from their bytes (CSV/TSV; other formats by records). */
async function bytesEncode(set: DataSet, map: FeatureMap, sample: () => void = () => {}): Promise<EncodedDataset> {
  const reader = openRecords(set.file, set.reader);
  const builder = new DatasetBuilder(new RowEncoder(map, "text"), set.file, { bad: reader.bad }, 4096);
  await encodeDataSet(reader, builder, sample);
  return builder.finish();
}

/** Ours without keeping the rows: encode into one reused batch (the reader's own footprint). */
async function oursStream(set: DataSet, map: FeatureMap, sample: () => void): Promise<number> {
  const reader = openRecords(set.file, set.reader);
  const encoder = new RowEncoder(map, "text");
  const batch: EncodedRows = { ids: new Int32Array(STREAM_BATCH * encoder.numFields), values: new Float32Array(STREAM_BATCH * encoder.numFields), n: STREAM_BATCH };
  const labels = new Float32Array(STREAM_BATCH);
  let n = 0;
  for await (const chunk of reader.chunks()) {
    for (const rec of chunk) {
      const r = n++ % STREAM_BATCH;
      encoder.encodeCells(rec.cells, r, batch);
      labels[r] = rec.label;
    }
    sample();
  }
  return n;
}

/** The peer: the whole file in memory, split twice, then Map lookups (categorical and Criteo's log-square only). */
function naiveEncode(set: DataSet, map: FeatureMap, sample: () => void = () => {}): EncodedDataset {
  const spec = set.naive;
  const text = readFileSync(set.file, "utf8");
  sample();
  const rows = text
    .split("\n")
    .map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l))
    .filter((l) => l !== "")
    .map((l) => l.split(spec.delimiter));
  if (spec.header) rows.shift();
  sample();
  const F = map.features.length;
  const vocabs = map.features.map((f) => {
    if (f.type !== "categorical" && f.type !== "log-square") throw new Error(`bench data: the naive peer has no ${f.type} features`);
    return new Map(f.vocab.map((v, i) => [v, i + 1]));
  });
  const n = rows.length;
  const ids = new Int32Array(n * F);
  const values = new Float32Array(n * F).fill(1);
  const labels = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const row = rows[r]!;
    labels[r] = spec.libsvm ? (row[0] === "1" ? 1 : 0) : Number(row[spec.labelColumn]);
    for (let f = 0; f < F; f++) {
      const feature = map.features[f]!;
      let cell = row[spec.columns[f]!]!;
      if (spec.libsvm) cell = cell.split(":")[0]!;
      if (cell === "") {
        ids[r * F + f] = feature.offset;
        continue;
      }
      if (feature.type === "log-square") {
        const x = Number(cell);
        cell = String(x > 2 ? Math.floor(Math.log(x) ** 2) : x);
      }
      ids[r * F + f] = feature.offset + (vocabs[f]!.get(cell) ?? vocabs[f]!.size + 1);
    }
    if (r === n - 1) sample(); // with the split rows still in use
  }
  return { n, layout: unpooledLayout(F), ids, values, labels };
}

/** Fails the benchmark unless both implementations produced the same rows. */
function checkSame(set: DataSet, a: EncodedDataset, b: EncodedDataset, peer = "the naive peer"): void {
  const same = (x: ArrayLike<number>, y: ArrayLike<number>) => x.length === y.length && Array.prototype.every.call(x, (v: number, i: number) => v === y[i]);
  if (a.n !== b.n || !same(a.ids, b.ids) || !same(a.values, b.values) || !same(a.labels, b.labels))
    throw new Error(`bench data: ${set.name}: ours and ${peer} disagree (${a.n} vs ${b.n} rows)`);
}

/** A delimited set as DuckDB reads it: the label an integer, numeric features doubles, the rest text. */
function duckdbCsv(set: DataSet): CsvFile {
  const delimiter = set.reader.delimiter ?? (set.reader.format === "tsv" ? "\t" : ",");
  const numeric = new Set(set.features.filter((f) => f.type === "numeric").map((f) => f.column ?? f.name));
  const names = headerNames(set.file, delimiter, set.reader.columns);
  const type = (name: string): CsvColumn["type"] => (name === set.reader.label ? "INTEGER" : numeric.has(name) ? "DOUBLE" : "VARCHAR");
  return { file: set.file, delimiter, header: set.reader.header === true, columns: names.map((name) => ({ name, type: type(name) })) };
}

/** CSV and TSV: the files the byte path reads from bytes (others go through records, as before). */
function isDelimited(set: DataSet): boolean {
  return set.reader.format === "csv" || set.reader.format === "tsv";
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median wall-clock and CPU (user + system, all threads) seconds of rounds of one implementation. */
interface Timing {
  wall: number;
  cpu: number;
}

/** Runs `fn` once, returning its wall-clock and CPU seconds. */
async function measure(fn: () => unknown): Promise<Timing> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

/**
 * Alternating rounds of ours and the peer until `seconds` have passed (at least 5 each): median wall-clock and
 * CPU seconds of each. CPU time is the steadier figure when other processes share the cores.
 */
async function timeBoth(set: DataSet, map: FeatureMap, seconds: number): Promise<{ ours: Timing; naive: Timing; bytes: Timing }> {
  await oursEncode(set, map);
  naiveEncode(set, map);
  await bytesEncode(set, map);
  const ours: Timing[] = [];
  const naive: Timing[] = [];
  const bytes: Timing[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end || ours.length < 5) {
    ours.push(await measure(() => oursEncode(set, map)));
    naive.push(await measure(() => naiveEncode(set, map)));
    bytes.push(await measure(() => bytesEncode(set, map)));
  }
  const med = (ts: Timing[]): Timing => ({ wall: median(ts.map((t) => t.wall)), cpu: median(ts.map((t) => t.cpu)) });
  return { ours: med(ours), naive: med(naive), bytes: med(bytes) };
}

/** The file repeated `times` times, in `dir`. */
function repeatFile(set: DataSet, times: number, dir: string): DataSet {
  if (times === 1) return set;
  let text = readFileSync(set.file, "utf8");
  if (!text.endsWith("\n")) text += "\n";
  const body = set.naive.header ? text.slice(text.indexOf("\n") + 1) : text;
  const file = join(dir, `x${times}-${set.file.split("/").pop()}`);
  const fd = openSync(file, "w");
  try {
    writeSync(fd, text);
    for (let k = 1; k < times; k++) writeSync(fd, body);
  } finally {
    closeSync(fd);
  }
  return { ...set, file };
}

/**
 * Bundles this file alone (the child's script: the data layer and nothing else) into dist/, beside the bench
 * bundle, where its external packages resolve.
 */
async function bundleChild(): Promise<string> {
  const root = packageRoot();
  const outfile = join(root, "dist/bench-data-child.js");
  const { build } = await import("esbuild");
  await build({
    entryPoints: [join(root, "bench/data.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outfile,
    logLevel: "warning",
  });
  return outfile;
}

/** Runs one measured child (`script` with CHILD_ENV set) and returns its result. */
function runChild(script: string, job: ChildJob): ChildResult {
  const out = spawnSync(process.execPath, [...(job.live ? ["--expose-gc"] : []), script], {
    env: { ...process.env, [CHILD_ENV]: JSON.stringify(job) },
    encoding: "utf8",
    maxBuffer: 16 * MIB,
  });
  const line = out.stdout?.split("\n").find((l) => l.startsWith(CHILD_PREFIX));
  if (out.status !== 0 || line === undefined)
    throw new Error(`bench data: child ${job.impl} on ${job.set.file} failed (exit ${out.status}): ${(out.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}`);
  return JSON.parse(line.slice(CHILD_PREFIX.length)) as ChildResult;
}

/** The child side: one implementation, once, with memory sampling. */
async function child(job: ChildJob): Promise<void> {
  const map = JSON.parse(readFileSync(job.mapFile, "utf8")) as FeatureMap;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (job.live && gc === undefined) throw new Error("bench data: a live-memory child needs node --expose-gc");
  gc?.();
  const baseRss = process.memoryUsage.rss();
  let memPeak = 0;
  const sample = () => {
    if (job.live) gc!();
    const m = process.memoryUsage();
    memPeak = Math.max(memPeak, m.heapUsed + m.arrayBuffers);
  };
  sample();
  const memBase = memPeak;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const rows =
    job.impl === "naive" ? naiveEncode(job.set, map, sample).n
    : job.impl === "ours" ? (await oursEncode(job.set, map, sample)).n
    : job.impl === "bytes" ? (await bytesEncode(job.set, map, sample)).n
    : await oursStream(job.set, map, sample);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const result: ChildResult = {
    rows,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    baseRssMiB: baseRss / MIB,
    peakRssMiB: (process.resourceUsage().maxRSS * 1024) / MIB,
    memBaseMiB: memBase / MIB,
    memPeakMiB: memPeak / MIB,
  };
  process.stdout.write(CHILD_PREFIX + JSON.stringify(result) + "\n");
}

const fmtInt = (x: number) => Math.round(x).toLocaleString("en-US");

export const benchmark: Benchmark = async (options: BenchOptions): Promise<BenchCase[]> => {
  const { log, quick } = options;
  const seconds = quick ? 1 : 4;
  const dir = mkdtempSync(join(tmpdir(), "ctr-distill-bench-data-"));
  const cases: BenchCase[] = [];
  try {
    const dataDir = resolve(process.cwd(), "../shared/data");
    let sets: DataSet[];
    if (existsSync(dataDir)) sets = [frappe(dataDir), criteo(dataDir)];
    else {
      log(`data: ${dataDir} not found: using a synthetic CSV (57,722 rows, 10 categorical fields) written to ${dir}`);
      sets = [syntheticCsv(dir)];
    }

    // Rates on the files as they are, in this process.
    const maps = new Map<DataSet, FeatureMap>();
    for (const set of sets) {
      const map = await fit(set);
      maps.set(set, map);
      checkSame(set, await oursEncode(set, map), naiveEncode(set, map));
      checkSame(set, await bytesEncode(set, map), await oursEncode(set, map), "the record path");
      const t = await timeBoth(set, map, seconds);
      const rows = (await oursEncode(set, map)).n;
      const ms = (x: number) => (x * 1000).toFixed(1);
      const bytePath = isDelimited(set) ? `, byte path ${ms(t.bytes.wall)} (${ms(t.bytes.cpu)}) ms: ${fmtInt(rows / t.bytes.cpu)} vs ${fmtInt(rows / t.ours.cpu)} rows per CPU-second` : "";
      log(`data: ${set.name}: ${fmtInt(rows)} rows, median wall (CPU) ours ${ms(t.ours.wall)} (${ms(t.ours.cpu)}) ms, naive ${ms(t.naive.wall)} (${ms(t.naive.cpu)}) ms${bytePath}`);
      cases.push(
        rateCase("data", `${set.name} ${fmtInt(rows)} rows read+encode`, "naive-js", rows / t.ours.wall, rows / t.naive.wall, "rows/s", {
          fields: String(map.features.length),
          fileMiB: (statSync(set.file).size / MIB).toFixed(1),
          oursPerCpuS: Math.round(rows / t.ours.cpu),
          naivePerCpuS: Math.round(rows / t.naive.cpu),
          cpuRatio: (t.naive.cpu / t.ours.cpu).toFixed(2),
        }),
      );
      if (isDelimited(set)) {
        const duck = await timeDuckdbCsv(duckdbCsv(set), seconds);
        if (duck.rows !== rows) throw new Error(`bench data: ${set.name}: DuckDB read ${duck.rows} rows, ours ${rows}`);
        log(`data: ${set.name}: DuckDB read_csv (1 thread) ${ms(duck.wall)} (${ms(duck.cpu)}) ms: ${fmtInt(rows / duck.cpu)} rows per CPU-second`);
        cases.push(
          rateCase("data", `${set.name} ${fmtInt(rows)} rows read+encode, byte path`, "record-path", rows / t.bytes.cpu, rows / t.ours.cpu, "rows/CPU-s", {
            bytesPerWallS: Math.round(rows / t.bytes.wall),
            recordPerWallS: Math.round(rows / t.ours.wall),
          }),
          rateCase("data", `${set.name} ${fmtInt(rows)} rows read+encode, byte path`, "duckdb-1t", rows / t.bytes.cpu, rows / duck.cpu, "rows/CPU-s", {
            bytesPerWallS: Math.round(rows / t.bytes.wall),
            duckdbPerWallS: Math.round(rows / duck.wall),
          }),
        );
      }
    }

    // Memory against file size, each implementation alone in a child process.
    const base = sets[0]!;
    const mapFile = join(dir, "feature-map.json");
    writeFileSync(mapFile, JSON.stringify(maps.get(base)!));
    const baseRows = (await oursEncode(base, maps.get(base)!)).n;
    const largest = Math.max(1, Math.round(TARGET_ROWS / baseRows));
    const scales = quick ? [1, 4] : [1, 4, largest];
    const script = await bundleChild();
    for (const times of scales) {
      const set = repeatFile(base, times, dir);
      const impls = ["ours", "stream", "naive"] as const;
      const [ours, stream, naive] = impls.map((impl) => runChild(script, { impl, set, mapFile, live: false }));
      const [oursLive, streamLive, naiveLive] = impls.map((impl) => runChild(script, { impl, set, mapFile, live: true }));
      const rows = ours!.rows;
      if (naive!.rows !== rows || stream!.rows !== rows) throw new Error(`bench data: children disagree on the row count of ${set.file}`);
      const fileMiB = statSync(set.file).size / MIB;
      // What ours and the peer keep in the end: ids and values of every row (4 + 4 bytes per field) and its label.
      const outMiB = (rows * (maps.get(base)!.features.length * 8 + 4)) / MIB;
      const mib = (x: number) => Number(x.toFixed(1));
      const added = (r: ChildResult) => mib(r.memPeakMiB - r.memBaseMiB);
      log(
        `data: ${base.name} ×${times}: ${fmtInt(rows)} rows, ${fileMiB.toFixed(1)} MiB; peak RSS ours ${ours!.peakRssMiB.toFixed(0)} MiB, ` +
          `stream ${stream!.peakRssMiB.toFixed(0)} MiB, naive ${naive!.peakRssMiB.toFixed(0)} MiB (child baseline ${ours!.baseRssMiB.toFixed(0)} MiB); ` +
          `live peak over baseline ours ${added(oursLive!)}, stream ${added(streamLive!)}, naive ${added(naiveLive!)} MiB (baseline ${oursLive!.memBaseMiB.toFixed(1)} MiB)`,
      );
      const name = `${base.name} ×${times} (${fmtInt(rows)} rows, ${fileMiB.toFixed(0)} MiB)`;
      cases.push(
        costCase("data", `${name} peak RSS`, "naive-js", mib(ours!.peakRssMiB), mib(naive!.peakRssMiB), "MiB", {
          stream: mib(stream!.peakRssMiB),
          childBaseline: mib(ours!.baseRssMiB),
        }),
        costCase("data", `${name} live memory added`, "naive-js", added(oursLive!), added(naiveLive!), "MiB", {
          stream: added(streamLive!),
          encodedOutput: mib(outMiB),
        }),
      );
      if (times === scales[scales.length - 1])
        cases.push(
          rateCase("data", `${name} read+encode, one cold run`, "naive-js", rows / ours!.seconds, rows / naive!.seconds, "rows/s", {
            stream: Math.round(rows / stream!.seconds),
            oursPerCpuS: Math.round(rows / ours!.cpuSeconds),
            naivePerCpuS: Math.round(rows / naive!.cpuSeconds),
            cpuRatio: (naive!.cpuSeconds / ours!.cpuSeconds).toFixed(2),
          }),
        );
    }

    // The byte path against the record path on each delimited file repeated to about TARGET_ROWS rows, cold.
    for (const textSet of sets.filter(isDelimited)) {
      const textMap = join(dir, "feature-map-text.json");
      writeFileSync(textMap, JSON.stringify(maps.get(textSet)!));
      const textRows = (await oursEncode(textSet, maps.get(textSet)!)).n;
      const set = repeatFile(textSet, quick ? 4 : Math.max(1, Math.round(TARGET_ROWS / textRows)), dir);
      const [record, bytes] = (["ours", "bytes"] as const).map((impl) => runChild(script, { impl, set, mapFile: textMap, live: false }));
      if (record!.rows !== bytes!.rows) throw new Error(`bench data: children disagree on the row count of ${set.file}`);
      const perCpu = (r: ChildResult) => r.rows / r.cpuSeconds;
      log(`data: ${textSet.name} ${fmtInt(bytes!.rows)} rows, one cold run: byte path ${fmtInt(perCpu(bytes!))}, record path ${fmtInt(perCpu(record!))} rows per CPU-second`);
      cases.push(
        rateCase("data", `${textSet.name} ${fmtInt(bytes!.rows)} rows read+encode, byte path, one cold run`, "record-path", perCpu(bytes!), perCpu(record!), "rows/CPU-s", {
          bytesPerWallS: Math.round(bytes!.rows / bytes!.seconds),
          recordPerWallS: Math.round(record!.rows / record!.seconds),
          bytesPeakRssMiB: Number(bytes!.peakRssMiB.toFixed(1)),
          recordPeakRssMiB: Number(record!.peakRssMiB.toFixed(1)),
        }),
      );
      // DuckDB on the same file, warm (after one round): the comparison leans its way, not ours.
      const duck = await timeDuckdbCsv(duckdbCsv(set), 0, 2);
      if (duck.rows !== bytes!.rows) throw new Error(`bench data: DuckDB read ${duck.rows} rows of ${set.file}, ours ${bytes!.rows}`);
      log(`data: ${textSet.name} ${fmtInt(duck.rows)} rows: DuckDB read_csv (1 thread, warm) ${fmtInt(duck.rows / duck.cpu)} rows per CPU-second`);
      cases.push(
        rateCase("data", `${textSet.name} ${fmtInt(bytes!.rows)} rows read+encode, byte path, one cold run`, "duckdb-1t", perCpu(bytes!), duck.rows / duck.cpu, "rows/CPU-s", {
          bytesPerWallS: Math.round(bytes!.rows / bytes!.seconds),
          duckdbPerWallS: Math.round(duck.rows / duck.wall),
          duckdb: "median of 2 warm rounds",
        }),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return cases;
};

// The child side of runChild: this file, bundled alone, started with CHILD_ENV set.
const childJob = process.env[CHILD_ENV];
if (childJob !== undefined)
  child(JSON.parse(childJob) as ChildJob).catch((e: unknown) => {
    process.stderr.write(`bench data child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
