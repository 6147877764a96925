import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../sdk/backend";
import { setWasmFixes, type WasmFixes } from "../sdk/backend-wasm-fixes";
import type { Batch } from "../sdk/data/batches";
import { mulberry32 } from "../sdk/data/prng";
import { randomSource } from "../sdk/layers/random";
import { disposeModel, type CtrModel } from "../sdk/models/model";
import { buildModel } from "../sdk/models/zoo";
import { packageRoot } from "../sdk/package-root";
import { DenseOptimizer } from "../sdk/train/dense-optimizer";
import { DEFAULT_OPTIMIZER } from "../sdk/train/optimizer-config";
import { unpooledLayout, type SlotLayout } from "../sdk/runtime/slots";
import { emptyStepPhases, trainStep, type StepOptions, type StepPhases } from "../sdk/train/step";
import { bceLoss } from "../sdk/train/train-teacher";
import { rateCase, type BenchCase, type Benchmark, type BenchOptions } from "./harness";
import { withSequenceField } from "./sequence-rows";
import { ensureTorch, PYTHON } from "./torch-peer";

/**
 * `npm run bench -- train [--json] [--quick] [--install-peers]`: training samples/s of DNN and DeepFM (39 fields,
 * 100k embedding rows × 16, MLP 400-400-400, batch 1024, Adam lr 1e-3, no clipping) in ctr-distill — the real model
 * definitions through `trainStep`, on tfjs-backend-wasm (one thread) — and in PyTorch on the same synthetic batches.
 *
 * Peers (bench/peers/torch_train.py, run by Debian's /usr/bin/python3, where `python3-torch` 1.13.1 installs):
 * - `torch-sparse-1t`: nn.Embedding(sparse=True) + SparseAdam (lazy, like ours) and Adam on the dense part, 1 thread;
 * - `torch-dense-1t`: dense embeddings, one Adam over everything, 1 thread;
 * - `…-Nt`: the same with torch's default thread count, or with every core when that default is 1;
 * - `torch+openblas-…`: Debian's torch links the reference BLAS (`libblas3`, the alternatives default when nothing
 *   else is installed); these rows load OpenBLAS instead (Debian's libopenblas0-pthread, unpacked under bench/out,
 *   the system untouched), i.e. what a PyTorch user with an optimised BLAS gets.
 * Ablations (same process, same model): ours with the wasm kernel fixes off (sdk/backend-wasm-fixes.ts).
 *
 * Method: every runner warms up, then rounds alternate — ours for OURS_STEPS steps, then each peer for about
 * PEER_SECONDS — so that load from other processes hits all sides alike; a rate is the median over rounds, and
 * `pairedRatio` (notes) the median of per-round ratios. Then a per-phase profile of ours (StepPhases) and a
 * per-kernel one (tf.profile).
 *
 * `--install-peers`: `apt-get install -y python3-torch` when `import torch` fails, and fetch OpenBLAS for the extra
 * rows (`apt-get download` + `dpkg -x` into bench/out/peers/openblas). Without it, missing peers are skipped.
 */

const BENCH = "train";
/** Criteo: 13 numeric + 26 categorical fields. */
const FIELDS = 39;
const NUMERIC_FIELDS = 13;
const TOTAL_ROWS = 100_000;
const EMBEDDING_DIM = 16;
const HIDDEN = [400, 400, 400];
const BATCH = 1024;
const MODELS = ["DNN", "DeepFM"] as const;

interface Sizes {
  /** Distinct batches of data, walked in a cycle. */
  batches: number;
  warmup: number;
  rounds: number;
  /** Our steps per round. */
  oursSteps: number;
  /** A peer's time per round, about (at least one step). */
  peerSeconds: number;
  /** Steps of the per-phase profile. */
  profileSteps: number;
}

const FULL: Sizes = { batches: 32, warmup: 5, rounds: 5, oursSteps: 48, peerSeconds: 3, profileSteps: 20 };
const QUICK: Sizes = { batches: 4, warmup: 2, rounds: 2, oursSteps: 4, peerSeconds: 1, profileSteps: 3 };

/** Synthetic rows: 13 numeric fields (one row each, value in [0, 1)), 26 categorical (skewed ids, value 1). */
interface BenchData {
  ids: Int32Array;
  values: Float32Array;
  labels: Float32Array;
  rows: number;
}

function makeData(rows: number, seed = 2024): BenchData {
  const rand = mulberry32(seed);
  const perField = Math.floor(TOTAL_ROWS / FIELDS);
  const ids = new Int32Array(rows * FIELDS);
  const values = new Float32Array(rows * FIELDS);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < FIELDS; f++) {
      const i = r * FIELDS + f;
      if (f < NUMERIC_FIELDS) {
        ids[i] = f * perField;
        values[i] = rand();
      } else {
        // Most traffic on few values, as in click logs.
        const u = rand();
        ids[i] = f * perField + Math.min(perField - 1, Math.floor(perField * u * u * u));
        values[i] = 1;
      }
    }
    labels[r] = rand() < 0.25 ? 1 : 0;
  }
  return { ids, values, labels, rows };
}

/** Slots of the sequence that replaces the last field in the pooled ablation. */
const SEQUENCE_SLOTS = 8;

/** `data` with the last field a mean-pooled sequence (bench/sequence-rows.ts). */
function pooledData(data: BenchData): { data: BenchData; layout: SlotLayout } {
  const { ids, values, layout } = withSequenceField(data, data.rows, FIELDS, TOTAL_ROWS, SEQUENCE_SLOTS, 7);
  return { data: { ids, values, labels: data.labels, rows: data.rows }, layout };
}

/** Something trained in rounds: ours, an ablation of ours, or a PyTorch child process. */
interface Runner {
  peer: string;
  /** Seconds per step, last measured (sizes a peer's round). */
  perStep: number;
  rates: number[];
  notes: Record<string, string | number>;
  /** Runs `steps` training steps; returns the seconds they took. */
  run(steps: number): Promise<number>;
  close(): void;
}

/** Ours: one model trained through trainStep, under a setting of the wasm fixes. */
class OursTrainer {
  readonly model: CtrModel;
  /** Lazy rows, the form the `*-sparse` peers take (a dense table update is a separate O(vocabulary) cost). */
  readonly optimizer = new DenseOptimizer({ ...DEFAULT_OPTIMIZER, embeddingUpdate: "lazy" });
  readonly options: StepOptions;
  private next = 0;
  private readonly batches: Batch[];

  constructor(name: string, data: BenchData, layout: SlotLayout = unpooledLayout(FIELDS)) {
    this.model = buildModel(name, { embeddingDim: EMBEDDING_DIM, hiddenUnits: HIDDEN }, { numFields: FIELDS, totalRows: TOTAL_ROWS, rng: randomSource(1) });
    this.options = { layout, clipNorm: 0, optimizer: this.optimizer, sparse: this.optimizer.config };
    this.batches = [];
    const S = layout.numSlots;
    for (let b = 0; b < data.rows / BATCH; b++) {
      const lo = b * BATCH;
      this.batches.push({
        ids: data.ids.subarray(lo * S, (lo + BATCH) * S),
        values: data.values.subarray(lo * S, (lo + BATCH) * S),
        labels: data.labels.subarray(lo, lo + BATCH),
        n: BATCH,
        index: Int32Array.from({ length: BATCH }, (_, i) => lo + i),
      });
    }
  }

  steps(k: number, phases?: StepPhases): number {
    const options = phases === undefined ? this.options : { ...this.options, phases };
    const t0 = performance.now();
    for (let i = 0; i < k; i++) trainStep(this.model, this.batches[this.next++ % this.batches.length]!, (out, labels) => bceLoss(out.logit, labels), options);
    return (performance.now() - t0) / 1000;
  }

  dispose(): void {
    this.optimizer.dispose();
    disposeModel(this.model);
  }
}

const ALL_FIXES: WasmFixes = { matmulTranspose: true, blockedTranspose: true, sumLeadingAxes: true };

function oursRunner(trainer: OursTrainer, peer: string, fixes: WasmFixes, notes: Record<string, string | number>): Runner {
  return {
    peer,
    perStep: 1,
    rates: [],
    notes,
    async run(steps) {
      setWasmFixes(fixes);
      try {
        return trainer.steps(steps);
      } finally {
        setWasmFixes(ALL_FIXES);
      }
    },
    close() {},
  };
}

/** Lines of a child's stdout, one at a time. */
class LineQueue {
  private readonly lines: string[] = [];
  private readonly waiting: ((line: string | null) => void)[] = [];
  private closed = false;

  constructor(child: ChildProcessWithoutNullStreams) {
    const rl = createInterface({ input: child.stdout });
    rl.on("line", (line) => {
      const w = this.waiting.shift();
      if (w) w(line);
      else this.lines.push(line);
    });
    rl.on("close", () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w(null);
    });
  }

  next(): Promise<string | null> {
    if (this.lines.length > 0) return Promise.resolve(this.lines.shift()!);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

interface TorchPeer {
  peer: string;
  model: (typeof MODELS)[number];
  embedding: "sparse" | "dense";
  threads: number | "default";
  /** A folder holding an alternative libblas.so.3 (OpenBLAS), or null for the system's. */
  blasDir: string | null;
}

/** Starts a PyTorch peer and waits for its warm-up; null (and a log line) when it fails. */
async function torchRunner(spec: TorchPeer, dataDir: string, rows: number, sizes: Sizes, log: BenchOptions["log"]): Promise<Runner | null> {
  const script = join(packageRoot(), "bench", "peers", "torch_train.py");
  const threads = String(spec.threads);
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: "1" };
  if (spec.blasDir !== null) {
    env.LD_LIBRARY_PATH = [spec.blasDir, env.LD_LIBRARY_PATH].filter(Boolean).join(":");
    env.OPENBLAS_NUM_THREADS = spec.threads === "default" ? String(cpus().length) : threads;
  }
  const args = [script, "--data", dataDir, "--rows", String(rows), "--fields", String(FIELDS), "--total-rows", String(TOTAL_ROWS), "--dim", String(EMBEDDING_DIM), "--hidden", HIDDEN.join(","), "--batch", String(BATCH), "--model", spec.model, "--embedding", spec.embedding, "--threads", threads, "--warmup", String(Math.min(sizes.warmup, 3))];
  const child = spawn(PYTHON, args, { env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const lines = new LineQueue(child);
  const fail = (why: string): null => {
    log(`  ${spec.peer}: unavailable (${why})${stderr ? `: ${stderr.trim().split("\n").slice(-3).join(" | ")}` : ""}`);
    child.kill();
    return null;
  };
  const ready = await lines.next();
  if (ready === null) return fail("exited during warm-up");
  const info = JSON.parse(ready) as { ready: boolean; threads: number; torch: string; blas: string };
  const blas = info.blas.includes("openblas") ? "OpenBLAS 0.3.21" : info.blas.includes("/blas/libblas") ? "reference BLAS (libblas3)" : info.blas;
  return {
    peer: spec.peer,
    perStep: 1,
    rates: [],
    notes: { threads: String(info.threads), torch: info.torch, blas },
    async run(steps) {
      child.stdin.write(JSON.stringify({ steps }) + "\n");
      const line = await lines.next();
      if (line === null) throw new Error(`${spec.peer} exited: ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
      return (JSON.parse(line) as { seconds: number }).seconds;
    },
    close() {
      child.stdin.end();
      child.kill();
    },
  };
}

/**
 * The folder of OpenBLAS's libblas.so.3 unpacked under bench/out/peers/openblas (no system change); with
 * `install`, fetched there by `apt-get download` when missing. Null when absent.
 */
function openBlasDir(install: boolean, log: BenchOptions["log"]): string | null {
  const root = join(packageRoot(), "bench", "out", "peers", "openblas");
  const dir = join(root, "usr", "lib", "x86_64-linux-gnu", "openblas-pthread");
  if (existsSync(join(dir, "libblas.so.3"))) return dir;
  if (!install) {
    log("  torch+openblas peers skipped: no OpenBLAS under bench/out/peers/openblas (--install-peers fetches it)");
    return null;
  }
  mkdirSync(root, { recursive: true });
  log("  fetching OpenBLAS (apt-get download libopenblas0-pthread libopenblas0; dpkg -x into bench/out/peers/openblas) …");
  spawnSync("apt-get", ["download", "libopenblas0-pthread", "libopenblas0"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  for (const deb of readdirSync(root).filter((f) => f.endsWith(".deb"))) spawnSync("dpkg", ["-x", deb, "."], { cwd: root, stdio: "inherit" });
  if (existsSync(join(dir, "libblas.so.3"))) return dir;
  log("  fetching OpenBLAS failed; torch+openblas peers skipped");
  return null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const PHASE_LABELS: Record<keyof StepPhases, string> = {
  gather: "gather rows (JS)",
  upload: "upload to tensors",
  forward: "forward",
  backward: "backward (tape)",
  clipNorm: "clip norm",
  denseOptimizer: "dense Adam (tf ops)",
  gradientRead: "read embedding grads",
  sparseUpdate: "lazy Adam on rows (JS)",
  finish: "loss read, dispose",
};

/** Per-phase and per-kernel time of ours, logged as a table. */
async function profileOurs(trainer: OursTrainer, steps: number, log: BenchOptions["log"]): Promise<void> {
  const phases = emptyStepPhases();
  const seconds = trainer.steps(steps, phases);
  const total = seconds * 1000;
  log(`  profile ${trainer.model.name}, ${steps} steps, ${(total / steps).toFixed(1)} ms/step (${Math.round((steps * BATCH) / seconds)} samples/s):`);
  for (const [k, v] of Object.entries(phases) as [keyof StepPhases, number][])
    if (v / total >= 0.001) log(`    ${PHASE_LABELS[k].padEnd(24)} ${(v / steps).toFixed(1).padStart(7)} ms  ${((100 * v) / total).toFixed(1).padStart(5)}%`);
  const byKernel = new Map<string, number>();
  const profiled = Math.max(1, Math.min(3, steps));
  const t0 = performance.now();
  const info = await tf.profile(() => {
    trainer.steps(profiled);
  });
  const wall = performance.now() - t0;
  for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs));
  const top = [...byKernel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
  log(`    kernels (tf.profile, ${profiled} steps): ${top.map(([name, ms]) => `${name} ${(ms / profiled).toFixed(1)} ms (${((100 * ms) / wall).toFixed(0)}%)`).join(", ")}`);
}

export const benchmark: Benchmark = async ({ quick, log }) => {
  const sizes = quick ? QUICK : FULL;
  const install = process.argv.includes("--install-peers");
  const backend = await selectBackend("wasm");
  log(`  ours: tfjs backend ${backend.name} (1 thread), batch ${BATCH}, ${FIELDS} fields, ${TOTAL_ROWS.toLocaleString("en-US")}×${EMBEDDING_DIM} embedding, MLP ${HIDDEN.join("-")}, Adam lr 1e-3`);
  const data = makeData(sizes.batches * BATCH);
  const dataDir = mkdtempSync(join(tmpdir(), "ctr-distill-bench-train-"));
  writeFileSync(join(dataDir, "ids.i32"), new Uint8Array(data.ids.buffer));
  writeFileSync(join(dataDir, "values.f32"), new Uint8Array(data.values.buffer));
  writeFileSync(join(dataDir, "labels.f32"), new Uint8Array(data.labels.buffer));
  const haveTorch = ensureTorch(install, log);
  const blasDir = haveTorch ? openBlasDir(install, log) : null;
  const cases: BenchCase[] = [];
  try {
    for (const model of MODELS) {
      log(`== ${model}`);
      const trainer = new OursTrainer(model, data);
      const pooled = pooledData(data);
      const pooledTrainer = new OursTrainer(model, pooled.data, pooled.layout);
      const runners: Runner[] = [];
      try {
        trainer.steps(sizes.warmup);
        pooledTrainer.steps(sizes.warmup);
        const ours = oursRunner(trainer, "ours", ALL_FIXES, { backend: backend.name, threads: "1" });
        runners.push(
          oursRunner(trainer, "ours, wasm fixes off", { matmulTranspose: false, blockedTranspose: false, sumLeadingAxes: false }, { ablation: "tfjs-backend-wasm kernels as shipped" }),
          oursRunner(trainer, "ours, matmul fix only", { matmulTranspose: true, blockedTranspose: false, sumLeadingAxes: false }, { ablation: "without blocked transpose and leading-axis sum" }),
          oursRunner(pooledTrainer, `ours, a field pooled from ${SEQUENCE_SLOTS} slots`, ALL_FIXES, { ablation: `the last field a mean-pooled sequence of 1-${SEQUENCE_SLOTS} items (${pooled.layout.numSlots} slots)` }),
        );
        if (haveTorch) {
          const specs: TorchPeer[] = [];
          const multi: number | "default" = "default";
          for (const embedding of ["sparse", "dense"] as const)
            for (const threads of [1, multi]) specs.push({ peer: `torch-${embedding}`, model, embedding, threads, blasDir: null });
          if (blasDir !== null) for (const threads of [1, multi]) specs.push({ peer: "torch+openblas-sparse", model, embedding: "sparse", threads, blasDir });
          for (const spec of specs) {
            let runner = await torchRunner(spec, dataDir, data.rows, sizes, log);
            // torch's default here may be one thread: then the multi-threaded row uses every core.
            if (runner !== null && spec.threads === "default" && Number(runner.notes.threads) === 1 && cpus().length > 1) {
              runner.close();
              runner = await torchRunner({ ...spec, threads: cpus().length }, dataDir, data.rows, sizes, log);
              if (runner !== null) runner.notes.torchDefaultThreads = "1";
            }
            if (runner === null) continue;
            runner.peer = `${spec.peer}-${runner.notes.threads}t`;
            runners.push(runner);
          }
        }
        // Size each runner's rounds from one step.
        for (const r of runners) r.perStep = await r.run(1);
        const paired = new Map<Runner, number[]>(runners.map((r) => [r, []]));
        for (let round = 0; round < sizes.rounds; round++) {
          const oursRate = (sizes.oursSteps * BATCH) / (await ours.run(sizes.oursSteps));
          ours.rates.push(oursRate);
          for (const r of runners) {
            const steps = Math.max(1, Math.round(sizes.peerSeconds / r.perStep));
            const seconds = await r.run(steps);
            r.perStep = seconds / steps;
            r.rates.push((steps * BATCH) / seconds);
            paired.get(r)!.push(oursRate / r.rates[r.rates.length - 1]!);
          }
          log(`  round ${round + 1}/${sizes.rounds}: ours ${Math.round(oursRate)} samples/s; ${runners.map((r) => `${r.peer} ${Math.round(r.rates[r.rates.length - 1]!)}`).join(", ")}`);
        }
        const oursMedian = median(ours.rates);
        const oursSteps = sizes.rounds * sizes.oursSteps;
        for (const r of runners) {
          const name = r.peer.startsWith("ours") ? `${model} ablation` : model;
          cases.push(rateCase(BENCH, name, r.peer, oursMedian, median(r.rates), "samples/s", { ...r.notes, pairedRatio: median(paired.get(r)!).toFixed(2), oursSteps: String(oursSteps) }));
        }
        await profileOurs(trainer, sizes.profileSteps, log);
      } finally {
        for (const r of runners) r.close();
        trainer.dispose();
        pooledTrainer.dispose();
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return cases;
};
