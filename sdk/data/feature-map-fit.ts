import type { FeatureConfig } from "../config-types";
import { DEFAULT_MAX_LENGTH, DEFAULT_SEPARATOR } from "../config";
import { DataError, UserError } from "../errors";
import { FEATURE_MAP_FORMAT, FEATURE_MAP_VERSION, type FeatureMap, type FeatureSpec } from "../runtime/feature-map";
import { logSquareKey } from "../runtime/encode";
import { featureMapId } from "./feature-map-io";
import { deriveSeed, mulberry32, type Rand } from "./prng";

/** Default number of quantile buckets. */
export const DEFAULT_QUANTILES = 10;
/** Values kept per quantile feature (reservoir sampling above this), bounding memory. */
export const QUANTILE_SAMPLE = 100_000;

type Accumulator = {
  add(cell: string, x: number): void;
  spec(offset: number): FeatureSpec;
};

function needsNumber(f: FeatureConfig): boolean {
  return f.type === "numeric" || f.type === "quantile";
}

/** Kept keys of a count table, most frequent first, ties by value (code-unit order) for determinism. */
function vocabulary(counts: Map<string, number>, minCount: number): string[] {
  const kept = [...counts].filter(([, c]) => c >= minCount);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return kept.map(([v]) => v);
}

function countTable(key: (cell: string, x: number) => string) {
  const counts = new Map<string, number>();
  return {
    counts,
    add(cell: string, x: number) {
      const k = key(cell, x);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    },
  };
}

function accumulator(f: FeatureConfig, index: number): Accumulator {
  const minCount = f.minCount ?? 1;
  switch (f.type) {
    case "categorical": {
      const t = countTable((cell) => cell);
      return { add: t.add, spec: (offset) => { const vocab = vocabulary(t.counts, minCount); return { name: f.name, type: "categorical", offset, size: vocab.length + 2, vocab }; } };
    }
    case "sequence": {
      const { separator = DEFAULT_SEPARATOR, maxLength = DEFAULT_MAX_LENGTH, pooling = "mean", buckets } = f;
      if (buckets !== undefined) {
        if (!Number.isInteger(buckets) || buckets < 1) throw new UserError(`feature '${f.name}': 'buckets' must be an integer >= 1`);
        return { add: () => {}, spec: (offset) => ({ name: f.name, type: "sequence", offset, size: buckets + 1, vocab: [], buckets, separator, maxLength, pooling }) };
      }
      const counts = new Map<string, number>();
      return {
        add: (cell) => {
          for (const item of cell.split(separator)) if (item !== "") counts.set(item, (counts.get(item) ?? 0) + 1);
        },
        spec: (offset) => {
          const vocab = vocabulary(counts, minCount);
          return { name: f.name, type: "sequence", offset, size: vocab.length + 2, vocab, separator, maxLength, pooling };
        },
      };
    }
    case "hashed": {
      if (!Number.isInteger(f.buckets) || f.buckets! < 1) throw new UserError(`feature '${f.name}': a hashed feature needs 'buckets' (an integer >= 1)`);
      const buckets = f.buckets!;
      return { add: () => {}, spec: (offset) => ({ name: f.name, type: "hashed", offset, size: buckets + 1, buckets }) };
    }
    case "numeric": {
      const transform = f.transform ?? "none";
      if (transform === "log-square") {
        const t = countTable((_cell, x) => logSquareKey(x));
        return { add: t.add, spec: (offset) => { const vocab = vocabulary(t.counts, minCount); return { name: f.name, type: "log-square", offset, size: vocab.length + 2, vocab }; } };
      }
      // Welford's running mean and variance; min and max.
      let n = 0, mean = 0, m2 = 0, min = Infinity, max = -Infinity;
      return {
        add: (_cell, x) => {
          n++;
          const d = x - mean;
          mean += d / n;
          m2 += d * (x - mean);
          if (x < min) min = x;
          if (x > max) max = x;
        },
        spec: (offset) => {
          let a = 0, b = 1;
          if (transform === "standard" && n > 0) {
            const std = Math.sqrt(m2 / n);
            a = mean;
            b = std > 0 ? std : 1;
          } else if (transform === "minmax" && n > 0) {
            a = min;
            b = max > min ? max : min + 1;
          }
          // The range the encoder clips inputs to (minmax clips to [a, b] already).
          const range = transform !== "minmax" && n > 0 ? { min, max } : {};
          return { name: f.name, type: "numeric", offset, size: 2, transform, a, b, ...range };
        },
      };
    }
    case "quantile": {
      const q = f.quantiles ?? DEFAULT_QUANTILES;
      if (!Number.isInteger(q) || q < 1) throw new UserError(`feature '${f.name}': 'quantiles' must be an integer >= 1, got ${q}`);
      const sample: number[] = [];
      let seen = 0;
      const rand: Rand = mulberry32(deriveSeed(0x5eed, index));
      return {
        add: (_cell, x) => {
          seen++;
          if (sample.length < QUANTILE_SAMPLE) sample.push(x);
          else {
            const j = Math.floor(rand() * seen);
            if (j < QUANTILE_SAMPLE) sample[j] = x;
          }
        },
        spec: (offset) => {
          const sorted = Float64Array.from(sample).sort();
          const boundaries: number[] = [];
          for (let k = 1; k < q && sorted.length > 0; k++) {
            const v = sorted[Math.floor((k * sorted.length) / q)]!;
            if (boundaries.length === 0 || v > boundaries[boundaries.length - 1]!) boundaries.push(v);
          }
          // Buckets 1..boundaries.length + 1, then OOV (unused) and missing = 0.
          return { name: f.name, type: "quantile", offset, size: boundaries.length + 3, boundaries };
        },
      };
    }
    default:
      throw new UserError(`feature '${(f as FeatureConfig).name}': unknown type ${JSON.stringify((f as FeatureConfig).type)}`);
  }
}

/**
 * Builds a feature map from training rows in one streaming pass: `add` each row's cells (strings in feature
 * order, `""` = missing), then `finish`. Offsets follow the feature order.
 */
export class FeatureMapFitter {
  private readonly accs: Accumulator[];
  private readonly numeric: boolean[];
  private readonly parsed: Float64Array;
  rows = 0;

  constructor(
    readonly features: readonly FeatureConfig[],
    readonly label: string,
    readonly file = "<train>",
  ) {
    if (features.length === 0) throw new UserError("data.features: at least one feature is needed");
    const seen = new Set<string>();
    for (const f of features) {
      if (seen.has(f.name)) throw new UserError(`data.features: feature '${f.name}' is listed twice`);
      seen.add(f.name);
    }
    this.accs = features.map(accumulator);
    this.numeric = features.map(needsNumber);
    this.parsed = new Float64Array(features.length);
  }

  /** Adds one row (`file`: its file, when the data has many); a non-numeric cell of a numeric feature throws a DataError before anything is counted. */
  add(cells: readonly string[], line: number, file = this.file): void {
    const F = this.accs.length;
    for (let f = 0; f < F; f++) {
      if (!this.numeric[f]) continue;
      const cell = cells[f];
      if (cell === undefined || cell === "") continue;
      const x = cell.trim() === "" ? NaN : Number(cell);
      if (!Number.isFinite(x)) throw new DataError(file, line, this.features[f]!.name, `expected a finite number, got ${JSON.stringify(cell)}`);
      this.parsed[f] = x;
    }
    for (let f = 0; f < F; f++) {
      const cell = cells[f];
      if (cell === undefined || cell === "") continue;
      this.accs[f]!.add(cell, this.parsed[f]!);
    }
    this.rows++;
  }

  finish(): FeatureMap {
    let offset = 0;
    const features: FeatureSpec[] = [];
    for (const acc of this.accs) {
      const spec = acc.spec(offset);
      features.push(spec);
      offset += spec.size;
    }
    const body = { format: FEATURE_MAP_FORMAT, version: FEATURE_MAP_VERSION, label: this.label, features, totalRows: offset } as const;
    return { ...body, id: featureMapId(body) };
  }
}

/** Fits a map on in-memory rows (cells in feature order). */
export function fitFeatureMap(features: readonly FeatureConfig[], label: string, rows: Iterable<readonly string[]>): FeatureMap {
  const fitter = new FeatureMapFitter(features, label);
  let line = 0;
  for (const cells of rows) fitter.add(cells, ++line);
  return fitter.finish();
}
