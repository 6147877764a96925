import type { FeatureMap, FeatureSpec } from "../runtime/feature-map";

/** A raw value a client could send for feature `spec`, varied by `k` (a known value, an unseen one, or none). */
function sampleValue(spec: FeatureSpec, k: number): string | number | undefined {
  switch (spec.type) {
    case "categorical":
      return k % 5 === 4 ? `unseen-${k}` : spec.vocab[k % Math.max(1, spec.vocab.length)];
    case "hashed":
      return `value-${k}`;
    case "log-square": {
      const key = spec.vocab[k % Math.max(1, spec.vocab.length)];
      return key === undefined ? k : Number(key);
    }
    case "quantile":
      return spec.boundaries.length === 0 ? k : spec.boundaries[k % spec.boundaries.length]!;
    case "numeric":
      return k % 5 === 3 ? undefined : spec.a + (k % 3) * (spec.b || 1);
  }
}

/** `n` JSON rows in the worker's request format, covering known, unseen and missing values. */
export function sampleRows(map: FeatureMap, n: number): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  for (let k = 0; k < n; k++) {
    const row: Record<string, string | number> = {};
    map.features.forEach((spec, f) => {
      const value = sampleValue(spec, k + f);
      if (value !== undefined) row[spec.name] = value;
    });
    rows.push(row);
  }
  return rows;
}
