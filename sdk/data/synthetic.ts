import type { FeatureConfig, SyntheticConfig } from "../config-types";
import { UserError } from "../errors";
import { auc } from "../metrics/auc";
import { logloss } from "../metrics/logloss";
import { deriveSeed, mulberry32, randNormal, zipfSampler } from "./prng";

/**
 * A seeded synthetic click log with a known click function (DESIGN.md "Data"):
 *
 *   logit(x) = bias + Σ_f w_f[x_f] + Σ_{(i,j) planted} ⟨u_i[x_i], u_j[x_j]⟩,   y ~ Bernoulli(p)
 *   p = ρ + (1 − 2ρ)·σ(logit)        (label noise: each label flipped with probability ρ = `noise`)
 *
 * With `order` k > 2 each planted term is a k-way product Σ_d Π_{f ∈ tuple} u_f[x_f]_d instead of a pair's.
 *
 * Values of each field follow Zipf(`zipf`) popularity; first-order weights and the rank-`FACTOR_DIM` factors
 * are normal; `bias` is solved so that the mean click probability is `ctr`. Since p = σ(logit) is known per
 * row, the Bayes-optimal AUC and logloss of the test split are known too and are reported beside any model.
 */

/** Rank of the planted interaction factors. */
export const FACTOR_DIM = 4;
/** Standard deviation of the sum of first-order weights over all fields. */
const FIRST_ORDER_STD = 0.8;
/** Standard deviation of one planted interaction term ⟨u_i, u_j⟩. */
const INTERACTION_STD = 0.6;
/** Rows used to solve the bias (a prefix of all rows). */
const BIAS_SAMPLE = 20_000;

export interface SyntheticSplit {
  /** Raw rows, cells in field order (`C1..Cn`), values like `"v17"`. */
  rows: string[][];
  labels: Float32Array;
  /** True click probability of each row. */
  probs: Float64Array;
}

export interface SyntheticData {
  /** Field names `C1..Cn`. */
  fields: string[];
  train: SyntheticSplit;
  valid: SyntheticSplit;
  test: SyntheticSplit;
  /** Planted interaction tuples (0-based field indices, ascending; pairs unless `order` > 2). */
  pairs: number[][];
  bias: number;
  /** Bayes-optimal metrics of the test split: the true p scored against the labels. */
  bayes: { auc: number; logloss: number };
}

/** Field names of a synthetic log: `C1..Cn`. */
export function syntheticFieldNames(fields: number): string[] {
  return Array.from({ length: fields }, (_, f) => `C${f + 1}`);
}

/** The feature configuration that fits a synthetic log: every field categorical, minCount 1. */
export function syntheticFeatures(cfg: SyntheticConfig): FeatureConfig[] {
  return syntheticFieldNames(cfg.fields).map((name) => ({ name, type: "categorical", minCount: 1 }));
}

/** The generator's rules across keys (parseConfig runs them before any data is made). */
export function checkSynthetic(cfg: SyntheticConfig): void {
  const bad = (key: string, want: string, got: unknown) => {
    throw new UserError(`data.synthetic.${key}: expected ${want}, got ${JSON.stringify(got)}`);
  };
  if (!Number.isInteger(cfg.fields) || cfg.fields < 1) bad("fields", "an integer >= 1", cfg.fields);
  if (!Number.isInteger(cfg.vocabSize) || cfg.vocabSize < 1) bad("vocabSize", "an integer >= 1", cfg.vocabSize);
  const order = cfg.order ?? 2;
  if (!Number.isInteger(order) || order < 2 || order > cfg.fields) bad("order", `an integer in 2..${cfg.fields} (fields)`, cfg.order);
  const maxTuples = binomial(cfg.fields, order);
  if (!Number.isInteger(cfg.interactions) || cfg.interactions < 0 || cfg.interactions > maxTuples)
    bad("interactions", `an integer in 0..${maxTuples} (field ${order === 2 ? "pairs" : `${order}-tuples`})`, cfg.interactions);
  if (!(cfg.zipf >= 0)) bad("zipf", "a number >= 0", cfg.zipf);
  if (!(cfg.ctr > 0 && cfg.ctr < 1)) bad("ctr", "a number in (0, 1)", cfg.ctr);
  const noise = cfg.noise ?? 0;
  if (!(noise >= 0 && noise < Math.min(cfg.ctr, 1 - cfg.ctr))) bad("noise", `a number in [0, ${Math.min(cfg.ctr, 1 - cfg.ctr)}) (below ctr and 1 − ctr)`, cfg.noise);
  for (const k of ["train", "valid", "test"] as const) {
    const n = cfg.rows?.[k];
    if (!Number.isInteger(n) || n! < 1) bad(`rows.${k}`, "an integer >= 1", n);
  }
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
  return Math.round(c);
}

/** Every `k`-subset of 0..n−1 in lexicographic order. */
function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick = (from: number, chosen: number[]): void => {
    if (chosen.length === k) out.push([...chosen]);
    else for (let i = from; i < n; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return out;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Bias b with mean σ(b + s_i) = ctr over `scores` (bisection; the mean is increasing in b). */
function solveBias(scores: Float64Array, n: number, ctr: number): number {
  let lo = -30;
  let hi = 30;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    let m = 0;
    for (let i = 0; i < n; i++) m += sigmoid(mid + scores[i]!);
    if (m / n < ctr) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Generates the log; identical output for an identical config. */
export function generateSynthetic(cfg: SyntheticConfig): SyntheticData {
  checkSynthetic(cfg);
  const { fields: F, vocabSize: V } = cfg;
  const paramRand = mulberry32(deriveSeed(cfg.seed, 1));
  const dataRand = mulberry32(deriveSeed(cfg.seed, 2));
  const labelRand = mulberry32(deriveSeed(cfg.seed, 3));

  // Click function parameters.
  const w1Std = FIRST_ORDER_STD / Math.sqrt(F);
  const first = new Float64Array(F * V);
  for (let i = 0; i < first.length; i++) first[i] = w1Std * randNormal(paramRand);
  const order = cfg.order ?? 2;
  const noise = cfg.noise ?? 0;
  const allTuples = combinations(F, order);
  const pairs: number[][] = [];
  for (let k = 0; k < cfg.interactions; k++) {
    const pick = k + Math.floor(paramRand() * (allTuples.length - k));
    [allTuples[k], allTuples[pick]] = [allTuples[pick]!, allTuples[k]!];
    pairs.push(allTuples[k]!);
  }
  pairs.sort((a, b) => {
    for (let i = 0; i < order; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return 0;
  });
  // Var of one term = FACTOR_DIM · s^(2·order) = INTERACTION_STD^2 (s = √(INTERACTION_STD / √FACTOR_DIM) for pairs).
  const termScale = INTERACTION_STD / Math.sqrt(FACTOR_DIM);
  const uStd = order === 2 ? Math.sqrt(termScale) : termScale ** (1 / order);
  const factors = new Map<number, Float64Array>();
  for (const tuple of pairs)
    for (const f of tuple)
      if (!factors.has(f)) {
        const u = new Float64Array(V * FACTOR_DIM);
        for (let k = 0; k < u.length; k++) u[k] = uStd * randNormal(paramRand);
        factors.set(f, u);
      }
  // Each field's popularity ranks are a random permutation of its values, so `v0` is not always the favourite.
  const rankToValue: Int32Array[] = [];
  for (let f = 0; f < F; f++) {
    const perm = new Int32Array(V);
    for (let v = 0; v < V; v++) perm[v] = v;
    for (let v = V - 1; v > 0; v--) {
      const j = Math.floor(paramRand() * (v + 1));
      const t = perm[v]!;
      perm[v] = perm[j]!;
      perm[j] = t;
    }
    rankToValue.push(perm);
  }

  // Rows: values, then the bias-free score of each.
  const total = cfg.rows.train + cfg.rows.valid + cfg.rows.test;
  const sample = zipfSampler(V, cfg.zipf, dataRand);
  const values = new Int32Array(total * F);
  const scores = new Float64Array(total);
  for (let r = 0; r < total; r++) {
    const at = r * F;
    let s = 0;
    for (let f = 0; f < F; f++) {
      const v = rankToValue[f]![sample()]!;
      values[at + f] = v;
      s += first[f * V + v]!;
    }
    for (const tuple of pairs) {
      for (let k = 0; k < FACTOR_DIM; k++) {
        let product = 1;
        for (const f of tuple) product *= factors.get(f)![values[at + f]! * FACTOR_DIM + k]!;
        s += product;
      }
    }
    scores[r] = s;
  }
  // Label noise moves the mean click rate towards 1/2: the noise-free rate is solved so that the noisy one is `ctr`.
  const bias = solveBias(scores, Math.min(total, BIAS_SAMPLE), (cfg.ctr - noise) / (1 - 2 * noise));

  const names: string[] = [];
  for (let v = 0; v < V; v++) names.push(`v${v}`);
  const split = (from: number, n: number): SyntheticSplit => {
    const rows: string[][] = new Array(n);
    const labels = new Float32Array(n);
    const probs = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const g = from + r;
      const row: string[] = new Array(F);
      for (let f = 0; f < F; f++) row[f] = names[values[g * F + f]!]!;
      rows[r] = row;
      const p = noise + (1 - 2 * noise) * sigmoid(bias + scores[g]!);
      probs[r] = p;
      labels[r] = labelRand() < p ? 1 : 0;
    }
    return { rows, labels, probs };
  };
  const train = split(0, cfg.rows.train);
  const valid = split(cfg.rows.train, cfg.rows.valid);
  const test = split(cfg.rows.train + cfg.rows.valid, cfg.rows.test);
  let bayes: SyntheticData["bayes"];
  try {
    bayes = { auc: auc(test.labels, test.probs), logloss: logloss(test.labels, test.probs) };
  } catch (e) {
    throw new UserError(`data.synthetic: the test split (${cfg.rows.test} rows) has only one class; use more rows`);
  }
  return { fields: syntheticFieldNames(F), train, valid, test, pairs, bias, bayes };
}
