import type { ColumnSplitConfig, DataConfig, FeatureConfig, RunConfig } from "../config-types";
import { columnOf } from "../data/cell-plan";
import { ruleProblem } from "../data/column-split";
import { checkSynthetic, syntheticFeatures } from "../data/synthetic";
import { UserError } from "../errors";
import { resolveModel } from "../models/zoo";
import { compactSpecProblem } from "../runtime/embedding-remap";
import { type ConfigPath, ConfigError } from "./config-error";
import { DATA, RUN_CONFIG } from "./schema";
import { didYouMean } from "./suggest";
import { SchemaWalker } from "./walk";

export interface ParseOptions {
  /** The folder relative paths (data files, side tables) resolve from: the config file's. Default: left as written. */
  baseDir?: string;
}

/**
 * Validates a run configuration (DESIGN.md) against the reference in schema.ts, then the rules across keys:
 * the defaults that depend on other keys, the files or `split` or `synthetic` that the data needs, features
 * that would read the label (a leak), and every teacher's model and hyperparameters, so that a mistake is
 * reported before any data is read. Errors name the key's path under `where`.
 */
export function parseConfig(doc: unknown, where = "config", options: ParseOptions = {}): RunConfig {
  const walker = new SchemaWalker(where, options.baseDir);
  const config = walker.required(RUN_CONFIG, withoutEmptySyntheticFeatures(doc), []) as RunConfig;
  const raw = doc as { teachers?: unknown };
  refineData(config.data, walker);
  config.teachers ??= [];
  if (config.teachers.length === 0 && config.data.teacherScores === undefined) walker.expected(["teachers"], RUN_CONFIG.properties.teachers, raw.teachers);
  refuseInJointTraining(config, walker);
  refuseValidKd(config, walker);
  if (config.student.embedding !== undefined) {
    const problem = compactSpecProblem(config.student.embedding, config.data.features.map((f) => f.name), config.student.budgetBytes !== undefined);
    if (problem !== null) walker.fail(["student", "embedding", ...problem.path], problem.reason);
  }
  const sizedKind = config.student.embedding?.kind ?? "prune";
  if (config.student.budgetBytes !== undefined && sizedKind !== "prune" && sizedKind !== "hash")
    walker.fail(["student", "budgetBytes"], `sizes the student by student.embedding kind "prune" (the default) or "hash"; this one is ${JSON.stringify(sizedKind)}`);
  for (const [i, teacher] of config.teachers.entries()) {
    try {
      resolveModel(teacher.model, teacher, walker.at(["teachers", i]));
    } catch (e) {
      if (e instanceof UserError) throw new ConfigError(["teachers", i], e.message);
      throw e;
    }
  }
  return config;
}

/** Joint training distils from the mean of the teachers it trains: what it cannot honour is refused, not ignored. */
function refuseInJointTraining(config: RunConfig, walker: SchemaWalker): void {
  if (config.distill.teacherTraining !== "joint") return;
  const why = 'not supported with distill.teacherTraining "joint"';
  if (config.distill.ensemble !== "mean") walker.fail(["distill", "ensemble"], `${why}: joint training distils from the mean of the teachers; expected "mean", got ${JSON.stringify(config.distill.ensemble)}`);
  if (config.distill.hint) walker.fail(["distill", "hint"], `${why} (the hint teacher would still be training); set it to false, or train the teachers first ("pretrained")`);
  if (config.data.teacherScores !== undefined) walker.fail(["data", "teacherScores"], `${why} (logged teachers cannot train with the student); drop them, or use "pretrained"`);
}

/** `distill.validKdFraction` mixes in-memory validation rows into the student's batches of the frozen teachers' logits. */
function refuseValidKd(config: RunConfig, walker: SchemaWalker): void {
  if (config.distill.validKdFraction === 0) return;
  const at = ["distill", "validKdFraction"];
  if (config.distill.teacherTraining === "joint")
    walker.fail(at, 'not supported with distill.teacherTraining "joint" (its teachers train on the batches, so they have no frozen logits for the validation rows); set it to 0, or use "pretrained"');
  if (config.data.cache === "disk")
    walker.fail(at, 'not supported with data.cache "disk" (the validation rows join the train split\'s batches, which must then be in memory); set it to 0, or data.cache to "memory"');
}

/** Runs on synthetic data stored `features: []` before their fields were written out: read it as absent. */
function withoutEmptySyntheticFeatures(doc: unknown): unknown {
  const data = (doc as { data?: { synthetic?: unknown; features?: unknown } } | null)?.data;
  if (data?.synthetic === undefined || !Array.isArray(data.features) || data.features.length > 0) return doc;
  const { features: _empty, ...rest } = data;
  return { ...(doc as object), data: rest };
}

function refineData(data: DataConfig, walker: SchemaWalker): void {
  const at = (...path: (string | number)[]) => ["data", ...path];
  data.delimiter ??= data.format === "tsv" ? "\t" : ",";
  data.header ??= data.format === "csv";
  for (const [i, lookup] of (data.lookups ?? []).entries()) {
    lookup.on ??= lookup.key;
    if (lookup.columns !== undefined && !lookup.columns.includes(lookup.key))
      walker.fail(at("lookups", i, "key"), `expected one of its columns (${lookup.columns.join(", ")}), got ${JSON.stringify(lookup.key)}`);
  }
  if (data.synthetic !== undefined) {
    if (data.lookups !== undefined) walker.fail(at("lookups"), "side tables join files, not synthetic data");
    try {
      checkSynthetic(data.synthetic);
    } catch (e) {
      // Its messages name the key under `data.synthetic`.
      if (e instanceof UserError) throw new ConfigError(at("synthetic"), `${walker.root}.${e.message}`);
      throw e;
    }
    // Stored runs keep the generator's fields, so that a run's config reads back and scores as it trained.
    data.features ??= syntheticFeatures(data.synthetic);
  } else {
    if (data.train === undefined) walker.fail(at("train"), "expected a file path (or a 'synthetic' section), got nothing");
    if (Array.isArray(data.split)) {
      if (Math.abs(data.split.reduce((a, b) => a + b, 0) - 1) > 1e-6) walker.expected(at("split"), DATA.properties.split, data.split);
    } else if (data.split !== undefined) {
      checkColumnSplit(data, data.split, walker);
    } else {
      for (const part of ["valid", "test"] as const) if (data[part] === undefined) walker.fail(at(part), "expected a file path (or 'split'), got nothing");
    }
    if (data.features === undefined) walker.expected(at("features"), DATA.properties.features, undefined);
  }
  if (data.positive !== undefined) {
    if (data.labelThreshold !== undefined) walker.fail(at("positive"), "give either 'positive' or 'labelThreshold', not both");
    if (data.format === "libsvm") walker.fail(at("positive"), "libsvm labels are 1, 0 or -1; 'positive' is for csv, tsv and parquet");
  }
  checkFeatures(data, walker);
}

/** A split by a column: its column among the known ones, each split either drawn or with files of its own, no overlap. */
function checkColumnSplit(data: DataConfig, split: ColumnSplitConfig, walker: SchemaWalker): void {
  const at = (...path: (string | number)[]) => ["data", "split", ...path];
  checkColumn(split.by, fileColumns(data), at("by"), walker);
  for (const part of ["valid", "test"] as const) {
    if (data[part] !== undefined && split[part] !== undefined) walker.fail(at(part), `data.${part} has files of its own; drop one of the two`);
    if (data[part] === undefined && split[part] === undefined) walker.fail(at(part), `expected the ${part} rows' values or range (or files in data.${part}), got nothing`);
  }
  const problem = ruleProblem(split);
  if (problem !== null) walker.fail(at(problem.part), problem.reason);
}

/** Column names the config itself gives, and where they come from (for messages). */
interface KnownColumns {
  names: string[];
  from: string;
}

/** The data files' columns when the config names them (`data.columns` of headerless csv/tsv/libsvm), else null. */
function fileColumns(data: DataConfig): KnownColumns | null {
  return data.columns === undefined || data.format === "parquet" ? null : { names: data.columns, from: "data.columns" };
}

/**
 * The columns a feature may read, when the config alone names them all: the files' and the side tables'.
 * Null when some header is only known once a file is read.
 */
function featureColumns(data: DataConfig): KnownColumns | null {
  const files = fileColumns(data);
  const tables = data.lookups ?? [];
  if (files === null || tables.some((t) => t.columns === undefined)) return null;
  if (tables.length === 0) return files;
  return { names: [...files.names, ...tables.flatMap((t) => t.columns!)], from: "data.columns or the side tables' columns" };
}

/** A column that is neither a known name nor a 0-based index is refused, with the nearest name. */
function checkColumn(column: string, known: KnownColumns | null, path: ConfigPath, walker: SchemaWalker): void {
  if (known === null || known.names.includes(column) || /^\d+$/.test(column)) return;
  walker.fail(path, `no column '${column}' in ${known.from}${didYouMean(column, known.names) || `; columns: ${known.names.join(", ")}`}`);
}

/** Unknown columns, duplicate names, a hashed feature without buckets, and features that read the label or a logged score. */
function checkFeatures(data: DataConfig, walker: SchemaWalker): void {
  // Headerless files name columns by index too: compare names.
  const named = (column: string) => (/^\d+$/.test(column) && data.columns !== undefined ? (data.columns[Number(column)] ?? column) : column);
  const label = named(data.label);
  const scores = new Set((data.teacherScores?.columns ?? []).map(named));
  const files = fileColumns(data);
  const known = featureColumns(data);
  // libsvm's label is a line's first token, not a named column.
  if (data.format !== "libsvm") checkColumn(data.label, files, ["data", "label"], walker);
  for (const [i, column] of (data.teacherScores?.columns ?? []).entries()) checkColumn(column, files, ["data", "teacherScores", "columns", i], walker);
  for (const [i, lookup] of (data.lookups ?? []).entries()) checkColumn(lookup.on, files, ["data", "lookups", i, "on"], walker);
  const seen = new Set<string>();
  for (const [i, f] of data.features.entries()) {
    const at = ["data", "features", i];
    if (seen.has(f.name)) walker.fail([...at, "name"], `duplicate feature '${f.name}'`);
    seen.add(f.name);
    if (f.type === "hashed" && f.buckets === undefined) walker.fail([...at, "buckets"], "a hashed feature needs 'buckets' (an integer ≥ 1)");
    if (f.flags !== undefined) for (const [j, flag] of f.flags.entries()) checkColumn(flag, known, [...at, "flags", j], walker);
    else checkColumn(columnOf(f), known, [...at, f.column === undefined ? "name" : "column"], walker);
    for (const column of sourceColumns(f).map(named)) {
      if (column === label) walker.fail(at, `feature '${f.name}' reads the label column '${column}' (the model would see the answer)`);
      if (scores.has(column)) walker.fail(at, `feature '${f.name}' reads the logged teacher score '${column}' (data.teacherScores.columns)`);
    }
  }
}

function sourceColumns(f: FeatureConfig): string[] {
  return f.flags ?? [columnOf(f)];
}
