import type { ColumnSplitConfig, DataConfig, FeatureConfig } from "../config-types";
import type { Logger } from "../log";
import { DataError, UserError } from "../errors";
import { RowEncoder } from "../runtime/encode";
import type { FeatureMap } from "../runtime/feature-map";
import { DatasetBuilder, DiskDatasetBuilder, encodeRecords, type EncodeOptions, type EncodedDataset, type RowDataset } from "./dataset";
import { FeatureMapFitter } from "./feature-map-fit";
import { cellTest, ruleProblem, SPLIT_NAMES, type CellTest, type SplitName } from "./column-split";
import { deriveSeed, hashUniform } from "./prng";
import { encodeDataSet, type RowTarget } from "./byte-encode";
import { assembledChunks, columnOf, listSeparators, planCells, type CellPlan } from "./cell-plan";
import { ReadProgressMeter, withReadProgress } from "./read-progress";
import { SplitRouter } from "./split-router";
import type { FileSetReader } from "./readers/file-set";
import { describePaths, openRecords, type DataPaths, type RecordStream } from "./readers/index";
import { BadLines, type BadLineSummary, type RawRecord, type ReaderOptions } from "./readers/types";
import { generateSynthetic, syntheticFeatures } from "./synthetic";

export interface PrepareOptions {
  /** Seed of the deterministic split (the run's `training.seed`). */
  seed: number;
  /** Count and skip bad lines instead of failing on the first. */
  skipBadLines?: boolean;
  log?: Logger;
}

export interface PreparedData {
  featureMap: FeatureMap;
  /** On disk with `data.cache: "disk"` (dispose with `disposeData`); valid and test are always in memory. */
  train: RowDataset;
  valid: EncodedDataset;
  test: EncodedDataset;
  /** Synthetic data only: Bayes-optimal AUC and logloss of the test split. */
  bayes?: { auc: number; logloss: number };
  /** Per file, the lines skipped with `skipBadLines` (only files with skipped lines). */
  skipped?: ({ file: string } & BadLineSummary)[];
}

type Part = SplitName;
const PARTS = SPLIT_NAMES;

function summaryLine(p: PreparedData): string {
  return (
    `data: train ${p.train.n} rows, valid ${p.valid.n} rows, test ${p.test.n} rows; ` +
    `feature map ${p.featureMap.features.length} fields, ${p.featureMap.totalRows} embedding rows`
  );
}

function checkNonEmpty(p: PreparedData): void {
  for (const part of PARTS) if (p[part].n === 0) throw new UserError(`data: the ${part} split has no rows`);
}

/**
 * The builder of the train split: on disk when `data.cache` asks. Valid and test stay in memory: the monitor
 * scores valid after every epoch, and both are usually a small share of the rows.
 */
function trainBuilder(data: DataConfig, encoder: RowEncoder, file: string, options: EncodeOptions): DatasetBuilder | DiskDatasetBuilder {
  return data.cache === "disk" ? new DiskDatasetBuilder(encoder, file, options) : new DatasetBuilder(encoder, file, options, 4096);
}

/** Frees the temporary files of a disk-backed train split now (the kernel frees them when the process ends otherwise). */
export function disposeData(p: PreparedData): void {
  if ("store" in p.train) p.train.store.dispose();
}

/** The features of `data`: as configured, or a synthetic log's own fields when it configures none. */
function configuredFeatures(data: DataConfig): FeatureConfig[] {
  return data.synthetic !== undefined && (data.features === undefined || data.features.length === 0) ? syntheticFeatures(data.synthetic) : data.features;
}

function prepareSynthetic(data: DataConfig): PreparedData {
  const cfg = data.synthetic!;
  const gen = generateSynthetic(cfg);
  const features = configuredFeatures(data);
  const cols = features.map((f) => {
    const i = gen.fields.indexOf(columnOf(f));
    if (i < 0) throw new UserError(`data.features: '${columnOf(f)}' is not a synthetic field (C1..C${cfg.fields})`);
    return i;
  });
  const records = (part: Part): RawRecord[] =>
    gen[part].rows.map((row, r) => ({ line: r + 1, label: gen[part].labels[r]!, cells: cols.map((c) => row[c]!) }));
  const fitter = new FeatureMapFitter(features, data.label || "click", "<synthetic train>");
  const train = records("train");
  for (const rec of train) fitter.add(rec.cells, rec.line);
  const featureMap = fitter.finish();
  const encoder = new RowEncoder(featureMap, "text");
  const trainRows = trainBuilder(data, encoder, "<synthetic train>", {});
  for (const rec of train) trainRows.add(rec);
  return {
    featureMap,
    train: trainRows.finish(),
    valid: encodeRecords(encoder, records("valid"), "<synthetic valid>"),
    test: encodeRecords(encoder, records("test"), "<synthetic test>"),
    bayes: gen.bayes,
  };
}

/** Reader options for one file of `data`, selecting the columns `select` (a CellPlan's). */
export function readerOptions(data: DataConfig, skipBadLines: boolean, select: string[]): ReaderOptions {
  if (data.format !== "csv" && data.format !== "tsv" && data.format !== "libsvm" && data.format !== "parquet")
    throw new UserError(`data.format: "${data.format}" is not supported yet (csv, tsv, libsvm, parquet)`);
  // Parquet names its columns in its schema: header, columns and delimiter do not apply.
  const textual = data.format !== "parquet";
  return {
    format: data.format,
    delimiter: data.delimiter,
    // With `columns`, a header line is recognised per file, so a train file with a header and valid/test
    // files without one (Avazu's sample) share one configuration.
    header: data.format === "libsvm" || !textual ? false : data.header && data.columns !== undefined ? "auto" : data.header,
    ...(data.columns !== undefined && textual ? { columns: data.columns } : {}),
    label: data.label,
    select,
    ...(data.labelThreshold !== undefined ? { labelThreshold: data.labelThreshold } : {}),
    ...(data.positive !== undefined ? { positive: data.positive } : {}),
    ...(data.format === "parquet" ? { listSeparators: listSeparators(data) } : {}),
    skipBadLines,
  };
}


/** Which split a row of the train data goes to: null for a row of none (a split by a column leaves such rows out). */
type Assign = (record: RawRecord) => Part | null;

/**
 * The split of each row of the train data. Parts with their own files are read from them; the others are
 * drawn from the train data by `split`: by fractions, per row, by a seeded hash of its file and line (the
 * same in the fitting and the encoding pass), or by the value of the column `split.by`, which the plan puts
 * at `splitCell` of each record.
 */
function splitPlan(data: DataConfig, seed: number, splitCell: number): Assign {
  const drawn = PARTS.filter((p) => p !== "train" && data[p] === undefined);
  const split = data.split;
  if (split !== undefined && !Array.isArray(split)) return columnSplit(split, drawn, splitCell, describePaths(data.train!));
  if (drawn.length === 0) {
    if (split !== undefined && (split[1] > 0 || split[2] > 0))
      throw new UserError("data.split: valid and test have their own file; drop 'split' or set their fractions to 0");
    return () => "train";
  }
  if (split === undefined)
    throw new UserError(`data: no ${drawn.join(" or ")} file; give ${drawn.map((p) => `'${p}'`).join(" and ")} or a 'split'`);
  const frac = { train: split[0], valid: split[1], test: split[2] };
  for (const p of PARTS) {
    if (p !== "train" && data[p] !== undefined && frac[p] > 0)
      throw new UserError(`data.split: '${p}' has its own file, so its fraction must be 0 (got ${frac[p]})`);
    if ((p === "train" || drawn.includes(p)) && !(frac[p] > 0))
      throw new UserError(`data.split: the ${p} fraction must be > 0 (got ${frac[p]})`);
  }
  const total = frac.train + drawn.reduce((s, p) => s + frac[p], 0);
  const cut1 = frac.train / total;
  const cut2 = cut1 + (drawn.includes("valid") ? frac.valid / total : 0);
  const seedOf = fileSeeds(seed);
  return (record) => {
    const u = hashUniform(seedOf(record.file), record.line);
    return u < cut1 ? "train" : u < cut2 && drawn.includes("valid") ? "valid" : drawn.includes("test") ? "test" : "valid";
  };
}

/**
 * A hash seed per file of the train data, numbered in reading order (the same in both passes): the first file
 * hashes by `seed` itself, so one file splits as it always has, and equal line numbers of two files do not
 * land in the same split together.
 */
function fileSeeds(seed: number): (file: string | undefined) => number {
  const seeds = new Map<string | undefined, number>();
  return (file) => {
    let s = seeds.get(file);
    if (s === undefined) {
      s = seeds.size === 0 ? seed : deriveSeed(seed, seeds.size);
      seeds.set(file, s);
    }
    return s;
  };
}

/** The split of a row by the value of its cell `at` (`data.split.by`'s); the rules as parse.ts checks them. */
function columnSplit(split: ColumnSplitConfig, drawn: readonly Part[], at: number, trainFile: string): Assign {
  for (const part of ["valid", "test"] as const) {
    if (drawn.includes(part) && split[part] === undefined) throw new UserError(`data.split.${part}: the ${part} rows' values or range are needed (or files in data.${part})`);
    if (!drawn.includes(part) && split[part] !== undefined) throw new UserError(`data.split.${part}: data.${part} has files of its own; drop one of the two`);
  }
  const problem = ruleProblem(split);
  if (problem !== null) throw new UserError(`data.split.${problem.part}: ${problem.reason}`);
  const rules = drawn.map((p) => [p, cellTest(split[p]!)] as const);
  const train = split.train === undefined ? null : cellTest(split.train);
  const check = (test: CellTest, record: RawRecord): boolean => {
    const hit = test(record.cells[at] ?? "");
    if (typeof hit === "string") throw new DataError(record.file ?? trainFile, record.line, split.by, hit);
    return hit;
  };
  return (record) => {
    for (const [part, test] of rules) if (check(test, record)) return part;
    return train === null || check(train, record) ? "train" : null;
  };
}

async function prepareFiles(data: DataConfig, opts: PrepareOptions): Promise<PreparedData> {
  if (data.train === undefined) throw new UserError("data.train: a training file (or data.synthetic) is needed");
  const skip = opts.skipBadLines === true;
  const scoreColumns = data.teacherScores?.columns ?? [];
  const splitBy = data.split !== undefined && !Array.isArray(data.split) ? [data.split.by] : [];
  // The split column, when there is one, comes last: after the features and the logged scores.
  const plan = await planCells(data, data.features, [...scoreColumns, ...splitBy]);
  const ro = readerOptions(data, skip, plan.select);
  const assign = splitPlan(data, opts.seed, data.features.length + scoreColumns.length);
  const trainFile = describePaths(data.train);
  const log = opts.log ?? (() => {});
  const records = (reader: RecordStream, label: string) => assembledChunks(withReadProgress(reader, log, label), plan);
  // A row whose split cell does not compare is a bad row (skipped with skipBadLines): "bad" then.
  const split = (record: RawRecord, bad: BadLines): Part | null | "bad" => {
    try {
      return assign(record);
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      bad.handle(e);
      return "bad";
    }
  };

  // Pass 1: fit the feature map on the train part.
  const fitter = new FeatureMapFitter(data.features, data.label, trainFile);
  const fitBad = new BadLines(skip);
  for await (const chunk of records(openRecords(data.train, ro), "fitting the feature map:"))
    for (const rec of chunk) {
      if (split(rec, fitBad) !== "train") continue;
      try {
        fitter.add(rec.cells, rec.line, rec.file);
      } catch (e) {
        if (e instanceof DataError) fitBad.handle(e);
        else throw e;
      }
    }
  if (fitter.rows === 0) throw new UserError(`${trainFile}: no training rows`);
  const featureMap = fitter.finish();
  const encoder = new RowEncoder(featureMap, "text");

  // Pass 2: encode every part (with the logged teacher scores, when the data carries them).
  const scores = data.teacherScores === undefined ? {} : { scores: { names: data.teacherScores.columns, kind: data.teacherScores.kind } };
  const skipped: PreparedData["skipped"] = [];
  const note = (file: string, bad: BadLines) => {
    if (bad.skipped > 0) skipped.push({ file, ...bad.summary() });
  };
  const trainReader = openRecords(data.train, ro);
  const options = { bad: trainReader.bad, ...scores };
  const builders = {
    train: trainBuilder(data, encoder, trainFile, options),
    valid: new DatasetBuilder(encoder, trainFile, options, 4096),
    test: new DatasetBuilder(encoder, trainFile, options, 4096),
  };
  // A split by fractions needs only a row's file and line: the byte path can write the row into its split.
  const byPosition = splitBy.length === 0 ? (file: string | undefined, line: number) => assign({ file, line, label: 0, cells: [] }) : null;
  const router = new SplitRouter(encoder, builders, (rec) => split(rec, trainReader.bad), byPosition);
  await encodePlan(trainReader, router, plan, new ReadProgressMeter(trainReader, log, "encoding:"));
  note(trainFile, trainReader.bad);
  if (router.unsplit > 0) log(`data: ${trainFile}: ${router.unsplit} rows are in no split of data.split and are left out`);
  const out = { train: builders.train.finish(), valid: builders.valid.finish(), test: builders.test.finish() };
  for (const p of ["valid", "test"] as const) {
    const paths = data[p];
    if (paths === undefined) continue;
    const file = describePaths(paths);
    const reader = openRecords(paths, ro);
    const builder = new DatasetBuilder(encoder, file, { bad: reader.bad, ...scores }, 4096);
    await encodePlan(reader, builder, plan, new ReadProgressMeter(reader, log, `encoding the ${p} file:`));
    out[p] = builder.finish();
    note(file, reader.bad);
  }
  return { featureMap, ...out, ...(skipped.length > 0 ? { skipped } : {}) };
}

/**
 * Encodes what `reader` reads into `target` with the cells of `plan`: straight from the columns when the plan
 * is plain (the byte-level pass: CSV/TSV read from bytes, other formats by records), else through
 * `plan.assemble`. `meter` shows the progress and stops on abort.
 */
async function encodePlan(reader: FileSetReader, target: RowTarget, plan: CellPlan, meter: ReadProgressMeter): Promise<void> {
  if (plan.plain) await encodeDataSet(reader, target, (rows) => meter.add(rows));
  else
    for await (const chunk of assembledChunks(reader.chunks(), plan)) {
      for (const rec of chunk) target.add(rec);
      meter.add(chunk.length);
    }
  meter.done();
}

/**
 * Turns a data configuration into a feature map and encoded train/valid/test sets: synthetic data is
 * generated; files are read twice in streaming passes (fit the map on train, then encode every split).
 */
export async function prepareData(data: DataConfig, opts: PrepareOptions): Promise<PreparedData> {
  const prepared = data.synthetic !== undefined ? prepareSynthetic(data) : await prepareFiles(data, opts);
  checkNonEmpty(prepared);
  const log = opts.log ?? (() => {});
  log(summaryLine(prepared));
  if ("store" in prepared.train) log(`data: the train split's encoded rows are on disk (data.cache), ${(prepared.train.store.bytesOnDisk / 2 ** 20).toFixed(1)} MiB`);
  if (prepared.bayes !== undefined)
    log(`data: synthetic test split Bayes-optimal AUC ${prepared.bayes.auc.toFixed(4)}, logloss ${prepared.bayes.logloss.toFixed(4)}`);
  for (const s of prepared.skipped ?? []) log(`data: ${s.file}: skipped ${s.skipped} bad lines, first: ${s.first.join("; ")}`);
  return prepared;
}

/** The configuration of each feature of `map`, in the map's order; one missing from `data.features` is a UserError. */
export function mapFeatureConfigs(data: DataConfig, map: FeatureMap): FeatureConfig[] {
  const byName = new Map(configuredFeatures(data).map((f) => [f.name, f]));
  const missing = map.features.filter((f) => !byName.has(f.name)).map((f) => `'${f.name}'`);
  if (missing.length > 0) throw new UserError(`data.features lacks feature${missing.length > 1 ? "s" : ""} ${missing.join(", ")} of feature map ${map.id.slice(0, 12)}…`);
  return map.features.map((f) => byName.get(f.name)!);
}

/**
 * Reads and encodes one labelled file with an existing feature map (evaluate): the cells come in the map's
 * feature order, each from the column `data.features` gives it.
 */
export async function readEncoded(
  file: DataPaths,
  data: DataConfig,
  map: FeatureMap,
  opts: { skipBadLines?: boolean; log?: Logger } = {},
): Promise<EncodedDataset> {
  const plan = await planCells(data, mapFeatureConfigs(data, map));
  const reader = openRecords(file, readerOptions(data, opts.skipBadLines === true, plan.select));
  const builder = new DatasetBuilder(new RowEncoder(map, "text"), reader.file, { bad: reader.bad }, 4096);
  await encodePlan(reader, builder, plan, new ReadProgressMeter(reader, opts.log ?? (() => {}), "encoding:"));
  const ds = builder.finish();
  if (reader.bad.skipped > 0) opts.log?.(`data: ${reader.file}: skipped ${reader.bad.skipped} bad lines, first: ${reader.bad.summary().first.join("; ")}`);
  return ds;
}
