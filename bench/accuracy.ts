import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { selectBackend } from "../sdk/backend";
import { loadConfig } from "../sdk/config";
import type { TrainingConfig } from "../sdk/config-types";
import type { EncodedDataset } from "../sdk/data/dataset";
import { prepareData } from "../sdk/data/prepare";
import { deriveSeed } from "../sdk/data/prng";
import { randomSource } from "../sdk/layers/random";
import { pairedTInterval } from "../sdk/metrics/paired-interval";
import { disposeModel } from "../sdk/models/model";
import { buildModel, resolveModel } from "../sdk/models/zoo";
import { packageRoot } from "../sdk/package-root";
import { evaluateLogits, type Metrics } from "../sdk/train/evaluate";
import { predictLogits } from "../sdk/train/step";
import type { EmbeddingUpdate } from "../sdk/train/optimizer-config";
import { fitSettings, trainOnLabels } from "../sdk/train/train-teacher";
import { readLogits, writeBatchOrder, writeHandoff, writeWeights } from "./accuracy-handoff";
import { rateCase, type BenchCase, type Benchmark, type BenchOptions } from "./harness";
import { ensureTorch, PYTHON } from "./torch-peer";

/**
 * `npm run bench -- accuracy [--json] [--quick] [--install-peers] [--configs=a.json,b.json] [--models=DNN,DeepFM]
 * [--seeds=3] [--epochs=N] [--embedding-update=lazy|dense] [--peers=torch,torch-dense] [--out=F.json]`:
 * test AUC and logloss of our models and of a PyTorch peer (bench/peers/torch_accuracy.py) trained on the same
 * encoded split with the same hyperparameters, over seeds (flags take `=`: bench/run.ts reads bare words as names).
 *
 * Both sides see identical data: the benchmark encodes each config's data once (prepareData, the config's own
 * seed) and hands the train/valid/test ids, values and labels to the peer as raw files (bench/accuracy-handoff.ts).
 * Per seed s, ours trains as `npm run accuracy` does (trainOnLabels with training.seed + s); the peer gets the same
 * model hyperparameters (the registry's defaults: embedding 10, MLP [400, 400, 400], dropout, L2 1e-5, init std
 * 1e-4, 3 cross layers, DCNv2 "parallel"; batch norm, which the peer lacks, is refused), batch size, learning rate,
 * Adam in PyTorch's form, clipping at 10, epochs, patience, min_delta and the plateau decay, with early stopping on
 * validation AUC − logloss and the best epoch restored (sdk/train).
 *
 * Two peers (PEER_VARIANTS), each per seed beside the same run of ours. `torch` mirrors ours as far as two
 * libraries can: it starts from our model's initial weights, walks our batch order and updates embedding rows
 * lazily with our per-row bias correction; what differs is then the arithmetic of tfjs-wasm against torch, and a
 * gap in AUC is a gap of our implementation. `torch-dense` trains the PyTorch (FuxiCTR) way: torch's own draws
 * of weights and order, one dense Adam over every parameter, L2 on whole tables; a gap there, beyond the seed
 * noise, is one of our training method (lazy updates) rather than of its code.
 *
 * A case per data set and model (DESIGN.md): peer `torch`, unit AUC, ours and theirs the means over seeds, ratio
 * ours/theirs; its notes hold the mean loglosses and the paired 95% t-intervals over seeds of ours − theirs.
 */

const BENCH = "accuracy";
const DEFAULT_CONFIGS = ["configs/frappe-x1.json", "configs/movielens-100k.json"];
const DEFAULT_MODELS = ["DNN", "DeepFM"];
/** The models the peer implements (bench/peers/ctr_net.py). */
const PEER_MODELS = new Set(["LR", "FM", "DNN", "DeepFM", "DCN", "DCNv2"]);
/** trainOnLabels' `index` for the seed of a model (as scripts/accuracy.ts trains). */
const MODEL_INDEX = 1;

/** How the peer trains beside ours: where its weights start, which batch order, how embedding rows update. */
export interface PeerVariant {
  init: "ours" | "own";
  order: "ours" | "own";
  /** "ours": as `training.embeddingUpdate` says (lazy or dense). */
  update: "ours" | "dense";
}

/**
 * `torch`: ours mirrored (our initial weights and batch order, lazy row updates with per-row bias correction);
 * `torch-dense`: PyTorch's (FuxiCTR's) own way, torch's draws and one dense Adam over every parameter.
 */
export const PEER_VARIANTS: Record<string, PeerVariant> = {
  torch: { init: "ours", order: "ours", update: "ours" },
  "torch-dense": { init: "own", order: "own", update: "dense" },
};

interface AccuracyFlags {
  configs: string[];
  models: string[];
  seeds: number;
  peers: string[];
  /** Caps training.epochs (a quick look at the first epochs). */
  epochs: number | undefined;
  /** Overrides training.embeddingUpdate. */
  embeddingUpdate: EmbeddingUpdate | undefined;
  out: string | undefined;
  install: boolean;
}

/** `--name=value` flags (bench/run.ts treats bare arguments as benchmark names). */
function parseFlags(argv: string[], quick: boolean): AccuracyFlags {
  const get = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const seeds = Number(get("seeds") ?? (quick ? 1 : 3));
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`bench accuracy: --seeds must be an integer >= 1, got '${get("seeds")}'`);
  const models = get("models")?.split(",") ?? DEFAULT_MODELS;
  for (const m of models) if (!PEER_MODELS.has(m)) throw new Error(`bench accuracy: the PyTorch peer has no model '${m}'; it has ${[...PEER_MODELS].join(", ")}`);
  const embeddingUpdate = get("embedding-update");
  if (embeddingUpdate !== undefined && embeddingUpdate !== "lazy" && embeddingUpdate !== "dense")
    throw new Error(`bench accuracy: --embedding-update must be lazy or dense, got '${embeddingUpdate}'`);
  const peers = get("peers")?.split(",") ?? Object.keys(PEER_VARIANTS);
  for (const p of peers) if (!(p in PEER_VARIANTS)) throw new Error(`bench accuracy: unknown peer '${p}'; known: ${Object.keys(PEER_VARIANTS).join(", ")}`);
  return {
    configs: get("configs")?.split(",") ?? (quick ? ["configs/movielens-100k.json"] : DEFAULT_CONFIGS),
    models,
    seeds,
    peers,
    epochs: get("epochs") === undefined ? undefined : Number(get("epochs")),
    embeddingUpdate,
    out: get("out"),
    install: argv.includes("--install-peers"),
  };
}

/** One seed of one model on one data set, both sides. */
export interface AccuracyRun {
  config: string;
  model: string;
  seed: number;
  peer: string;
  /** Ours' training.embeddingUpdate (the mirrored peer's too). */
  embeddingUpdate: EmbeddingUpdate;
  ours: SideResult;
  theirs: SideResult;
}

type SideResult = Metrics & { bestEpoch: number; epochs: number; seconds: number };

interface PeerSummary {
  history: unknown[];
  bestEpoch: number;
  seconds: number;
}

/** Runs the peer to the end; its stderr (epoch lines) goes to `log`, its last stdout line is the summary. */
export function runPeer(args: string[], log: BenchOptions["log"]): Promise<PeerSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { env: { ...process.env, PYTHONUNBUFFERED: "1", OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let tail = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-2000);
      for (const line of text.split("\n")) if (line.trim()) log(line);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`torch peer exited with ${code}: ${tail.trim().split("\n").slice(-3).join(" | ")}`));
      try {
        resolve(JSON.parse(stdout.trim().split("\n").pop()!) as PeerSummary);
      } catch (e) {
        reject(new Error(`torch peer: its last line is not JSON (${(e as Error).message}): ${stdout.slice(-300)}`));
      }
    });
  });
}

/**
 * The peer's command line for `model` with `overrides` over the registry's hyperparameters, under `training`'s
 * settings and fit's seed `seed`; it writes the test logits to `out`.
 */
export function peerArgs(dir: string, model: string, overrides: Record<string, unknown>, training: TrainingConfig, seed: number, variant: PeerVariant, out: string): string[] {
  const { hp } = resolveModel(model, overrides, model);
  const fit = fitSettings(training, seed);
  if (fit.optimizer.kind !== "adam" || fit.optimizer.adamVariant !== "pytorch")
    throw new Error(`bench accuracy: the PyTorch peer trains with Adam in PyTorch's form; this config asks for ${fit.optimizer.kind}${fit.optimizer.kind === "adam" ? ` (${fit.optimizer.adamVariant})` : ""}`);
  if (hp.batchNorm === true) throw new Error(`bench accuracy: the PyTorch peer's ${model} has no batch norm; this run asks for batchNorm`);
  const num = (key: string, fallback: number) => String(typeof hp[key] === "number" ? hp[key] : fallback);
  return [
    join(packageRoot(), "bench", "peers", "torch_accuracy.py"),
    ...["--data", dir, "--model", model, "--out", out],
    ...["--dim", num("embeddingDim", 1), "--hidden", Array.isArray(hp.hiddenUnits) ? hp.hiddenUnits.join(",") : ""],
    ...["--dropout", num("netDropout", 0), "--init-std", num("embeddingInitStd", 1e-4), "--l2", num("embeddingRegularizer", 0)],
    ...["--cross-layers", num("numCrossLayers", 0), "--structure", typeof hp.modelStructure === "string" ? hp.modelStructure : "parallel"],
    ...["--batch", String(fit.batchSize), "--lr", String(fit.optimizer.learningRate), "--eps", String(fit.optimizer.epsilon)],
    ...["--epochs", String(fit.epochs), "--patience", String(fit.patience), "--min-delta", String(fit.minDelta)],
    ...["--lr-decay", String(fit.lrDecayFactor), "--min-lr", String(fit.minLearningRate), "--clip-norm", String(fit.clipNorm)],
    ...["--embedding-update", variant.update === "ours" ? fit.optimizer.embeddingUpdate : variant.update, "--init", variant.init, "--order", variant.order, "--seed", String(seed), "--threads", "1"],
  ];
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function intervalNote(diffs: number[]): string {
  if (diffs.length < 2) return `${diffs[0]!.toFixed(4)} (one seed)`;
  const ci = pairedTInterval(diffs);
  return `${ci.estimate.toFixed(4)} [${ci.low.toFixed(4)}, ${ci.high.toFixed(4)}]`;
}

/** The case of one data set and model: mean AUCs over seeds, paired intervals of the differences in the notes. */
export function accuracyCase(runs: AccuracyRun[]): BenchCase {
  const name = `${basename(runs[0]!.config, ".json")} ${runs[0]!.model}`;
  const ours = mean(runs.map((r) => r.ours.auc));
  const theirs = mean(runs.map((r) => r.theirs.auc));
  const variant = PEER_VARIANTS[runs[0]!.peer]!;
  return rateCase(BENCH, name, runs[0]!.peer, ours, theirs, "AUC", {
    seeds: String(runs.length),
    "AUC ours-theirs (95% CI)": intervalNote(runs.map((r) => r.ours.auc - r.theirs.auc)),
    "logloss ours": mean(runs.map((r) => r.ours.logloss)).toFixed(4),
    "logloss theirs": mean(runs.map((r) => r.theirs.logloss)).toFixed(4),
    "logloss ours-theirs (95% CI)": intervalNote(runs.map((r) => r.ours.logloss - r.theirs.logloss)),
    "best epochs ours": runs.map((r) => r.ours.bestEpoch).join("/"),
    "best epochs theirs": runs.map((r) => r.theirs.bestEpoch).join("/"),
    peer: `init=${variant.init} order=${variant.order} update=${variant.update === "ours" ? runs[0]!.embeddingUpdate : variant.update}`,
  });
}

export const benchmark: Benchmark = async ({ quick, log }) => {
  const flags = parseFlags(process.argv.slice(2), quick);
  if (!ensureTorch(flags.install, log)) return [];
  const backend = await selectBackend();
  log(`  ours: tfjs backend ${backend.name}; peer: ${PYTHON} bench/peers/torch_accuracy.py, 1 thread; ${flags.seeds} seed(s)`);
  const runs: AccuracyRun[] = [];
  const cases: BenchCase[] = [];
  for (const file of flags.configs) {
    const config = loadConfig(file);
    const data = await prepareData(config.data, { seed: config.training.seed, log: (m) => log(`  ${m}`) });
    if ("store" in data.train) throw new Error(`bench accuracy: ${file} keeps its train split on disk (data.cache); the peer needs it in memory`);
    const train: EncodedDataset = data.train;
    const dir = mkdtempSync(join(tmpdir(), "ctr-distill-accuracy-"));
    try {
      writeHandoff(dir, { train, valid: data.valid, test: data.test }, data.featureMap.totalRows);
      for (const model of flags.models) {
        const perModel: AccuracyRun[] = [];
        for (let s = 0; s < flags.seeds; s++) {
          const training = {
            ...config.training,
            seed: config.training.seed + s,
            epochs: Math.min(config.training.epochs, flags.epochs ?? Infinity),
            embeddingUpdate: flags.embeddingUpdate ?? config.training.embeddingUpdate,
          };
          const seed = deriveSeed(training.seed, MODEL_INDEX);
          // The model ours starts from, built again from the same seed (trainOnLabels builds its own).
          const twin = buildModel(model, {}, { numFields: train.layout.numFields, totalRows: data.featureMap.totalRows, rng: randomSource(seed) }, model);
          writeWeights(dir, twin);
          disposeModel(twin);
          writeBatchOrder(dir, train, training.batchSize, seed, training.epochs);

          log(`  == ${file} ${model} seed ${training.seed}: ours`);
          let t0 = performance.now();
          const trained = await trainOnLabels(model, {}, { train, valid: data.valid, totalRows: data.featureMap.totalRows }, training, log, model, MODEL_INDEX);
          const oursMetrics = evaluateLogits(data.test.labels, predictLogits(trained.model, data.test));
          const ours = { ...oursMetrics, bestEpoch: trained.fit.bestEpoch, epochs: trained.fit.history.length, seconds: (performance.now() - t0) / 1000 };
          disposeModel(trained.model);

          for (const peer of flags.peers) {
            log(`  == ${file} ${model} seed ${training.seed}: ${peer}`);
            t0 = performance.now();
            const logitsFile = join(dir, "test.logits.f32");
            const summary = await runPeer(peerArgs(dir, model, {}, training, seed, PEER_VARIANTS[peer]!, logitsFile), log);
            const theirs = { ...evaluateLogits(data.test.labels, readLogits(logitsFile, data.test.n)), bestEpoch: summary.bestEpoch, epochs: summary.history.length, seconds: (performance.now() - t0) / 1000 };
            const run: AccuracyRun = { config: file, model, seed: training.seed, peer, embeddingUpdate: training.embeddingUpdate, ours, theirs };
            log(`  ${JSON.stringify(run)}`);
            perModel.push(run);
          }
        }
        runs.push(...perModel);
        for (const peer of flags.peers) cases.push(accuracyCase(perModel.filter((r) => r.peer === peer)));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (flags.out !== undefined) writeFileSync(flags.out, JSON.stringify({ flags, runs }, null, 2) + "\n");
  return cases;
};
