/**
 * The synthetic generator as a ruler (issue 15): each model's gap to the Bayes-optimal AUC of the demo
 * generator as its training rows grow, split into what is the model and what is the training.
 *
 *   node scripts/bundle.mjs scripts/bayes-gap.ts dist/bayes-gap.js && node dist/bayes-gap.js \
 *     [--config configs/demo.json] [--rows 40000,400000] [--models LR,FM,DNN,DeepFM] [--seed 2020]
 *     [--probes long,lr,reg,soft,wide] [--lrs 0.001,0.01] [--regs 1e-4,1e-3] [--long-epochs 40] [--wide-dim 32] [--disk-above 1000000] [--out F.json]
 *
 * Only the train rows change with --rows; valid and test keep the config's sizes. The generator draws its
 * rows in one stream (train, then valid, then test), so the test rows of two row counts are different draws
 * of the same distribution: each row count's gap is to the bound of its own test rows.
 *
 * Per model and row count: the default training (trainOnLabels, the config's training settings, the
 * config's teacher hyperparameters where it names the model), then the probes:
 * - long: the same with `patience` = `--long-epochs` (no early stop before the cap; the plateau decay stays);
 * - lr:   each of `--lrs` besides the config's rate, the one with the best validation monitor reported on test;
 * - reg:  each of `--regs` as `embeddingRegularizer` besides the model's own, the best on validation reported on test;
 * - soft: trained on the true click probabilities of the train rows instead of their labels (no label noise:
 *         what is left is the class and the optimiser, not the sample's noise);
 * - wide: FM and DeepFM with `embeddingDim` = `--wide-dim`, on labels and on the true probabilities. The true
 *         logit is Σ first order + Σ over the planted pairs of rank-4 inner products; FM sums ⟨v_i, v_j⟩ over
 *         every pair, so it contains the truth when the unplanted pairs' inner products can be 0 (modulo
 *         terms a first-order weight absorbs): one 4-dim block per planted pair does it with 4 · interactions
 *         dims (32 for the demo), and fields without a planted pair between them need orthogonal ≥ 4-dim
 *         spans, so the demo's 5 mutually unpaired fields need ≥ 20 dims: the default 10 cannot hold it.
 * LR's best in class is computed outright: Newton's method on the soft cross-entropy of the train rows' true
 * probabilities over the one-hot first-order features.
 *
 * Progress goes to stderr; stdout gets a markdown table. Nothing is tuned on test rows.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { selectBackend } from "../sdk/backend";
import { loadConfig } from "../sdk/config";
import type { RunConfig, TrainingConfig } from "../sdk/config-types";
import { disposeData, prepareData, type PreparedData } from "../sdk/data/prepare";
import { generateSynthetic, type SyntheticData } from "../sdk/data/synthetic";
import { auc } from "../sdk/metrics/auc";
import { logloss } from "../sdk/metrics/logloss";
import { disposeModel } from "../sdk/models/model";
import { resolveModel } from "../sdk/models/zoo";
import { evaluateLogits, type Metrics } from "../sdk/train/evaluate";
import { predictLogits } from "../sdk/train/step";
import { trainOnLabels, type TrainedModel } from "../sdk/train/train-teacher";

const { values: flags } = parseArgs({
  options: {
    config: { type: "string", default: "configs/demo.json" },
    rows: { type: "string", default: "40000,400000" },
    models: { type: "string", default: "LR,FM,DNN,DeepFM" },
    seed: { type: "string", default: "2020" },
    probes: { type: "string", default: "long,lr,reg,soft,wide" },
    lrs: { type: "string", default: "0.001,0.01" },
    regs: { type: "string", default: "1e-4,1e-3" },
    "long-epochs": { type: "string", default: "40" },
    "wide-dim": { type: "string", default: "32" },
    "disk-above": { type: "string", default: "1000000" },
    out: { type: "string" },
  },
});

interface Run {
  auc: number;
  logloss: number;
  bestEpoch: number;
  epochs: number;
  learningRate: number;
  seconds: number;
}

interface Result {
  rows: number;
  model: string;
  bayes: Metrics;
  base: Run;
  long?: Run;
  /** Every rate tried (the base's too), with its validation monitor; `chosen` is the best of them on valid. */
  lr?: { tried: (Run & { validScore: number })[]; chosen: Run };
  /** Every embeddingRegularizer tried (the model's own first), as `lr`. */
  reg?: { tried: (Run & { embeddingRegularizer: number; validScore: number })[]; chosen: Run & { embeddingRegularizer: number } };
  soft?: Run;
  /** FM/DeepFM with embeddingDim = --wide-dim: on labels, and on the true probabilities. */
  wide?: { embeddingDim: number; labels: Run; soft?: Run };
  /** The best of the model's class on the test rows, where computable. */
  classBest?: Metrics & { how: string };
}

const log = (m: string) => process.stderr.write(`${m}\n`);
const backend = await selectBackend();
log(`tfjs backend: ${backend.name}`);
const base = loadConfig(flags.config!);
if (base.data.synthetic === undefined) throw new Error(`bayes-gap: ${flags.config} has no data.synthetic`);
const models = flags.models!.split(",");
const probes = new Set(flags.probes!.split(",").filter((p) => p !== ""));
const lrs = flags.lrs!.split(",").map(Number);
const regs = flags.regs!.split(",").map(Number);
const longEpochs = Number(flags["long-epochs"]);
const training: TrainingConfig = { ...base.training, seed: Number(flags.seed) };

/** The config's hyperparameters for `model` when it names it as a teacher, else the model's defaults. */
function hyperparametersOf(config: RunConfig, model: string): Record<string, unknown> {
  const t = config.teachers.find((x) => x.model === model);
  if (t === undefined) return {};
  const { model: _m, ...hp } = t;
  return hp;
}

async function train(data: PreparedData, train: PreparedData["train"], model: string, hp: Record<string, unknown>, settings: TrainingConfig, what: string): Promise<Run & { validScore: number }> {
  const started = performance.now();
  log(`${model} ${what}: lr ${settings.learningRate}, epochs ${settings.epochs}, patience ${settings.patience}`);
  const trained: TrainedModel = await trainOnLabels(model, hp, { train, valid: data.valid, totalRows: data.featureMap.totalRows }, settings, log, model, 1);
  const m = evaluateLogits(data.test.labels, predictLogits(trained.model, data.test));
  disposeModel(trained.model);
  const run = { auc: m.auc, logloss: m.logloss, bestEpoch: trained.fit.bestEpoch, epochs: trained.fit.history.length, learningRate: settings.learningRate, seconds: (performance.now() - started) / 1000, validScore: trained.fit.bestScore };
  log(`${model} ${what}: test AUC ${m.auc.toFixed(4)}, logloss ${m.logloss.toFixed(4)} (best epoch ${run.bestEpoch}/${run.epochs}, ${run.seconds.toFixed(0)}s)`);
  return run;
}

/**
 * The best logistic regression on one-hot first-order features for the train rows' true probabilities p:
 * Newton's method on Σ_r soft cross-entropy(p_r, σ(b + Σ_f w_f[x_f])), with a 1e-6 ridge for the one-hot
 * redundancy. Returns its AUC and logloss on the test rows' labels.
 */
function bestLogistic(gen: SyntheticData, fields: number, vocab: number): Metrics {
  const d = fields * vocab + 1;
  const parse = (rows: string[][]) => rows.map((row) => Int32Array.from(row, (v, f) => f * vocab + Number(v.slice(1))));
  const x = parse(gen.train.rows);
  const p = gen.train.probs;
  const w = new Float64Array(d);
  const logitOf = (ids: Int32Array) => ids.reduce((s, i) => s + w[i]!, w[d - 1]!);
  for (let it = 0; it < 25; it++) {
    const g = new Float64Array(d);
    const h = new Float64Array(d * d);
    for (let r = 0; r < x.length; r++) {
      const ids = x[r]!;
      const q = 1 / (1 + Math.exp(-logitOf(ids)));
      const e = q - p[r]!;
      const s = q * (1 - q);
      const all = [...ids, d - 1];
      for (const a of all) {
        g[a]! += e;
        for (const b of all) h[a * d + b]! += s;
      }
    }
    for (let a = 0; a < d; a++) {
      h[a * d + a]! += 1e-6 * x.length;
      g[a]! += 1e-6 * x.length * w[a]!;
    }
    const step = solve(h, g, d);
    let norm = 0;
    for (let a = 0; a < d; a++) {
      w[a]! -= step[a]!;
      norm = Math.max(norm, Math.abs(step[a]!));
    }
    if (norm < 1e-9) break;
  }
  const test = parse(gen.test.rows).map((ids) => 1 / (1 + Math.exp(-logitOf(ids))));
  return { auc: auc(gen.test.labels, test), logloss: logloss(gen.test.labels, test) };
}

/** Solves h·s = g (h symmetric positive definite, d×d row-major) by Cholesky. */
function solve(h: Float64Array, g: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = h[i * d + j]!;
      for (let k = 0; k < j; k++) s -= l[i * d + k]! * l[j * d + k]!;
      l[i * d + j] = i === j ? Math.sqrt(s) : s / l[j * d + j]!;
    }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = g[i]!;
    for (let k = 0; k < i; k++) s -= l[i * d + k]! * y[k]!;
    y[i] = s / l[i * d + i]!;
  }
  const out = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < d; k++) s -= l[k * d + i]! * out[k]!;
    out[i] = s / l[i * d + i]!;
  }
  return out;
}

const results: Result[] = [];
const strip = ({ validScore: _v, ...run }: Run & { validScore: number }): Run => run;
for (const rows of flags.rows!.split(",").map(Number)) {
  const synthetic = { ...base.data.synthetic, rows: { ...base.data.synthetic.rows, train: rows } };
  const cache = rows > Number(flags["disk-above"]) ? ("disk" as const) : base.data.cache;
  const config: RunConfig = { ...base, data: { ...base.data, synthetic, ...(cache !== undefined ? { cache } : {}) } };
  const data = await prepareData(config.data, { seed: training.seed, log });
  const bayes = data.bayes!;
  // The generator is deterministic: generating again gives the true p of the train rows in the encoded order.
  const gen = probes.has("soft") || models.includes("LR") ? generateSynthetic(synthetic) : null;
  if (gen !== null && rows === Number(flags.rows!.split(",")[0])) log(`planted pairs (0-based fields): ${gen.pairs.map((t) => `(${t.join(",")})`).join(" ")}`);
  const softTrain = gen === null ? null : { ...data.train, labels: Float32Array.from(gen.train.probs) };
  for (const model of models) {
    const hp = hyperparametersOf(config, model);
    const baseRun = await train(data, data.train, model, hp, training, "labels");
    const result: Result = { rows, model, bayes, base: strip(baseRun) };
    if (probes.has("long")) result.long = strip(await train(data, data.train, model, hp, { ...training, epochs: longEpochs, patience: longEpochs }, "long"));
    if (probes.has("lr")) {
      const tried = [baseRun];
      for (const lr of lrs) if (lr !== training.learningRate) tried.push(await train(data, data.train, model, hp, { ...training, learningRate: lr }, `lr ${lr}`));
      const chosen = tried.reduce((a, b) => (b.validScore > a.validScore ? b : a));
      result.lr = { tried, chosen: strip(chosen) };
    }
    if (probes.has("reg")) {
      const own = Number(resolveModel(model, hp, "bayes-gap").hp.embeddingRegularizer);
      const tried = [{ ...baseRun, embeddingRegularizer: own }];
      for (const embeddingRegularizer of regs)
        if (embeddingRegularizer !== own) tried.push({ ...(await train(data, data.train, model, { ...hp, embeddingRegularizer }, training, `reg ${embeddingRegularizer}`)), embeddingRegularizer });
      const { validScore: _v, ...chosen } = tried.reduce((a, b) => (b.validScore > a.validScore ? b : a));
      result.reg = { tried, chosen };
    }
    if (probes.has("soft") && softTrain !== null) result.soft = strip(await train(data, softTrain, model, hp, training, "soft (true p)"));
    if (probes.has("wide") && (model === "FM" || model === "DeepFM")) {
      const embeddingDim = Number(flags["wide-dim"]);
      const wideHp = { ...hp, embeddingDim };
      result.wide = { embeddingDim, labels: strip(await train(data, data.train, model, wideHp, training, `dim ${embeddingDim}`)) };
      if (softTrain !== null) result.wide.soft = strip(await train(data, softTrain, model, wideHp, training, `dim ${embeddingDim} soft`));
    }
    if (model === "LR" && gen !== null) result.classBest = { ...bestLogistic(gen, synthetic.fields, synthetic.vocabSize), how: "Newton on the train rows' true p" };
    if (model === "FM" || model === "DeepFM") {
      const dim = Number(resolveModel(model, hp, "bayes-gap").hp.embeddingDim);
      const pairs = synthetic.interactions;
      if (dim >= 4 * pairs) result.classBest = { ...bayes, how: `embeddingDim ${dim} >= 4 · ${pairs} planted pairs: the true logit is in the class` };
    }
    results.push(result);
    log(JSON.stringify(result));
    if (flags.out !== undefined) writeFileSync(flags.out, JSON.stringify(results, null, 2) + "\n");
  }
  disposeData(data);
}

const f4 = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(4));
const gap = (x: number | undefined, bound: number) => (x === undefined ? "-" : `${x.toFixed(4)} (${(bound - x).toFixed(4)})`);
const lines = [
  "| train rows | model | test AUC | logloss | Bayes AUC / logloss | AUC gap | best epoch | long: AUC (gap) | lr on valid: rate, AUC (gap) | reg on valid: λ, AUC (gap) | soft labels: AUC (gap) | wide dim: labels, soft AUC (gap) | best of class AUC |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
];
for (const r of results) {
  const b = r.bayes.auc;
  lines.push(
    `| ${r.rows.toLocaleString("en-US")} | ${r.model} | ${f4(r.base.auc)} | ${f4(r.base.logloss)} | ${f4(b)} / ${f4(r.bayes.logloss)} | ${(b - r.base.auc).toFixed(4)} | ${r.base.bestEpoch}/${r.base.epochs} | ` +
      `${r.long ? `${gap(r.long.auc, b)}, ep ${r.long.bestEpoch}/${r.long.epochs}` : "-"} | ${r.lr ? `${r.lr.chosen.learningRate}, ${gap(r.lr.chosen.auc, b)}` : "-"} | ${r.reg ? `${r.reg.chosen.embeddingRegularizer}, ${gap(r.reg.chosen.auc, b)}` : "-"} | ${gap(r.soft?.auc, b)} | ${r.wide ? `${r.wide.embeddingDim}: ${gap(r.wide.labels.auc, b)}, ${gap(r.wide.soft?.auc, b)}` : "-"} | ${r.classBest ? f4(r.classBest.auc) : r.wide ? `Bayes at dim ${r.wide.embeddingDim}` : "-"} |`,
  );
}
process.stdout.write(lines.join("\n") + "\n");
