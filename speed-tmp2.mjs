// speed-tmp2.ts
import * as tf21 from "@tensorflow/tfjs";

// sdk/backend.ts
import * as tf2 from "@tensorflow/tfjs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// sdk/backend-wasm-fixes.ts
import * as tf from "@tensorflow/tfjs";
var fixes = { matmulTranspose: true, blockedTranspose: true, sumLeadingAxes: true };
var MATMUL_KERNELS = ["BatchMatMul", "_FusedMatMul"];
var TILE_ROWS = 64;
var TILE_COLS = 8;
function heapInt32(backend, t) {
  const view = backend.typedArrayFromHeap(t);
  return new Int32Array(view.buffer, view.byteOffset, view.byteLength >> 2);
}
function transposeLastTwo(src, dst, batch, rows2, cols) {
  const size = rows2 * cols;
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    for (let i0 = 0; i0 < rows2; i0 += TILE_ROWS) {
      const i1 = Math.min(i0 + TILE_ROWS, rows2);
      for (let j0 = 0; j0 < cols; j0 += TILE_COLS) {
        const j1 = Math.min(j0 + TILE_COLS, cols);
        for (let i = i0; i < i1; i++) {
          const from = base + i * cols;
          for (let j = j0; j < j1; j++) dst[base + j * rows2 + i] = src[from + j];
        }
      }
    }
  }
}
function blockedTranspose(backend, x, perm) {
  const rank = x.shape.length;
  if (rank < 2 || perm.length !== rank || x.dtype !== "float32" && x.dtype !== "int32") return null;
  for (let i = 0; i < rank - 2; i++) if (perm[i] !== i) return null;
  if (perm[rank - 2] !== rank - 1 || perm[rank - 1] !== rank - 2) return null;
  const rows2 = x.shape[rank - 2];
  const cols = x.shape[rank - 1];
  if (rows2 === 1 || cols === 1) return null;
  const batch = x.shape.slice(0, rank - 2).reduce((a, b) => a * b, 1);
  const outShape = [...x.shape.slice(0, rank - 2), cols, rows2];
  const out = backend.makeOutput(outShape, x.dtype);
  if (batch * rows2 * cols > 0) transposeLastTwo(heapInt32(backend, x), heapInt32(backend, out), batch, rows2, cols);
  return out;
}
function sumLeadingAxes(backend, x, axis, keepDims) {
  if (x.dtype !== "float32") return null;
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis ?? null, x.shape);
  if (axes.length === 0 || axes[axes.length - 1] >= rank - 1) return null;
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1] + 1) return null;
  const first = axes[0];
  const last = axes[axes.length - 1];
  const outer = x.shape.slice(0, first).reduce((a, b) => a * b, 1);
  const reduce = x.shape.slice(first, last + 1).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(last + 1).reduce((a, b) => a * b, 1);
  const outShape = keepDims ? x.shape.map((d, i) => i >= first && i <= last ? 1 : d) : x.shape.filter((_, i) => i < first || i > last);
  const out = backend.makeOutput(outShape, "float32");
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  dst.fill(0);
  for (let o = 0; o < outer; o++) {
    const to = o * inner;
    for (let r = 0; r < reduce; r++) {
      const from = (o * reduce + r) * inner;
      for (let k = 0; k < inner; k++) dst[to + k] += src[from + k];
    }
  }
  return out;
}
function replaceKernel(name, wrap) {
  const original = tf.getKernel(name, "wasm");
  if (original === void 0) return;
  tf.unregisterKernel(name, "wasm");
  tf.registerKernel({ ...original, kernelFunc: wrap(original.kernelFunc) });
}
var patched = false;
function patchWasmBackend() {
  if (patched) return;
  const transpose = tf.getKernel("Transpose", "wasm");
  if (transpose === void 0) throw new Error("wasm backend has no Transpose kernel");
  const transposeOf = (x, perm, backend) => (fixes.blockedTranspose ? blockedTranspose(backend, x, perm) : null) ?? transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } });
  replaceKernel("Transpose", (original) => (args) => {
    if (!fixes.blockedTranspose) return original(args);
    const { perm } = args.attrs;
    return blockedTranspose(args.backend, args.inputs.x, perm) ?? original(args);
  });
  replaceKernel("Sum", (original) => (args) => {
    if (!fixes.sumLeadingAxes) return original(args);
    const { axis, keepDims } = args.attrs;
    return sumLeadingAxes(args.backend, args.inputs.x, axis, keepDims) ?? original(args);
  });
  for (const name of MATMUL_KERNELS)
    replaceKernel(name, (original) => (args) => {
      const attrs = args.attrs;
      if (!fixes.matmulTranspose || !attrs.transposeA && !attrs.transposeB) return original(args);
      const backend = args.backend;
      const inputs = { ...args.inputs };
      const temporaries = [];
      const swapLastTwo = (t) => {
        const rank = t.shape.length;
        const perm = [...Array(rank).keys()];
        perm[rank - 1] = rank - 2;
        perm[rank - 2] = rank - 1;
        const out = transposeOf(t, perm, args.backend);
        temporaries.push(out);
        return out;
      };
      if (attrs.transposeA) inputs.a = swapLastTwo(inputs.a);
      if (attrs.transposeB) inputs.b = swapLastTwo(inputs.b);
      const result = original({ ...args, inputs, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
      for (const t of temporaries) backend.disposeData(t.dataId);
      return result;
    });
  patched = true;
}

// sdk/errors.ts
var UserError = class extends Error {
  name = "UserError";
};

// sdk/backend.ts
var BACKEND_ORDER = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];
var require2 = createRequire(import.meta.url);
async function tryNative(pkg) {
  try {
    await import(
      /* @vite-ignore */
      pkg
    );
    return tf2.getBackend() === "tensorflow" || await tf2.setBackend("tensorflow");
  } catch {
    return false;
  }
}
async function tryWasm() {
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const dist = dirname(require2.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"));
    wasm.setWasmPaths(join(dist, "/"));
    if (!await tf2.setBackend("wasm")) return false;
    patchWasmBackend();
    return true;
  } catch {
    return false;
  }
}
async function tryBackend(name) {
  switch (name) {
    case "tensorflow-gpu":
      return tryNative("@tensorflow/tfjs-node-gpu");
    case "tensorflow":
      return tryNative("@tensorflow/tfjs-node");
    case "wasm":
      return tryWasm();
    case "cpu":
      return tf2.setBackend("cpu");
  }
}
async function selectBackend(preferred) {
  if (preferred !== void 0) {
    if (!BACKEND_ORDER.includes(preferred))
      throw new UserError(`--backend must be one of ${BACKEND_ORDER.join(", ")}, got '${preferred}'`);
    if (!await tryBackend(preferred)) throw new UserError(`backend '${preferred}' could not be loaded here`);
    return { name: preferred, skipped: [] };
  }
  const skipped = [];
  for (const name of BACKEND_ORDER) {
    if (await tryBackend(name)) return { name, skipped };
    skipped.push(name);
  }
  throw new Error("no tfjs backend could be loaded");
}

// sdk/data/prng.ts
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = a + 1831565813 | 0;
    let t = Math.imul(a ^ a >>> 15, 1 | a);
    t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t;
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
}
function randNormal(rand) {
  let u = rand();
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

// sdk/layers/random.ts
function glorotUniform(rng2, fanIn, fanOut, size) {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (rng2.next() * 2 - 1) * limit;
  return out;
}
function normalValues(rng2, std, size) {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng2.normal() * std;
  return out;
}
function randomSource(seed) {
  const rand = mulberry32(seed);
  return { next: rand, normal: () => randNormal(rand) };
}

// sdk/layers/dense.ts
import * as tf3 from "@tensorflow/tfjs";
var Dense = class {
  constructor(params, name, inDim, outDim, useBias = true) {
    this.name = name;
    this.inDim = inDim;
    this.outDim = outDim;
    this.kernel = params.add(`${name}/kernel`, [inDim, outDim], "glorot");
    this.bias = useBias ? params.add(`${name}/bias`, [outDim], "zeros") : null;
  }
  name;
  inDim;
  outDim;
  kernel;
  bias;
  apply(x) {
    const y = tf3.matMul(x, this.kernel);
    return this.bias === null ? y : y.add(this.bias);
  }
};

// sdk/layers/mlp.ts
import * as tf5 from "@tensorflow/tfjs";

// sdk/layers/batch-norm.ts
import * as tf4 from "@tensorflow/tfjs";
var MOMENTUM = 0.99;
var EPSILON = 1e-3;
var BatchNorm = class {
  gamma;
  beta;
  movingMean;
  movingVariance;
  epsilon = EPSILON;
  constructor(params, name, units) {
    this.gamma = params.add(`${name}/gamma`, [units], "ones");
    this.beta = params.add(`${name}/beta`, [units], "zeros");
    this.movingMean = params.add(`${name}/moving_mean`, [units], "zeros", false);
    this.movingVariance = params.add(`${name}/moving_variance`, [units], "ones", false);
  }
  apply(x, training) {
    if (!training) return tf4.batchNorm(x, this.movingMean, this.movingVariance, this.beta, this.gamma, EPSILON);
    const { mean, variance } = tf4.moments(x, 0);
    tf4.tidy(() => {
      this.movingMean.assign(this.movingMean.mul(MOMENTUM).add(mean.mul(1 - MOMENTUM)));
      this.movingVariance.assign(this.movingVariance.mul(MOMENTUM).add(variance.mul(1 - MOMENTUM)));
    });
    return tf4.batchNorm(x, mean, variance, this.beta, this.gamma, EPSILON);
  }
};

// sdk/layers/mlp.ts
var Mlp = class {
  constructor(params, name, inDim, hiddenUnits, options) {
    this.name = name;
    this.hiddenUnits = hiddenUnits;
    this.options = options;
    let dim = inDim;
    hiddenUnits.forEach((units, i) => {
      const dense = new Dense(params, `${name}/dense_${i}`, dim, units);
      const norm = options.batchNorm ? new BatchNorm(params, `${name}/bn_${i}`, units) : null;
      this.layers.push({ dense, norm });
      dim = units;
    });
    this.hiddenDim = dim;
    this.output = options.outputDim === null ? null : new Dense(params, `${name}/output`, dim, options.outputDim);
    this.outDim = options.outputDim ?? dim;
  }
  name;
  hiddenUnits;
  options;
  layers = [];
  output;
  outDim;
  hiddenDim;
  apply(x, training) {
    let h = x;
    for (const { dense, norm } of this.layers) {
      h = dense.apply(h);
      if (norm !== null) h = norm.apply(h, training);
      h = tf5.relu(h);
      if (training && this.options.dropout > 0) h = tf5.dropout(h, this.options.dropout, void 0, this.options.nextSeed());
    }
    return { out: this.output === null ? h : this.output.apply(h), hidden: h };
  }
};

// sdk/layers/self-attention.ts
import * as tf6 from "@tensorflow/tfjs";
var SelfAttention = class {
  constructor(params, name, inputDim, options) {
    this.name = name;
    this.inputDim = inputDim;
    this.options = options;
    const { attentionDim, numHeads } = options;
    if (!(numHeads >= 1 && attentionDim % numHeads === 0))
      throw new Error(`SelfAttention: 'attentionDim' (${attentionDim}) of '${name}' must be a multiple of 'numHeads' (${numHeads})`);
    this.headDim = attentionDim / numHeads;
    this.query = new Dense(params, `${name}/W_q`, inputDim, attentionDim, false);
    this.key = new Dense(params, `${name}/W_k`, inputDim, attentionDim, false);
    this.value = new Dense(params, `${name}/W_v`, inputDim, attentionDim, false);
    this.residual = options.useResidual && inputDim !== attentionDim ? new Dense(params, `${name}/W_res`, inputDim, attentionDim, false) : null;
  }
  name;
  inputDim;
  options;
  query;
  key;
  value;
  residual;
  headDim;
  /** [B, F, inputDim] → [B, F, attentionDim]. */
  apply(x) {
    const [b, f] = x.shape;
    const { attentionDim: a, numHeads: h, useResidual, useScale } = this.options;
    const flat = x.reshape([b * f, this.inputDim]);
    const heads = (t) => h === 1 ? t.reshape([b, f, a]) : t.reshape([b, f, h, this.headDim]).transpose([0, 2, 1, 3]).reshape([b * h, f, this.headDim]);
    const q = heads(this.query.apply(flat));
    const k = heads(this.key.apply(flat));
    const v = heads(this.value.apply(flat));
    let scores = tf6.matMul(q, k, false, true);
    if (useScale) scores = scores.mul(1 / Math.sqrt(this.headDim));
    const attended = tf6.matMul(tf6.softmax(scores), v);
    let out = h === 1 ? attended : attended.reshape([b, h, f, this.headDim]).transpose([0, 2, 1, 3]).reshape([b, f, a]);
    if (useResidual) out = out.add(this.residual === null ? x : this.residual.apply(flat).reshape([b, f, a]));
    return tf6.relu(out);
  }
};

// sdk/models/hyperparameter-checks.ts
function oneOf(model, key, value, allowed) {
  if (!allowed.includes(value))
    throw new UserError(`${model}.${key}: expected one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(value)}`);
  return value;
}
function integerAtLeast(model, key, value, min) {
  if (!Number.isInteger(value) || value < min) throw new UserError(`${model}.${key}: expected an integer >= ${min}, got ${value}`);
  return value;
}

// sdk/layers/embedding-table.ts
var EmbeddingTable = class {
  constructor(name, rows2, dim, rng2, initStd, l2) {
    this.name = name;
    this.rows = rows2;
    this.dim = dim;
    this.l2 = l2;
    this.weights = normalValues(rng2, initStd, rows2 * dim);
    this.slot1 = new Float32Array(rows2 * dim);
    this.slot2 = new Float32Array(rows2 * dim);
    this.rowSteps = new Int32Array(rows2);
    this.gradAccum = new Float32Array(rows2 * dim);
    this.touchedMark = new Uint8Array(rows2);
  }
  name;
  rows;
  dim;
  l2;
  weights;
  slot1;
  slot2;
  /** Per-row step counts: lazy Adam corrects each row's bias by its own number of updates. */
  rowSteps;
  /** Scratch: accumulated gradient per touched row, and the list of touched rows. */
  gradAccum;
  touchedMark;
  /** Rows × values for a batch: out[(r*F + f)*dim + k] = weights[ids[r*F+f]*dim + k] * values[r*F+f]. */
  gather(ids2, values2, count, out = new Float32Array(count * this.dim)) {
    const d = this.dim;
    for (let i = 0; i < count; i++) {
      const src = ids2[i] * d;
      const v = values2[i];
      const dst = i * d;
      for (let k = 0; k < d; k++) out[dst + k] = this.weights[src + k] * v;
    }
    return out;
  }
  /**
   * Applies the gradient of the loss with respect to the gathered (scaled) rows, `grad` shaped like `gather`'s
   * output, with `scale` folded in (gradient clipping). Only touched rows change.
   */
  applyGradient(ids2, values2, count, grad, opt, scale = 1) {
    const d = this.dim;
    const touched = [];
    for (let i = 0; i < count; i++) {
      const row = ids2[i];
      if (this.touchedMark[row] === 0) {
        this.touchedMark[row] = 1;
        touched.push(row);
      }
      const g = values2[i] * scale;
      const src = i * d;
      const dst = row * d;
      for (let k = 0; k < d; k++) this.gradAccum[dst + k] += grad[src + k] * g;
    }
    for (const row of touched) {
      this.touchedMark[row] = 0;
      const step = ++this.rowSteps[row];
      const base = row * d;
      if (opt.kind === "adam") this.adamRow(base, step, opt);
      else this.adagradRow(base, opt);
    }
  }
  adamRow(base, step, opt) {
    const { beta1, beta2, epsilon, learningRate } = opt;
    const lr = learningRate * Math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step);
    for (let k = base; k < base + this.dim; k++) {
      const g = this.gradAccum[k] + this.l2 * this.weights[k];
      this.gradAccum[k] = 0;
      const m = this.slot1[k] = beta1 * this.slot1[k] + (1 - beta1) * g;
      const v = this.slot2[k] = beta2 * this.slot2[k] + (1 - beta2) * g * g;
      this.weights[k] -= lr * m / (Math.sqrt(v) + epsilon);
    }
  }
  adagradRow(base, opt) {
    for (let k = base; k < base + this.dim; k++) {
      const g = this.gradAccum[k] + this.l2 * this.weights[k];
      this.gradAccum[k] = 0;
      const acc = this.slot1[k] = (this.slot1[k] || opt.initialAccumulator) + g * g;
      this.weights[k] -= opt.learningRate * g / (Math.sqrt(acc) + opt.epsilon);
    }
  }
};

// sdk/layers/params.ts
import * as tf7 from "@tensorflow/tfjs";
var storeCounter = 0;
var ParamStore = class {
  constructor(rng2, scope = "model") {
    this.rng = rng2;
    this.prefix = `${scope}#${storeCounter++}/`;
  }
  rng;
  vars = /* @__PURE__ */ new Map();
  /** tfjs variable names are global: a per-store prefix keeps two models of one kind apart. */
  prefix;
  add(name, shape, init, trainable = true) {
    if (this.vars.has(name)) throw new Error(`ParamStore.add: parameter '${name}' already exists`);
    const size = shape.reduce((a, b) => a * b, 1);
    let values2;
    if (init === "zeros") values2 = new Float32Array(size);
    else if (init === "ones") values2 = new Float32Array(size).fill(1);
    else if (init === "glorot") {
      const fanIn = shape.length >= 2 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : size;
      const fanOut = shape[shape.length - 1] ?? 1;
      values2 = glorotUniform(this.rng, fanIn, fanOut, size);
    } else values2 = normalValues(this.rng, init.normal, size);
    const v = tf7.variable(tf7.tensor(values2, shape, "float32"), trainable, this.prefix + name);
    this.vars.set(name, v);
    return v;
  }
  /** Parameters in creation order, with their local names. */
  entries() {
    return [...this.vars.entries()];
  }
  trainable() {
    return [...this.vars.values()].filter((v) => v.trainable);
  }
  get(name) {
    const v = this.vars.get(name);
    if (v === void 0) throw new Error(`ParamStore.get: no parameter '${name}'`);
    return v;
  }
  count() {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }
  dispose() {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
};

// sdk/models/model.ts
var EMBEDDING_DEFAULTS = {
  embeddingDim: 10,
  embeddingRegularizer: 1e-5,
  embeddingInitStd: 1e-4
};
var MLP_DEFAULTS = { hiddenUnits: [400, 400, 400], netDropout: 0, batchNorm: false };
function featureEmbedding(ctx, hp, name = "embedding") {
  return new EmbeddingTable(name, ctx.totalRows, hp.embeddingDim, ctx.rng, hp.embeddingInitStd, hp.embeddingRegularizer);
}
function linearEmbedding(ctx, hp) {
  return new EmbeddingTable("linear", ctx.totalRows, 1, ctx.rng, hp.embeddingInitStd, hp.embeddingRegularizer);
}
function seedStream(rng2) {
  return () => Math.floor(rng2.next() * 2 ** 31);
}

// sdk/models/autoint-plus.ts
var AutoIntPlus = {
  name: "AutoInt+",
  description: "AutoInt+: multi-head self-attention over fields plus an MLP (Song et al., CIKM 2019)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS, attentionLayers: 3, numHeads: 2, attentionDim: 40, useResidual: true, useScale: false },
  build(ctx, hp) {
    integerAtLeast("AutoInt+", "attentionLayers", hp.attentionLayers, 1);
    integerAtLeast("AutoInt+", "numHeads", hp.numHeads, 1);
    integerAtLeast("AutoInt+", "attentionDim", hp.attentionDim, 1);
    if (hp.attentionDim % hp.numHeads !== 0) throw new UserError(`AutoInt+.attentionDim: expected a multiple of numHeads (${hp.numHeads}), got ${hp.attentionDim}`);
    const params = new ParamStore(ctx.rng, "AutoInt+");
    const embedding = featureEmbedding(ctx, hp);
    const options = { attentionDim: hp.attentionDim, numHeads: hp.numHeads, useResidual: hp.useResidual, useScale: hp.useScale };
    const attention = Array.from({ length: hp.attentionLayers }, (_, i) => new SelfAttention(params, `attention_${i}`, i === 0 ? hp.embeddingDim : hp.attentionDim, options));
    const fc = new Dense(params, "fc", ctx.numFields * hp.attentionDim, 1);
    const inDim = ctx.numFields * hp.embeddingDim;
    const mlp = hp.hiddenUnits.length > 0 ? new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) }) : null;
    return {
      name: "AutoInt+",
      tables: [embedding],
      params,
      forward([e], training) {
        let x = e;
        for (const layer of attention) x = layer.apply(x);
        let logit = fc.apply(x.reshape([-1, ctx.numFields * hp.attentionDim])).reshape([-1]);
        if (mlp === null) return { logit, hidden: null };
        const { out, hidden } = mlp.apply(e.reshape([-1, inDim]), training);
        logit = logit.add(out.reshape([-1]));
        return { logit, hidden };
      }
    };
  }
};

// sdk/models/dcn.ts
import * as tf9 from "@tensorflow/tfjs";

// sdk/layers/cross-network.ts
import * as tf8 from "@tensorflow/tfjs";
var CrossNet = class {
  constructor(params, name, inDim, numLayers) {
    this.name = name;
    this.inDim = inDim;
    this.numLayers = numLayers;
    for (let i = 0; i < numLayers; i++)
      this.layers.push({ kernel: params.add(`${name}/layer_${i}/kernel`, [inDim, 1], "glorot"), bias: params.add(`${name}/layer_${i}/bias`, [inDim], "zeros") });
  }
  name;
  inDim;
  numLayers;
  layers = [];
  /** [B, d] → [B, d]. */
  apply(x0) {
    let x = x0;
    for (const { kernel, bias } of this.layers) {
      const xw = tf8.matMul(x, kernel);
      x = x0.mul(xw).add(bias).add(x);
    }
    return x;
  }
};

// sdk/models/dcn.ts
var DCN = {
  name: "DCN",
  description: "Deep & Cross Network: cross layers beside an MLP (Wang et al., ADKDD 2017)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS, numCrossLayers: 3 },
  build(ctx, hp) {
    integerAtLeast("DCN", "numCrossLayers", hp.numCrossLayers, 0);
    const params = new ParamStore(ctx.rng, "DCN");
    const embedding = featureEmbedding(ctx, hp);
    const inDim = ctx.numFields * hp.embeddingDim;
    const cross = new CrossNet(params, "crossnet", inDim, hp.numCrossLayers);
    const mlp = hp.hiddenUnits.length > 0 ? new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: null, nextSeed: seedStream(ctx.rng) }) : null;
    const fc = new Dense(params, "fc", inDim + (mlp?.outDim ?? 0), 1);
    return {
      name: "DCN",
      tables: [embedding],
      params,
      forward([e], training) {
        const flat = e.reshape([-1, inDim]);
        const crossOut = cross.apply(flat);
        const hidden = mlp === null ? null : mlp.apply(flat, training).hidden;
        const logit = fc.apply(hidden === null ? crossOut : tf9.concat([crossOut, hidden], 1)).reshape([-1]);
        return { logit, hidden };
      }
    };
  }
};

// sdk/models/dcn-v2.ts
import * as tf10 from "@tensorflow/tfjs";

// sdk/layers/cross-network-v2.ts
var CrossNetV2 = class {
  constructor(params, name, inDim, numLayers) {
    this.name = name;
    this.inDim = inDim;
    this.numLayers = numLayers;
    for (let i = 0; i < numLayers; i++) this.layers.push(new Dense(params, `${name}/layer_${i}`, inDim, inDim));
  }
  name;
  inDim;
  numLayers;
  layers = [];
  /** [B, d] → [B, d]. */
  apply(x0) {
    let x = x0;
    for (const layer of this.layers) x = x0.mul(layer.apply(x)).add(x);
    return x;
  }
};

// sdk/models/dcn-v2.ts
var DCNV2_STRUCTURES = ["parallel", "stacked", "crossnet_only"];
var DCNv2 = {
  name: "DCNv2",
  description: "DCN-V2: full-rank cross layers with an MLP, parallel or stacked (Wang et al., WWW 2021)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS, numCrossLayers: 3, modelStructure: "parallel" },
  build(ctx, hp) {
    integerAtLeast("DCNv2", "numCrossLayers", hp.numCrossLayers, 0);
    const structure = oneOf("DCNv2", "modelStructure", hp.modelStructure, DCNV2_STRUCTURES);
    if (structure !== "crossnet_only" && hp.hiddenUnits.length === 0)
      throw new UserError(`DCNv2.hiddenUnits: modelStructure "${structure}" needs at least one hidden layer (or use "crossnet_only")`);
    const params = new ParamStore(ctx.rng, "DCNv2");
    const embedding = featureEmbedding(ctx, hp);
    const inDim = ctx.numFields * hp.embeddingDim;
    const cross = new CrossNetV2(params, "crossnet", inDim, hp.numCrossLayers);
    const mlp = structure === "crossnet_only" ? null : new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: null, nextSeed: seedStream(ctx.rng) });
    const finalDim = structure === "crossnet_only" ? inDim : structure === "stacked" ? mlp.outDim : inDim + mlp.outDim;
    const fc = new Dense(params, "fc", finalDim, 1);
    return {
      name: "DCNv2",
      tables: [embedding],
      params,
      forward([e], training) {
        const flat = e.reshape([-1, inDim]);
        const crossOut = cross.apply(flat);
        let final = crossOut;
        let hidden = null;
        if (mlp !== null && structure === "stacked") final = hidden = mlp.apply(crossOut, training).hidden;
        else if (mlp !== null) {
          hidden = mlp.apply(flat, training).hidden;
          final = tf10.concat([crossOut, hidden], 1);
        }
        return { logit: fc.apply(final).reshape([-1]), hidden };
      }
    };
  }
};

// sdk/layers/fm.ts
function fmInteraction(e) {
  const sumSquare = e.sum(1).square();
  const squareSum = e.square().sum(1);
  return sumSquare.sub(squareSum).sum(1).mul(0.5);
}
function biInteraction(e) {
  return e.sum(1).square().sub(e.square().sum(1)).mul(0.5);
}

// sdk/layers/linear.ts
var Linear = class {
  bias;
  constructor(params, name) {
    this.bias = params.add(`${name}/bias`, [1], "zeros");
  }
  apply(weights) {
    return weights.sum([1, 2]).add(this.bias);
  }
};

// sdk/models/deepfm.ts
var DeepFM = {
  name: "DeepFM",
  description: "FM and an MLP over shared embeddings (Guo et al., IJCAI 2017)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS },
  build(ctx, hp) {
    const params = new ParamStore(ctx.rng, "DeepFM");
    const embedding = featureEmbedding(ctx, hp);
    const linearWeights = linearEmbedding(ctx, hp);
    const linear = new Linear(params, "linear");
    const inDim = ctx.numFields * hp.embeddingDim;
    const mlp = new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "DeepFM",
      tables: [embedding, linearWeights],
      params,
      forward([e, w], training) {
        const { out, hidden } = mlp.apply(e.reshape([-1, inDim]), training);
        const logit = linear.apply(w).add(fmInteraction(e)).add(out.reshape([-1]));
        return { logit, hidden };
      }
    };
  }
};

// sdk/models/dnn.ts
var DNN = {
  name: "DNN",
  description: "Embedding + MLP (YouTube DNN, Covington et al. 2016); also the distillation student",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS },
  build(ctx, hp) {
    const params = new ParamStore(ctx.rng, "DNN");
    const embedding = featureEmbedding(ctx, hp);
    const inDim = ctx.numFields * hp.embeddingDim;
    const mlp = new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "DNN",
      tables: [embedding],
      params,
      forward([e], training) {
        const { out, hidden } = mlp.apply(e.reshape([-1, inDim]), training);
        return { logit: out.reshape([-1]), hidden };
      }
    };
  }
};

// sdk/layers/bilinear.ts
import * as tf12 from "@tensorflow/tfjs";

// sdk/layers/field-pairs.ts
import * as tf11 from "@tensorflow/tfjs";
var FieldPairs = class {
  constructor(numFields) {
    this.numFields = numFields;
    const f = numFields;
    this.count = f * (f - 1) / 2;
    this.left = new Int32Array(this.count);
    this.right = new Int32Array(this.count);
    this.leftOneHot = new Float32Array(this.count * f);
    this.rightOneHot = new Float32Array(this.count * f);
    let p = 0;
    for (let i = 0; i < f; i++)
      for (let j = i + 1; j < f; j++, p++) {
        this.left[p] = i;
        this.right[p] = j;
        this.leftOneHot[p * f + i] = 1;
        this.rightOneHot[p * f + j] = 1;
      }
  }
  numFields;
  left;
  right;
  count;
  /** One-hot [P, F] matrices, row p selecting left(p) / right(p). */
  leftOneHot;
  rightOneHot;
  /** `leftOneHot` without its last (all-zero) column, made on first use. */
  leftOneHotShort = null;
  /**
   * Rows of the left field of every pair: [F, N] → [P, N]. The last field is never on the left, so x may also
   * hold only fields 0..F−2 ([F−1, N]).
   */
  pickLeft(x) {
    const f = this.numFields;
    if (x.shape[0] === f) return tf11.matMul(tf11.tensor2d(this.leftOneHot, [this.count, f]), x);
    if (x.shape[0] !== f - 1) throw new Error(`FieldPairs.pickLeft: 'x' must have ${f} or ${f - 1} rows, got ${x.shape[0]}`);
    this.leftOneHotShort ??= Float32Array.from({ length: this.count * (f - 1) }, (_, k) => this.leftOneHot[Math.floor(k / (f - 1)) * f + k % (f - 1)]);
    return tf11.matMul(tf11.tensor2d(this.leftOneHotShort, [this.count, f - 1]), x);
  }
  /** Rows of the right field of every pair: [F, N] → [P, N]. */
  pickRight(x) {
    return tf11.matMul(tf11.tensor2d(this.rightOneHot, [this.count, this.numFields]), x);
  }
};
function fieldMajor(e) {
  const [b, f, d] = e.shape;
  return e.transpose([1, 0, 2]).reshape([f, b * d]);
}
function sideBySide(blocks) {
  return blocks.length === 1 ? blocks[0] : tf11.concat(blocks, 1);
}

// sdk/layers/bilinear.ts
var BILINEAR_TYPES = ["field_all", "field_each", "field_interaction"];
var BilinearInteraction = class {
  constructor(params, name, numFields, dim, type = "field_all", groups = 1) {
    this.name = name;
    this.numFields = numFields;
    this.dim = dim;
    this.type = type;
    this.groups = groups;
    if (!BILINEAR_TYPES.includes(type)) throw new Error(`BilinearInteraction: 'type' must be one of ${BILINEAR_TYPES.join(", ")}, got '${String(type)}'`);
    if (!(Number.isInteger(groups) && groups >= 1)) throw new Error(`BilinearInteraction: 'groups' must be an integer >= 1, got ${groups}`);
    this.pairs = new FieldPairs(numFields);
    const g = groups;
    const shape = type === "field_all" ? [g, dim, dim] : type === "field_each" ? [g, numFields - 1, dim, dim] : [g, this.pairs.count, dim, dim];
    this.kernel = this.pairs.count === 0 ? null : params.add(`${name}/kernel`, shape, { normal: Math.sqrt(1 / dim) });
  }
  name;
  numFields;
  dim;
  type;
  groups;
  kernel;
  pairs;
  /** One [B, F, D] input per group → [B, G·P, D]. */
  apply(...inputs) {
    if (inputs.length !== this.groups) throw new Error(`BilinearInteraction.apply: expected ${this.groups} inputs, got ${inputs.length}`);
    const [b, f, d] = inputs[0].shape;
    for (const e of inputs)
      if (e.shape[0] !== b || e.shape[1] !== this.numFields || e.shape[2] !== this.dim)
        throw new Error(`BilinearInteraction.apply: expected inputs [${b}, ${this.numFields}, ${this.dim}], got [${e.shape.join(", ")}]`);
    const p = this.pairs.count;
    const g = this.groups;
    if (p === 0) return tf12.zeros([b, 0, d]);
    const kernel = this.kernel;
    const n = b * d;
    const right = sideBySide(inputs.map(fieldMajor));
    let left;
    if (this.type === "field_all") {
      left = this.pairs.pickLeft(
        sideBySide(inputs.map((e, k) => fieldMajor(tf12.matMul(e.reshape([b * f, d]), kernel.slice([k, 0, 0], [1, d, d]).reshape([d, d])).reshape([b, f, d]))))
      );
    } else if (this.type === "field_each") {
      const projected = inputs.map((e, k) => {
        const lefts = e.transpose([1, 0, 2]).slice([0, 0, 0], [f - 1, b, d]);
        return tf12.matMul(lefts, kernel.slice([k, 0, 0, 0], [1, f - 1, d, d]).reshape([f - 1, d, d])).reshape([f - 1, n]);
      });
      left = this.pairs.pickLeft(sideBySide(projected));
    } else {
      const picked = this.pairs.pickLeft(right).reshape([p * g, b, d]);
      const w = (g === 1 ? kernel : kernel.transpose([1, 0, 2, 3])).reshape([p * g, d, d]);
      left = tf12.matMul(picked, w).reshape([p, g * n]);
    }
    const products = left.mul(this.pairs.pickRight(right));
    return (g === 1 ? products.reshape([p, b, d]).transpose([1, 0, 2]) : products.reshape([p, g, b, d]).transpose([2, 1, 0, 3])).reshape([b, g * p, d]);
  }
};

// sdk/layers/senet.ts
import * as tf13 from "@tensorflow/tfjs";
var SqueezeExcitation = class {
  constructor(params, name, numFields, reductionRatio, activation = "relu") {
    this.name = name;
    this.activation = activation;
    if (!(reductionRatio > 0)) throw new Error(`SqueezeExcitation: 'reductionRatio' of '${name}' must be > 0, got ${reductionRatio}`);
    const reduced = Math.max(1, Math.floor(numFields / reductionRatio));
    this.reduce = new Dense(params, `${name}/W_1`, numFields, reduced, false);
    this.expand = new Dense(params, `${name}/W_2`, reduced, numFields, false);
  }
  name;
  activation;
  reduce;
  expand;
  /** Field weights a, [B, F]. */
  weights(e) {
    const a = this.expand.apply(tf13.relu(this.reduce.apply(e.mean(2))));
    return this.activation === "relu" ? tf13.relu(a) : tf13.sigmoid(a);
  }
  /** [B, F, D] → [B, F, D]. */
  apply(e) {
    return e.mul(this.weights(e).expandDims(2));
  }
};

// sdk/models/fibinet.ts
var FiBiNET = {
  name: "FiBiNET",
  description: "FiBiNET: SENET field importance and bilinear interactions into an MLP (Huang et al., RecSys 2019)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS, reductionRatio: 3, bilinearType: "field_all", excitationActivation: "relu" },
  build(ctx, hp) {
    const bilinearType = oneOf("FiBiNET", "bilinearType", hp.bilinearType, BILINEAR_TYPES);
    const activation = oneOf("FiBiNET", "excitationActivation", hp.excitationActivation, ["relu", "sigmoid"]);
    if (!(hp.reductionRatio > 0)) throw new UserError(`FiBiNET.reductionRatio: expected a number > 0, got ${hp.reductionRatio}`);
    const params = new ParamStore(ctx.rng, "FiBiNET");
    const embedding = featureEmbedding(ctx, hp);
    const linearWeights = linearEmbedding(ctx, hp);
    const linear = new Linear(params, "linear");
    const senet = new SqueezeExcitation(params, "senet", ctx.numFields, hp.reductionRatio, activation);
    const bilinear = new BilinearInteraction(params, "bilinear", ctx.numFields, hp.embeddingDim, bilinearType, 2);
    const inDim = 2 * bilinear.pairs.count * hp.embeddingDim;
    const mlp = new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "FiBiNET",
      tables: [embedding, linearWeights],
      params,
      forward([e, w], training) {
        const pq = bilinear.apply(e, senet.apply(e));
        const { out, hidden } = mlp.apply(pq.reshape([-1, inDim]), training);
        return { logit: linear.apply(w).add(out.reshape([-1])), hidden };
      }
    };
  }
};

// sdk/models/fm.ts
var FM = {
  name: "FM",
  description: "Factorization machine, first and second order (Rendle, ICDM 2010)",
  defaults: { ...EMBEDDING_DEFAULTS },
  build(ctx, hp) {
    const params = new ParamStore(ctx.rng, "FM");
    const embedding = featureEmbedding(ctx, hp);
    const linearWeights = linearEmbedding(ctx, hp);
    const linear = new Linear(params, "linear");
    return {
      name: "FM",
      tables: [embedding, linearWeights],
      params,
      forward([e, w]) {
        return { logit: linear.apply(w).add(fmInteraction(e)), hidden: null };
      }
    };
  }
};

// sdk/models/ipnn.ts
import * as tf15 from "@tensorflow/tfjs";

// sdk/layers/inner-product.ts
import * as tf14 from "@tensorflow/tfjs";
var InnerProductInteraction = class {
  constructor(numFields) {
    this.numFields = numFields;
    this.pairs = new FieldPairs(numFields);
  }
  numFields;
  pairs;
  apply(e) {
    const [b, f, d] = e.shape;
    if (f !== this.numFields) throw new Error(`InnerProductInteraction.apply: expected ${this.numFields} fields, got ${f}`);
    if (f < 2) return tf14.zeros([b, 0]);
    const x = fieldMajor(e);
    const products = this.pairs.pickLeft(x).mul(this.pairs.pickRight(x)).reshape([this.pairs.count, b, d]);
    return products.sum(2).transpose();
  }
};

// sdk/models/ipnn.ts
var IPNN = {
  name: "IPNN",
  description: "Inner-product neural network: embeddings and pairwise inner products into an MLP (Qu et al., ICDM 2016)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS },
  build(ctx, hp) {
    const params = new ParamStore(ctx.rng, "IPNN");
    const embedding = featureEmbedding(ctx, hp);
    const flatDim = ctx.numFields * hp.embeddingDim;
    const inDim = flatDim + ctx.numFields * (ctx.numFields - 1) / 2;
    const innerProduct = new InnerProductInteraction(ctx.numFields);
    const mlp = new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "IPNN",
      tables: [embedding],
      params,
      forward([e], training) {
        const input = tf15.concat([e.reshape([-1, flatDim]), innerProduct.apply(e)], 1);
        const { out, hidden } = mlp.apply(input, training);
        return { logit: out.reshape([-1]), hidden };
      }
    };
  }
};

// sdk/models/lr.ts
var LR = {
  name: "LR",
  description: "Logistic regression, first-order weights only (the classic CTR baseline)",
  defaults: { embeddingRegularizer: EMBEDDING_DEFAULTS.embeddingRegularizer, embeddingInitStd: EMBEDDING_DEFAULTS.embeddingInitStd },
  build(ctx, hp) {
    const params = new ParamStore(ctx.rng, "LR");
    const linearWeights = linearEmbedding(ctx, hp);
    const linear = new Linear(params, "linear");
    return {
      name: "LR",
      tables: [linearWeights],
      params,
      forward([w]) {
        return { logit: linear.apply(w), hidden: null };
      }
    };
  }
};

// sdk/models/nfm.ts
var NFM = {
  name: "NFM",
  description: "Neural factorization machine: bi-interaction pooling into an MLP, plus a linear part (He & Chua, SIGIR 2017)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS },
  build(ctx, hp) {
    const params = new ParamStore(ctx.rng, "NFM");
    const embedding = featureEmbedding(ctx, hp);
    const linearWeights = linearEmbedding(ctx, hp);
    const linear = new Linear(params, "linear");
    const mlp = new Mlp(params, "mlp", hp.embeddingDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "NFM",
      tables: [embedding, linearWeights],
      params,
      forward([e, w], training) {
        const { out, hidden } = mlp.apply(biInteraction(e), training);
        return { logit: linear.apply(w).add(out.reshape([-1])), hidden };
      }
    };
  }
};

// sdk/models/registry.ts
var REGISTRY = /* @__PURE__ */ new Map();
function registerModel(def) {
  if (REGISTRY.has(def.name)) throw new Error(`registerModel: '${def.name}' is registered twice`);
  REGISTRY.set(def.name, def);
}
function listModels() {
  return [...REGISTRY.values()];
}
function sameKind(value, like) {
  if (Array.isArray(like)) return Array.isArray(value) && value.every((v) => typeof v === "number" && Number.isFinite(v));
  if (typeof like === "number") return typeof value === "number" && Number.isFinite(value);
  return typeof value === typeof like;
}
function resolveModel(name, overrides, where) {
  const def = REGISTRY.get(name);
  if (def === void 0) throw new UserError(`${where}.model: unknown model '${name}'; known: ${[...REGISTRY.keys()].join(", ")}`);
  const hp = { ...def.defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (key === "model") continue;
    if (!(key in def.defaults))
      throw new UserError(`${where}.${key}: '${name}' has no hyperparameter '${key}'; it has ${Object.keys(def.defaults).join(", ")}`);
    const like = def.defaults[key];
    if (!sameKind(value, like))
      throw new UserError(`${where}.${key}: expected ${Array.isArray(like) ? "an array of numbers" : `a ${typeof like}`}, got ${JSON.stringify(value)}`);
    hp[key] = value;
  }
  return { def, hp };
}
function buildModel(name, overrides, ctx, where = "model") {
  const { def, hp } = resolveModel(name, overrides, where);
  return def.build(ctx, hp);
}

// sdk/models/wide-deep.ts
var WideDeep = {
  name: "WideDeep",
  description: "Wide&Deep: a linear (wide) part plus an MLP (Cheng et al., DLRS 2016)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS },
  build(ctx, hp) {
    const params = new ParamStore(ctx.rng, "WideDeep");
    const embedding = featureEmbedding(ctx, hp);
    const linearWeights = linearEmbedding(ctx, hp);
    const linear = new Linear(params, "linear");
    const inDim = ctx.numFields * hp.embeddingDim;
    const mlp = new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "WideDeep",
      tables: [embedding, linearWeights],
      params,
      forward([e, w], training) {
        const { out, hidden } = mlp.apply(e.reshape([-1, inDim]), training);
        return { logit: linear.apply(w).add(out.reshape([-1])), hidden };
      }
    };
  }
};

// sdk/layers/cin.ts
import * as tf16 from "@tensorflow/tfjs";
var Cin = class {
  constructor(params, name, numFields, hiddenUnits, outputDim = 1) {
    this.name = name;
    this.numFields = numFields;
    this.hiddenUnits = hiddenUnits;
    if (hiddenUnits.length === 0) throw new Error(`Cin: 'hiddenUnits' of '${name}' must have at least one layer`);
    let prev = numFields;
    hiddenUnits.forEach((units, k) => {
      this.layers.push(new Dense(params, `${name}/layer_${k}`, numFields * prev, units));
      prev = units;
    });
    this.output = new Dense(params, `${name}/output`, hiddenUnits.reduce((a, b) => a + b, 0), outputDim);
  }
  name;
  numFields;
  hiddenUnits;
  layers = [];
  output;
  /** [B, F, D] → [B, outputDim]. */
  apply(e) {
    const [b, f, d] = e.shape;
    const x0 = e.transpose([0, 2, 1]).reshape([b, d, f, 1]);
    let x = e.transpose([0, 2, 1]);
    const pooled = [];
    for (const layer of this.layers) {
      const h = x.shape[2];
      const z = x0.mul(x.reshape([b, d, 1, h])).reshape([b * d, f * h]);
      x = layer.apply(z).reshape([b, d, layer.outDim]);
      pooled.push(x.sum(1));
    }
    return this.output.apply(pooled.length === 1 ? pooled[0] : tf16.concat(pooled, 1));
  }
};

// sdk/models/xdeepfm.ts
var xDeepFM = {
  name: "xDeepFM",
  description: "xDeepFM: linear part, Compressed Interaction Network and an MLP (Lian et al., KDD 2018)",
  defaults: { ...EMBEDDING_DEFAULTS, ...MLP_DEFAULTS, cinHiddenUnits: [32, 32, 32] },
  build(ctx, hp) {
    if (hp.cinHiddenUnits.length === 0 || !hp.cinHiddenUnits.every((u) => Number.isInteger(u) && u >= 1))
      throw new UserError(`xDeepFM.cinHiddenUnits: expected a non-empty array of integers >= 1, got ${JSON.stringify(hp.cinHiddenUnits)}`);
    const params = new ParamStore(ctx.rng, "xDeepFM");
    const embedding = featureEmbedding(ctx, hp);
    const linearWeights = linearEmbedding(ctx, hp);
    const linear = new Linear(params, "linear");
    const cin = new Cin(params, "cin", ctx.numFields, hp.cinHiddenUnits);
    const inDim = ctx.numFields * hp.embeddingDim;
    const mlp = new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "xDeepFM",
      tables: [embedding, linearWeights],
      params,
      forward([e, w], training) {
        const { out, hidden } = mlp.apply(e.reshape([-1, inDim]), training);
        const logit = linear.apply(w).add(cin.apply(e).reshape([-1])).add(out.reshape([-1]));
        return { logit, hidden };
      }
    };
  }
};

// sdk/models/zoo.ts
function registerZoo() {
  registerModel(LR);
  registerModel(FM);
  registerModel(DNN);
  registerModel(WideDeep);
  registerModel(DeepFM);
  registerModel(NFM);
  registerModel(IPNN);
  registerModel(DCN);
  registerModel(DCNv2);
  registerModel(xDeepFM);
  registerModel(AutoIntPlus);
  registerModel(FiBiNET);
}
if (listModels().length === 0) registerZoo();

// sdk/train/step.ts
import * as tf17 from "@tensorflow/tfjs";
function gatherEmbeddings(model, ids2, values2, n, numFields) {
  return model.tables.map((t) => tf17.tensor3d(t.gather(ids2, values2, n * numFields), [n, numFields, t.dim]));
}

// sdk/train/train-teacher.ts
import * as tf20 from "@tensorflow/tfjs";

// sdk/train/dense-optimizer.ts
import * as tf18 from "@tensorflow/tfjs";

// sdk/train/snapshot.ts
import * as tf19 from "@tensorflow/tfjs";

// sdk/train/train-teacher.ts
function bceLoss(logit, labels2) {
  return tf20.losses.sigmoidCrossEntropy(labels2, logit);
}

// speed-tmp2.ts
await selectBackend();
var F = Number(process.env.FIELDS ?? 39);
var B = 1024;
var rows = 100 * F;
var rng = randomSource(1);
var ids = Int32Array.from({ length: B * F }, (_, k) => k % F * 100 + Math.floor(rng.next() * 100));
var values = new Float32Array(B * F).fill(1);
var labels = tf21.tensor1d(Float32Array.from({ length: B }, () => rng.next() < 0.2 ? 1 : 0));
for (const name of (process.env.ONLY ?? "IPNN").split(",")) {
  const model = buildModel(name, JSON.parse(process.env.HP ?? "{}"), { numFields: F, totalRows: rows, rng: randomSource(2) });
  const leaves = tf21.tidy(() => gatherEmbeddings(model, ids, values, B, F)).map((t) => tf21.variable(t));
  const run = () => {
    const { value, grads } = tf21.variableGrads(() => bceLoss(model.forward(leaves, true).logit, labels), [...model.params.trainable(), ...leaves]);
    value.dataSync();
    tf21.dispose([value, ...Object.values(grads)]);
  };
  run();
  const prof = await tf21.profile(run);
  const agg = /* @__PURE__ */ new Map();
  let total = 0;
  for (const k of prof.kernels) {
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    total += ms;
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const a = agg.get(key) ?? { ms: 0, n: 0 };
    a.ms += ms;
    a.n++;
    agg.set(key, a);
  }
  console.log(`== ${name}: ${prof.kernels.length} kernels, ${total.toFixed(0)} ms kernel time`);
  for (const [k, v] of [...agg.entries()].sort((x, y) => y[1].ms - x[1].ms).slice(0, 16)) console.log(`${v.ms.toFixed(1).padStart(8)} ms  x${v.n}  ${k.slice(0, 110)}`);
}
