import { readFileSync } from "node:fs";
import type { DataConfig, DistillConfig, FeatureConfig, LookupConfig, RunConfig, StudentConfig, SyntheticConfig, TeacherConfig, TrainingConfig } from "./config-types";
import { GATE_DEFAULTS } from "./distill/gate";
import { UserError } from "./errors";

/**
 * Validates a run configuration (DESIGN.md). Every error names the JSON path of the bad key
 * (`config.distill.alpha: expected a number in [0, 1], got 2`); unknown keys are errors, not ignored.
 */

type Json = Record<string, unknown>;

class Path {
  constructor(readonly at: string) {}
  child(key: string | number): Path {
    return new Path(typeof key === "number" ? `${this.at}[${key}]` : `${this.at}.${key}`);
  }
  error(expected: string, got: unknown): UserError {
    return new UserError(`${this.at}: expected ${expected}, got ${JSON.stringify(got)}`);
  }
}

function object(value: unknown, path: Path, allowed: readonly string[]): Json {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw path.error("an object", value);
  for (const key of Object.keys(value as Json))
    if (!allowed.includes(key)) throw new UserError(`${path.child(key).at}: unknown key; allowed: ${allowed.join(", ")}`);
  return value as Json;
}

function number(obj: Json, key: string, path: Path, fallback: number | undefined, check: (x: number) => boolean = () => true, expected = "a number"): number {
  const value = obj[key] ?? fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || !check(value)) throw path.child(key).error(expected, obj[key]);
  return value;
}

function integer(obj: Json, key: string, path: Path, fallback: number | undefined, min: number): number {
  return number(obj, key, path, fallback, (x) => Number.isInteger(x) && x >= min, `an integer ≥ ${min}`);
}

function string(obj: Json, key: string, path: Path, fallback?: string): string {
  const value = obj[key] ?? fallback;
  if (typeof value !== "string") throw path.child(key).error("a string", obj[key]);
  return value;
}

function optionalString(obj: Json, key: string, path: Path): string | undefined {
  return obj[key] === undefined ? undefined : string(obj, key, path);
}

function oneOf<T extends string>(obj: Json, key: string, path: Path, options: readonly T[], fallback: T): T {
  const value = obj[key] ?? fallback;
  if (!options.includes(value as T)) throw path.child(key).error(`one of ${options.join(", ")}`, obj[key]);
  return value as T;
}

function boolean(obj: Json, key: string, path: Path, fallback: boolean): boolean {
  const value = obj[key] ?? fallback;
  if (typeof value !== "boolean") throw path.child(key).error("true or false", obj[key]);
  return value;
}

function units(obj: Json, key: string, path: Path, fallback: number[]): number[] {
  const value = obj[key] ?? fallback;
  if (!Array.isArray(value) || !value.every((u) => Number.isInteger(u) && u >= 1)) throw path.child(key).error("an array of positive integers", obj[key]);
  return value as number[];
}

/** A sequence feature's defaults: items split by "|" (MovieLens' genres), the last 8 kept. */
export const DEFAULT_SEPARATOR = "|";
export const DEFAULT_MAX_LENGTH = 8;

function names(obj: Json, key: string, path: Path): string[] {
  const value = obj[key];
  if (!Array.isArray(value) || value.length === 0 || !value.every((c) => typeof c === "string" && c !== "")) throw path.child(key).error("a non-empty array of column names", value);
  return value as string[];
}

function parseLookup(value: unknown, path: Path): LookupConfig {
  const l = object(value, path, ["file", "key", "on", "columns", "delimiter"]);
  const key = string(l, "key", path);
  const lookup: LookupConfig = { file: string(l, "file", path), key, on: string(l, "on", path, key), delimiter: string(l, "delimiter", path, ",") };
  if (l.columns !== undefined) {
    lookup.columns = names(l, "columns", path);
    if (!lookup.columns.includes(key)) throw path.child("key").error(`one of its columns (${lookup.columns.join(", ")})`, key);
  }
  return lookup;
}

function parseFeature(value: unknown, path: Path): FeatureConfig {
  const f = object(value, path, ["name", "type", "minCount", "buckets", "transform", "quantiles", "column", "separator", "maxLength", "pooling", "flags"]);
  const type = oneOf(f, "type", path, ["categorical", "hashed", "numeric", "quantile", "sequence"] as const, "categorical");
  const feature: FeatureConfig = { name: string(f, "name", path), type };
  if (f.column !== undefined) feature.column = string(f, "column", path);
  if (f.minCount !== undefined) feature.minCount = integer(f, "minCount", path, undefined, 1);
  if (type === "hashed" || (type === "sequence" && f.buckets !== undefined)) feature.buckets = integer(f, "buckets", path, undefined, 1);
  if (type === "numeric") feature.transform = oneOf(f, "transform", path, ["none", "standard", "minmax", "log-square"] as const, "none");
  if (type === "quantile") feature.quantiles = integer(f, "quantiles", path, 10, 2);
  if (type === "sequence") {
    feature.separator = string(f, "separator", path, DEFAULT_SEPARATOR);
    if (feature.separator === "") throw path.child("separator").error("a non-empty string", f.separator);
    feature.maxLength = integer(f, "maxLength", path, DEFAULT_MAX_LENGTH, 1);
    feature.pooling = oneOf(f, "pooling", path, ["mean", "sum"] as const, "mean");
    if (f.flags !== undefined) feature.flags = names(f, "flags", path);
  }
  if (type !== "sequence" && f.flags !== undefined) throw new UserError(`${path.child("flags").at}: only a sequence feature is built from flag columns`);
  return feature;
}

function parseSynthetic(value: unknown, path: Path): SyntheticConfig {
  const s = object(value, path, ["seed", "rows", "fields", "vocabSize", "interactions", "zipf", "ctr", "order", "noise"]);
  const rowsPath = path.child("rows");
  const rows = object(s.rows, rowsPath, ["train", "valid", "test"]);
  return {
    seed: integer(s, "seed", path, 2020, 0),
    rows: { train: integer(rows, "train", rowsPath, undefined, 2), valid: integer(rows, "valid", rowsPath, undefined, 2), test: integer(rows, "test", rowsPath, undefined, 2) },
    fields: integer(s, "fields", path, 10, 2),
    vocabSize: integer(s, "vocabSize", path, 100, 2),
    interactions: integer(s, "interactions", path, 8, 0),
    zipf: number(s, "zipf", path, 1.1, (x) => x >= 0, "a number ≥ 0"),
    ctr: number(s, "ctr", path, 0.2, (x) => x > 0 && x < 1, "a number in (0, 1)"),
    ...(s.order !== undefined ? { order: integer(s, "order", path, undefined, 2) } : {}),
    ...(s.noise !== undefined ? { noise: number(s, "noise", path, undefined, (x) => x >= 0 && x < 0.5, "a number in [0, 0.5)") } : {}),
  };
}

function parseData(value: unknown, path: Path): DataConfig {
  const d = object(value, path, ["train", "valid", "test", "split", "format", "delimiter", "header", "label", "columns", "features", "synthetic", "labelThreshold", "headers", "teacherScores", "lookups", "cache"]);
  const format = oneOf(d, "format", path, ["csv", "tsv", "libsvm", "parquet"] as const, "csv");
  const data: DataConfig = {
    ...(d as Partial<DataConfig>),
    format,
    delimiter: string(d, "delimiter", path, format === "tsv" ? "\t" : ","),
    header: boolean(d, "header", path, format === "csv"),
    label: string(d, "label", path, "label"),
    features: [],
    cache: oneOf(d, "cache", path, ["memory", "disk"] as const, "memory"),
  };
  if (d.labelThreshold !== undefined) data.labelThreshold = number(d, "labelThreshold", path, undefined);
  if (d.teacherScores !== undefined) {
    const tsPath = path.child("teacherScores");
    const ts = object(d.teacherScores, tsPath, ["columns", "kind"]);
    const columns = ts.columns;
    if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === "string" && c !== ""))
      throw tsPath.child("columns").error("a non-empty array of column names", columns);
    data.teacherScores = { columns: columns as string[], kind: oneOf(ts, "kind", tsPath, ["logit", "probability"] as const, "logit") };
  }
  if (d.lookups !== undefined) {
    if (!Array.isArray(d.lookups)) throw path.child("lookups").error("an array of side tables", d.lookups);
    data.lookups = d.lookups.map((l, i) => parseLookup(l, path.child("lookups").child(i)));
  }
  const train = optionalString(d, "train", path);
  const synthetic = d.synthetic === undefined ? undefined : parseSynthetic(d.synthetic, path.child("synthetic"));
  if (synthetic !== undefined) {
    if (data.lookups !== undefined) throw new UserError(`${path.child("lookups").at}: side tables join files, not synthetic data`);
    data.synthetic = synthetic;
  }
  else {
    if (train === undefined) throw path.child("train").error("a file path (or a 'synthetic' section)", undefined);
    const split = d.split;
    if (split !== undefined) {
      if (!Array.isArray(split) || split.length !== 3 || !split.every((x) => typeof x === "number" && x >= 0) || Math.abs(split.reduce((a: number, b: number) => a + b, 0) - 1) > 1e-6)
        throw path.child("split").error("three fractions summing to 1", split);
    } else {
      if (optionalString(d, "valid", path) === undefined) throw path.child("valid").error("a file path (or 'split')", undefined);
      if (optionalString(d, "test", path) === undefined) throw path.child("test").error("a file path (or 'split')", undefined);
    }
  }
  const features = d.features;
  if (synthetic === undefined || features !== undefined) {
    if (!Array.isArray(features) || features.length === 0) throw path.child("features").error("a non-empty array of features", features);
    data.features = features.map((f, i) => parseFeature(f, path.child("features").child(i)));
    const seen = new Set<string>();
    for (const [i, f] of data.features.entries()) {
      if (seen.has(f.name)) throw new UserError(`${path.child("features").child(i).at}.name: duplicate feature '${f.name}'`);
      seen.add(f.name);
    }
  }
  return data;
}

function parseTeacher(value: unknown, path: Path): TeacherConfig {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw path.error("an object", value);
  const t = value as Json;
  return { ...t, model: string(t, "model", path) };
}

function parseStudent(value: unknown, path: Path): StudentConfig {
  const s = object(value ?? {}, path, ["embeddingDim", "hiddenUnits"]);
  return { embeddingDim: integer(s, "embeddingDim", path, 8, 1), hiddenUnits: units(s, "hiddenUnits", path, [256, 128]) };
}

function parseDistill(value: unknown, path: Path): DistillConfig {
  const d = object(value ?? {}, path, ["ensemble", "alpha", "temperature", "kdLoss", "hint", "hintWeight", "earlyStop", "teacherTraining", "gate"]);
  const gatePath = path.child("gate");
  const g = object(d.gate ?? {}, gatePath, ["input", "data", "embeddingDim", "hiddenUnits", "learningRate"]);
  return {
    ensemble: oneOf(d, "ensemble", path, ["best", "mean", "weighted", "gating"] as const, "gating"),
    alpha: number(d, "alpha", path, 0.5, (x) => x >= 0 && x <= 1, "a number in [0, 1]"),
    temperature: number(d, "temperature", path, 1, (x) => x > 0, "a number > 0"),
    kdLoss: oneOf(d, "kdLoss", path, ["soft", "mse"] as const, "soft"),
    hint: boolean(d, "hint", path, false),
    hintWeight: number(d, "hintWeight", path, 0.1, (x) => x >= 0, "a number ≥ 0"),
    earlyStop: oneOf(d, "earlyStop", path, ["auc", "kd-loss"] as const, "kd-loss"),
    teacherTraining: oneOf(d, "teacherTraining", path, ["pretrained", "joint"] as const, "pretrained"),
    gate: {
      input: oneOf(g, "input", gatePath, ["embedding", "embedding+logits"] as const, GATE_DEFAULTS.input),
      data: oneOf(g, "data", gatePath, ["train", "valid"] as const, GATE_DEFAULTS.data),
      embeddingDim: integer(g, "embeddingDim", gatePath, GATE_DEFAULTS.embeddingDim, 1),
      hiddenUnits: units(g, "hiddenUnits", gatePath, GATE_DEFAULTS.hiddenUnits),
      learningRate: number(g, "learningRate", gatePath, GATE_DEFAULTS.learningRate, (x) => x > 0, "a number > 0"),
    },
  };
}

function parseTraining(value: unknown, path: Path): TrainingConfig {
  const t = object(value ?? {}, path, ["batchSize", "epochs", "learningRate", "seed", "patience", "optimizer"]);
  return {
    batchSize: integer(t, "batchSize", path, 1024, 1),
    epochs: integer(t, "epochs", path, 10, 1),
    learningRate: number(t, "learningRate", path, 1e-3, (x) => x > 0, "a number > 0"),
    seed: integer(t, "seed", path, 2020, 0),
    patience: integer(t, "patience", path, 2, 1),
    optimizer: oneOf(t, "optimizer", path, ["adam", "adagrad"] as const, "adam"),
  };
}

export function parseConfig(doc: unknown, where = "config"): RunConfig {
  const root = new Path(where);
  const c = object(doc, root, ["data", "teachers", "student", "distill", "training", "$schema", "description"]);
  const data = parseData(c.data, root.child("data"));
  const teachers = c.teachers ?? [];
  if (!Array.isArray(teachers) || (teachers.length === 0 && data.teacherScores === undefined))
    throw root.child("teachers").error("a non-empty array of teachers (or data.teacherScores)", c.teachers);
  return {
    data,
    teachers: teachers.map((t, i) => parseTeacher(t, root.child("teachers").child(i))),
    student: parseStudent(c.student, root.child("student")),
    distill: parseDistill(c.distill, root.child("distill")),
    training: parseTraining(c.training, root.child("training")),
  };
}

export function loadConfig(file: string): RunConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UserError(`cannot read config file '${file}'`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseConfig(doc, file);
}
