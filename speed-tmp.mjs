// sdk/backend.ts
import * as tf2 from "@tensorflow/tfjs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// sdk/backend-wasm-fixes.ts
import * as tf from "@tensorflow/tfjs";
var MATMUL_KERNELS = ["BatchMatMul", "_FusedMatMul"];
var patched = false;
function patchWasmBackend() {
  if (patched) return;
  const transpose = tf.getKernel("Transpose", "wasm");
  if (transpose === void 0) throw new Error("wasm backend has no Transpose kernel");
  for (const name of MATMUL_KERNELS) {
    const original = tf.getKernel(name, "wasm");
    if (original === void 0) continue;
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        const attrs = args.attrs;
        if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
        const backend2 = args.backend;
        const inputs = { ...args.inputs };
        const temporaries = [];
        const swapLastTwo = (t) => {
          const rank = t.shape.length;
          const perm = [...Array(rank).keys()];
          perm[rank - 1] = rank - 2;
          perm[rank - 2] = rank - 1;
          const out = transpose.kernelFunc({ inputs: { x: t }, backend: args.backend, attrs: { perm } });
          temporaries.push(out);
          return out;
        };
        if (attrs.transposeA) inputs.a = swapLastTwo(inputs.a);
        if (attrs.transposeB) inputs.b = swapLastTwo(inputs.b);
        const result = original.kernelFunc({ ...args, inputs, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
        for (const t of temporaries) backend2.disposeData(t.dataId);
        return result;
      }
    });
  }
  patched = true;
}

// sdk/errors.ts
var UserError = class extends Error {
  name = "UserError";
};
var DataError = class extends UserError {
  constructor(file, line, field, reason2) {
    super(`${file}:${line}: ${field === null ? "" : `field '${field}': `}${reason2}`);
    this.file = file;
    this.line = line;
    this.field = field;
    this.reason = reason2;
  }
  file;
  line;
  field;
  reason;
  name = "DataError";
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

// sdk/runtime/hash.ts
var FNV_OFFSET = 2166136261;
var FNV_PRIME = 16777619;
function hash32(s) {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i);
    if (c > 65535) i++;
    if (c < 128) {
      h = Math.imul(h ^ c, FNV_PRIME);
    } else if (c < 2048) {
      h = Math.imul(h ^ (192 | c >> 6), FNV_PRIME);
      h = Math.imul(h ^ (128 | c & 63), FNV_PRIME);
    } else if (c < 65536) {
      h = Math.imul(h ^ (224 | c >> 12), FNV_PRIME);
      h = Math.imul(h ^ (128 | c >> 6 & 63), FNV_PRIME);
      h = Math.imul(h ^ (128 | c & 63), FNV_PRIME);
    } else {
      h = Math.imul(h ^ (240 | c >> 18), FNV_PRIME);
      h = Math.imul(h ^ (128 | c >> 12 & 63), FNV_PRIME);
      h = Math.imul(h ^ (128 | c >> 6 & 63), FNV_PRIME);
      h = Math.imul(h ^ (128 | c & 63), FNV_PRIME);
    }
  }
  return h >>> 0;
}

// sdk/runtime/encode.ts
var EncodeError = class extends Error {
  constructor(field, row, reason2) {
    super(`field '${field}': ${reason2}`);
    this.field = field;
    this.row = row;
    this.reason = reason2;
  }
  field;
  row;
  reason;
  name = "EncodeError";
};
function isMissing(raw) {
  return raw === void 0 || raw === null || raw === "";
}
function categoricalKey(spec, raw, row, source) {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" && Number.isFinite(raw) && (source === "text" || Number.isInteger(raw))) return String(raw);
  throw new EncodeError(spec.name, row, `expected a string or an integer, got ${describe(raw)}`);
}
function numericValue(spec, raw, row, source) {
  let x;
  if (typeof raw === "number") x = raw;
  else if (typeof raw === "string" && source === "text") x = raw.trim() === "" ? NaN : Number(raw);
  else throw new EncodeError(spec.name, row, `expected a number, got ${describe(raw)}`);
  if (!Number.isFinite(x)) throw new EncodeError(spec.name, row, `expected a finite number, got ${describe(raw)}`);
  return x;
}
function describe(raw) {
  if (raw === null) return "null";
  if (Array.isArray(raw)) return "an array";
  if (typeof raw === "string") return JSON.stringify(raw.length > 32 ? raw.slice(0, 32) + "\u2026" : raw);
  if (typeof raw === "number") return String(raw);
  return `a ${typeof raw}`;
}
function logSquareKey(x) {
  return String(x > 2 ? Math.floor(Math.log(x) ** 2) : x);
}
function bucketOf(x, boundaries) {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = lo + hi >>> 1;
    if (x >= boundaries[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
function vocabularyIndex(vocab) {
  const index = /* @__PURE__ */ new Map();
  vocab.forEach((v, i) => index.set(v, i + 1));
  return index;
}
function fieldEncoder(spec, source) {
  const base = spec.offset;
  switch (spec.type) {
    case "categorical": {
      const index = vocabularyIndex(spec.vocab);
      const oov = spec.vocab.length + 1;
      return (raw, row, ids, values, at) => {
        ids[at] = base + (isMissing(raw) ? 0 : index.get(categoricalKey(spec, raw, row, source)) ?? oov);
        values[at] = 1;
      };
    }
    case "hashed":
      return (raw, row, ids, values, at) => {
        ids[at] = base + (isMissing(raw) ? 0 : 1 + hash32(categoricalKey(spec, raw, row, source)) % spec.buckets);
        values[at] = 1;
      };
    case "log-square": {
      const index = vocabularyIndex(spec.vocab);
      const oov = spec.vocab.length + 1;
      return (raw, row, ids, values, at) => {
        ids[at] = base + (isMissing(raw) ? 0 : index.get(logSquareKey(numericValue(spec, raw, row, source))) ?? oov);
        values[at] = 1;
      };
    }
    case "quantile":
      return (raw, row, ids, values, at) => {
        ids[at] = base + (isMissing(raw) ? 0 : 1 + bucketOf(numericValue(spec, raw, row, source), spec.boundaries));
        values[at] = 1;
      };
    case "numeric": {
      const { a, b, transform } = spec;
      const scale = transform === "standard" ? (x) => (x - a) / b : transform === "minmax" ? (x) => Math.min(1, Math.max(0, (x - a) / (b - a))) : (x) => x;
      return (raw, row, ids, values, at) => {
        if (isMissing(raw)) {
          ids[at] = base + 1;
          values[at] = 1;
        } else {
          ids[at] = base;
          values[at] = scale(numericValue(spec, raw, row, source));
        }
      };
    }
  }
}
var RowEncoder = class {
  constructor(map, source) {
    this.map = map;
    this.source = source;
    this.names = map.features.map((f) => f.name);
    this.numFields = map.features.length;
    this.encoders = map.features.map((f) => fieldEncoder(f, source));
  }
  map;
  source;
  numFields;
  names;
  encoders;
  /** Encodes row `row` given as cells in feature order into position `r` of `out`. */
  encodeCells(cells, r, out, row = r) {
    const at = r * this.numFields;
    for (let f = 0; f < this.numFields; f++) this.encoders[f](cells[f], row, out.ids, out.values, at + f);
  }
  /** Encodes objects keyed by feature name; absent keys take the feature's missing encoding. */
  encodeObjects(rows2) {
    const n = rows2.length;
    const out = { ids: new Int32Array(n * this.numFields), values: new Float32Array(n * this.numFields), n };
    for (let r = 0; r < n; r++) {
      const obj = rows2[r];
      const at = r * this.numFields;
      for (let f = 0; f < this.numFields; f++) {
        const name = this.names[f];
        const raw = Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : void 0;
        this.encoders[f](raw, r, out.ids, out.values, at + f);
      }
    }
    return out;
  }
};

// sdk/data/readers/types.ts
var BAD_LINES_KEPT = 5;
var BadLines = class {
  constructor(skip) {
    this.skip = skip;
  }
  skip;
  skipped = 0;
  kept = [];
  /** Records `err` if skipping, otherwise throws it. */
  handle(err) {
    if (!this.skip) throw err;
    this.skipped++;
    let at = this.kept.length;
    while (at > 0 && this.kept[at - 1].line > err.line) at--;
    if (at < BAD_LINES_KEPT) {
      this.kept.splice(at, 0, err);
      if (this.kept.length > BAD_LINES_KEPT) this.kept.pop();
    }
  }
  summary() {
    return { skipped: this.skipped, first: this.kept.map((e) => e.message) };
  }
};

// sdk/data/dataset.ts
var PROBABILITY_EPS = 1e-7;
function scoreLogit(cell, kind) {
  const x = cell === void 0 || cell.trim() === "" ? NaN : Number(cell);
  if (!Number.isFinite(x)) return `expected a finite teacher score, got ${JSON.stringify(cell ?? "")}`;
  if (kind === "logit") return x;
  if (x < 0 || x > 1) return `expected a probability in [0, 1], got ${cell}`;
  const p = Math.min(1 - PROBABILITY_EPS, Math.max(PROBABILITY_EPS, x));
  return Math.log(p / (1 - p));
}
var DatasetBuilder = class {
  constructor(encoder, file = "<data>", options = {}, capacity = 1024) {
    this.encoder = encoder;
    this.file = file;
    this.capacity = Math.max(1, capacity);
    const F = encoder.numFields;
    this.ids = new Int32Array(this.capacity * F);
    this.values = new Float32Array(this.capacity * F);
    this.labels = new Float32Array(this.capacity);
    this.lines = new Int32Array(this.capacity);
    this.scoreColumns = options.scores;
    this.scores = new Float32Array(this.capacity * this.scoreDim);
    this.bad = options.bad ?? new BadLines(options.skipBadLines === true);
  }
  encoder;
  file;
  n = 0;
  capacity;
  ids;
  values;
  labels;
  lines;
  scores;
  scoreColumns;
  bad;
  get scoreDim() {
    return this.scoreColumns?.names.length ?? 0;
  }
  grow() {
    const F = this.encoder.numFields;
    this.capacity *= 2;
    const ids = new Int32Array(this.capacity * F);
    ids.set(this.ids);
    const values = new Float32Array(this.capacity * F);
    values.set(this.values);
    const labels = new Float32Array(this.capacity);
    labels.set(this.labels);
    const lines = new Int32Array(this.capacity);
    lines.set(this.lines);
    const scores = new Float32Array(this.capacity * this.scoreDim);
    scores.set(this.scores);
    this.scores = scores;
    this.ids = ids;
    this.values = values;
    this.labels = labels;
    this.lines = lines;
  }
  /** Encodes and appends one record; a cell that does not encode becomes a DataError naming file and line. */
  add(record) {
    if (this.n === this.capacity) this.grow();
    const out = { ids: this.ids, values: this.values, n: this.capacity };
    try {
      this.encoder.encodeCells(record.cells, this.n, out);
    } catch (e) {
      if (!(e instanceof EncodeError)) throw e;
      this.bad.handle(new DataError(this.file, record.line, e.field, e.reason));
      return;
    }
    if (this.scoreColumns !== void 0) {
      const F = this.encoder.numFields;
      const S = this.scoreDim;
      for (let k = 0; k < S; k++) {
        const z = scoreLogit(record.cells[F + k], this.scoreColumns.kind);
        if (typeof z === "string") {
          this.bad.handle(new DataError(this.file, record.line, this.scoreColumns.names[k], z));
          return;
        }
        this.scores[this.n * S + k] = z;
      }
    }
    this.labels[this.n] = record.label;
    this.lines[this.n] = record.line;
    this.n++;
  }
  /** The dataset, trimmed to its rows (copies, so the builder's spare capacity is freed). */
  finish() {
    const F = this.encoder.numFields;
    const n = this.n;
    return {
      n,
      numFields: F,
      ids: this.ids.slice(0, n * F),
      values: this.values.slice(0, n * F),
      labels: this.labels.slice(0, n),
      lines: this.lines.slice(0, n),
      ...this.scoreColumns !== void 0 ? { scores: this.scores.slice(0, n * this.scoreDim) } : {}
    };
  }
};
function encodeRecords(encoder, records, file, options) {
  const b = new DatasetBuilder(encoder, file, options);
  for (const r of records) b.add(r);
  return b.finish();
}
async function encodeRecordStream(encoder, records, file, options) {
  const b = new DatasetBuilder(encoder, file, options);
  for await (const r of records) {
    if (Array.isArray(r)) for (const x of r) b.add(x);
    else b.add(r);
  }
  return b.finish();
}

// sdk/runtime/feature-map.ts
var FEATURE_MAP_FORMAT = "ctr-distill/feature-map";
var FEATURE_MAP_VERSION = 1;

// sdk/data/feature-map-io.ts
import { createHash } from "node:crypto";
function canonicalJson(value) {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value;
  const keys = Object.keys(obj).filter((k) => obj[k] !== void 0).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}
function featureMapId(map) {
  const { id: _ignored, ...rest } = map;
  return createHash("sha256").update(canonicalJson(rest)).digest("hex");
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
function deriveSeed(seed, stream) {
  let h = (seed ^ Math.imul(stream + 1, 2654435761)) >>> 0;
  h = Math.imul(h ^ h >>> 16, 2246822507);
  h = Math.imul(h ^ h >>> 13, 3266489909);
  return (h ^ h >>> 16) >>> 0;
}
function hashUniform(seed, key) {
  return deriveSeed(seed, key) / 4294967296;
}
function randNormal(rand) {
  let u = rand();
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}
function shuffleInPlace(a, rand) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
function zipfSampler(n, s, rand) {
  if (!(n >= 1)) throw new RangeError(`zipfSampler: n must be >= 1, got ${n}`);
  if (s === 0) return () => Math.floor(rand() * n);
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    total += 1 / Math.pow(k + 1, s);
    cdf[k] = total;
  }
  for (let k = 0; k < n; k++) cdf[k] /= total;
  cdf[n - 1] = 1;
  return () => {
    const u = rand();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = lo + hi >>> 1;
      if (u < cdf[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

// sdk/data/feature-map-fit.ts
var DEFAULT_QUANTILES = 10;
var QUANTILE_SAMPLE = 1e5;
function needsNumber(f) {
  return f.type === "numeric" || f.type === "quantile";
}
function vocabulary(counts, minCount) {
  const kept = [...counts].filter(([, c]) => c >= minCount);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return kept.map(([v]) => v);
}
function countTable(key) {
  const counts = /* @__PURE__ */ new Map();
  return {
    counts,
    add(cell, x) {
      const k = key(cell, x);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  };
}
function accumulator(f, index) {
  const minCount = f.minCount ?? 1;
  switch (f.type) {
    case "categorical": {
      const t = countTable((cell) => cell);
      return { add: t.add, spec: (offset) => {
        const vocab = vocabulary(t.counts, minCount);
        return { name: f.name, type: "categorical", offset, size: vocab.length + 2, vocab };
      } };
    }
    case "hashed": {
      if (!Number.isInteger(f.buckets) || f.buckets < 1) throw new UserError(`feature '${f.name}': a hashed feature needs 'buckets' (an integer >= 1)`);
      const buckets = f.buckets;
      return { add: () => {
      }, spec: (offset) => ({ name: f.name, type: "hashed", offset, size: buckets + 1, buckets }) };
    }
    case "numeric": {
      const transform = f.transform ?? "none";
      if (transform === "log-square") {
        const t = countTable((_cell, x) => logSquareKey(x));
        return { add: t.add, spec: (offset) => {
          const vocab = vocabulary(t.counts, minCount);
          return { name: f.name, type: "log-square", offset, size: vocab.length + 2, vocab };
        } };
      }
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
          return { name: f.name, type: "numeric", offset, size: 2, transform, a, b };
        }
      };
    }
    case "quantile": {
      const q = f.quantiles ?? DEFAULT_QUANTILES;
      if (!Number.isInteger(q) || q < 1) throw new UserError(`feature '${f.name}': 'quantiles' must be an integer >= 1, got ${q}`);
      const sample = [];
      let seen = 0;
      const rand = mulberry32(deriveSeed(24301, index));
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
          const boundaries = [];
          for (let k = 1; k < q && sorted.length > 0; k++) {
            const v = sorted[Math.floor(k * sorted.length / q)];
            if (boundaries.length === 0 || v > boundaries[boundaries.length - 1]) boundaries.push(v);
          }
          return { name: f.name, type: "quantile", offset, size: boundaries.length + 3, boundaries };
        }
      };
    }
    default:
      throw new UserError(`feature '${f.name}': unknown type ${JSON.stringify(f.type)}`);
  }
}
var FeatureMapFitter = class {
  constructor(features, label, file = "<train>") {
    this.features = features;
    this.label = label;
    this.file = file;
    if (features.length === 0) throw new UserError("data.features: at least one feature is needed");
    const seen = /* @__PURE__ */ new Set();
    for (const f of features) {
      if (seen.has(f.name)) throw new UserError(`data.features: feature '${f.name}' is listed twice`);
      seen.add(f.name);
    }
    this.accs = features.map(accumulator);
    this.numeric = features.map(needsNumber);
    this.parsed = new Float64Array(features.length);
  }
  features;
  label;
  file;
  accs;
  numeric;
  parsed;
  rows = 0;
  /** Adds one row; a non-numeric cell of a numeric feature throws a DataError before anything is counted. */
  add(cells, line) {
    const F = this.accs.length;
    for (let f = 0; f < F; f++) {
      if (!this.numeric[f]) continue;
      const cell = cells[f];
      if (cell === void 0 || cell === "") continue;
      const x = cell.trim() === "" ? NaN : Number(cell);
      if (!Number.isFinite(x)) throw new DataError(this.file, line, this.features[f].name, `expected a finite number, got ${JSON.stringify(cell)}`);
      this.parsed[f] = x;
    }
    for (let f = 0; f < F; f++) {
      const cell = cells[f];
      if (cell === void 0 || cell === "") continue;
      this.accs[f].add(cell, this.parsed[f]);
    }
    this.rows++;
  }
  finish() {
    let offset = 0;
    const features = [];
    for (const acc of this.accs) {
      const spec = acc.spec(offset);
      features.push(spec);
      offset += spec.size;
    }
    const body = { format: FEATURE_MAP_FORMAT, version: FEATURE_MAP_VERSION, label: this.label, features, totalRows: offset };
    return { ...body, id: featureMapId(body) };
  }
};

// sdk/data/readers/lines.ts
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
var DEFAULT_CHUNK_SIZE = 1 << 20;
async function checkDataFile(file) {
  let info;
  try {
    info = await stat(file);
  } catch (e) {
    const code = e.code;
    throw new UserError(code === "ENOENT" ? `data file not found: ${file}` : `cannot read data file ${file}: ${code ?? String(e)}`);
  }
  if (info.isDirectory()) throw new UserError(`data file is a directory: ${file}`);
  if (info.size === 0) throw new UserError(`data file is empty: ${file}`);
}
async function* readLineChunks(file, chunkSize = DEFAULT_CHUNK_SIZE) {
  await checkDataFile(file);
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: chunkSize });
  let rest = "";
  let next = 1;
  try {
    for await (const chunk of stream) {
      const text = rest + chunk;
      const lines = text.split("\n");
      rest = lines.pop();
      if (lines.length === 0) continue;
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i];
        if (l.endsWith("\r")) lines[i] = l.slice(0, -1);
      }
      yield { first: next, lines };
      next += lines.length;
    }
  } finally {
    stream.destroy();
  }
  if (rest.endsWith("\r")) rest = rest.slice(0, -1);
  if (rest !== "") yield { first: next, lines: [rest] };
}
function isBlank(line) {
  return line.trim() === "";
}

// sdk/data/readers/record-reader.ts
var RecordReader = class {
  constructor(file, options) {
    this.file = file;
    this.options = options;
    this.bad = new BadLines(options.skipBadLines === true);
  }
  file;
  options;
  bad;
  /** Column names of the file once known (header, `columns`, or generated), else null. */
  names = null;
  /** Records in chunks: cheaper to iterate than one await per record. */
  async *chunks() {
    let started = false;
    for await (const { first, lines } of readLineChunks(this.file, this.options.chunkSize)) {
      const out = [];
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        if (isBlank(line)) continue;
        const lineNo = first + i;
        if (!started) {
          started = true;
          if (this.start(line, lineNo)) continue;
        }
        try {
          out.push(this.parse(line, lineNo));
        } catch (e) {
          if (e instanceof DataError) this.bad.handle(e);
          else throw e;
        }
      }
      if (out.length > 0) yield out;
    }
    if (!started) throw new UserError(`data file is empty: ${this.file}`);
  }
  async *records() {
    for await (const chunk of this.chunks()) yield* chunk;
  }
  /** Every record, in memory (tests and small files). */
  async readAll() {
    const all = [];
    for await (const chunk of this.chunks()) for (const r of chunk) all.push(r);
    return all;
  }
  /** Index of column `col` (a name or a 0-based index string) among `count` columns named `names`. */
  resolveColumn(col, names, count) {
    const byName = names === null ? -1 : names.indexOf(col);
    if (byName >= 0) return byName;
    if (/^\d+$/.test(col) && Number(col) < count) return Number(col);
    const known = names === null ? `${count} unnamed columns, use 0-based indices` : `columns: ${names.slice(0, 50).join(", ")}${names.length > 50 ? ", \u2026" : ""}`;
    throw new UserError(`${this.file}: unknown column '${col}' (${known})`);
  }
  /** Name of column `i` for messages. */
  columnName(i) {
    return this.names?.[i] ?? String(i);
  }
  /** 0/1 label of a text cell: exact 0/1, or `x >= labelThreshold` when a threshold is set. */
  parseLabel(cell, lineNo, field) {
    const text = (cell ?? "").trim();
    if (text === "") throw new DataError(this.file, lineNo, field, "missing label");
    const x = Number(text);
    if (!Number.isFinite(x)) throw new DataError(this.file, lineNo, field, `cannot parse label ${JSON.stringify(text)}`);
    const threshold = this.options.labelThreshold;
    if (threshold !== void 0) return x >= threshold ? 1 : 0;
    if (x !== 0 && x !== 1) throw new DataError(this.file, lineNo, field, `label must be 0 or 1, got ${text}`);
    return x;
  }
};

// sdk/data/readers/delimited.ts
function splitQuoted(line, delim, fail) {
  const cells = [];
  const len = line.length;
  let i = 0;
  for (; ; ) {
    if (line[i] === '"') {
      let buf = "";
      let j = i + 1;
      for (; ; ) {
        const k = line.indexOf('"', j);
        if (k < 0) throw fail(cells.length, "unterminated quoted field (quoted line breaks are not supported)");
        buf += line.slice(j, k);
        if (line[k + 1] === '"') {
          buf += '"';
          j = k + 2;
        } else {
          i = k + 1;
          break;
        }
      }
      cells.push(buf);
      if (i === len) return cells;
      if (!line.startsWith(delim, i)) throw fail(cells.length - 1, `unexpected character after a closing quote at column ${i + 1}`);
      i += delim.length;
    } else {
      const k = line.indexOf(delim, i);
      if (k < 0) {
        cells.push(line.slice(i));
        return cells;
      }
      cells.push(line.slice(i, k));
      i = k + delim.length;
    }
    if (i === len) {
      cells.push("");
      return cells;
    }
  }
}
var DelimitedReader = class extends RecordReader {
  delim;
  quoted;
  expected = 0;
  labelIndex = 0;
  selected = [];
  constructor(file, options) {
    super(file, options);
    this.quoted = options.format === "csv";
    this.delim = options.delimiter !== void 0 && options.delimiter !== "" ? options.delimiter : this.quoted ? "," : "	";
    if (options.header === "auto" && options.columns === void 0)
      throw new UserError(`${file}: header "auto" needs 'columns' (the header line to recognise)`);
  }
  split(line, lineNo) {
    if (!this.quoted || !line.includes('"')) return line.split(this.delim);
    return splitQuoted(line, this.delim, (f, reason2) => new DataError(this.file, lineNo, this.columnName(f), reason2));
  }
  start(line, lineNo) {
    const { header, columns } = this.options;
    const cells = this.split(line, lineNo);
    let isHeader = false;
    if (header === true) {
      this.names = cells.map((c) => c.trim());
      isHeader = true;
    } else if (header === "auto") {
      isHeader = cells.length === columns.length && cells.every((c, i) => c.trim() === columns[i]);
      this.names = [...columns];
    } else if (columns !== void 0) {
      this.names = [...columns];
    }
    this.expected = this.names?.length ?? cells.length;
    this.labelIndex = this.resolveColumn(this.options.label, this.names, this.expected);
    this.selected = this.options.select.map((c) => this.resolveColumn(c, this.names, this.expected));
    return isHeader;
  }
  parse(line, lineNo) {
    const cells = this.split(line, lineNo);
    if (cells.length !== this.expected) {
      const field = cells.length < this.expected ? this.columnName(cells.length) : null;
      throw new DataError(this.file, lineNo, field, `has ${cells.length} cells, expected ${this.expected}`);
    }
    const label = this.parseLabel(cells[this.labelIndex], lineNo, this.columnName(this.labelIndex));
    const sel = this.selected;
    const out = new Array(sel.length);
    for (let k = 0; k < sel.length; k++) out[k] = cells[sel[k]];
    return { line: lineNo, label, cells: out };
  }
};

// sdk/data/readers/libsvm.ts
var WHITESPACE = /\s+/;
var LibsvmReader = class extends RecordReader {
  expected = 0;
  selected = [];
  constructor(file, options) {
    super(file, options);
  }
  start(line, _lineNo) {
    const pairs = line.trim().split(WHITESPACE).length - 1;
    this.names = this.options.columns !== void 0 ? [...this.options.columns] : Array.from({ length: pairs }, (_, k) => `f${k + 1}`);
    this.expected = this.names.length;
    this.selected = this.options.select.map((c) => this.resolveColumn(c, this.names, this.expected));
    return false;
  }
  parse(line, lineNo) {
    const tokens = line.trim().split(WHITESPACE);
    const count = tokens.length - 1;
    const labelText = tokens[0];
    const y = Number(labelText);
    let label;
    if (y === 1) label = 1;
    else if (y === 0 || y === -1) label = 0;
    else if (Number.isFinite(y) && labelText !== "")
      throw new DataError(this.file, lineNo, "label", `label must be 1, 0 or -1, got ${labelText}`);
    else throw new DataError(this.file, lineNo, "label", `cannot parse label ${JSON.stringify(labelText)}`);
    if (count !== this.expected) {
      const field = count < this.expected ? this.columnName(count) : null;
      throw new DataError(this.file, lineNo, field, `has ${count} index:value pairs, expected ${this.expected}`);
    }
    const indices = new Array(count);
    for (let k = 0; k < count; k++) {
      const tok = tokens[k + 1];
      const colon = tok.indexOf(":");
      const idx = colon > 0 ? tok.slice(0, colon) : "";
      if (!/^\d+$/.test(idx) || !Number.isFinite(Number(tok.slice(colon + 1))) || tok.slice(colon + 1) === "")
        throw new DataError(this.file, lineNo, this.columnName(k), `bad libsvm token ${JSON.stringify(tok)} (expected index:value)`);
      indices[k] = idx;
    }
    const sel = this.selected;
    const cells = new Array(sel.length);
    for (let k = 0; k < sel.length; k++) cells[k] = indices[sel[k]];
    return { line: lineNo, label, cells };
  }
};

// sdk/data/readers/parquet.ts
var PARQUET_CHUNK_ROWS = 8192;
var UTF8 = new TextDecoder("utf-8", { fatal: false });
function describe2(v) {
  if (Array.isArray(v)) return "a list";
  if (v instanceof Uint8Array) return "bytes";
  return `a ${typeof v}`;
}
function cellText(v, file, row, field) {
  if (v === null || v === void 0) return "";
  switch (typeof v) {
    case "string":
      return v;
    case "number":
    case "bigint":
      return String(v);
    case "boolean":
      return v ? "1" : "0";
  }
  if (v instanceof Date) return String(v.getTime());
  if (v instanceof Uint8Array) return UTF8.decode(v);
  throw new DataError(file, row, field, `unsupported parquet value (${describe2(v)}); only flat scalar columns can be read`);
}
function reason(e) {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}
var ParquetReader = class extends RecordReader {
  constructor(file, options) {
    super(file, options);
  }
  // Parquet is not line-based: `chunks` below replaces the line machinery these hooks serve.
  start() {
    throw new Error("ParquetReader.start: parquet is not read by lines");
  }
  parse() {
    throw new Error("ParquetReader.parse: parquet is not read by lines");
  }
  async *chunks() {
    await checkDataFile(this.file);
    const hp = await import("hyparquet");
    const buffer = await hp.asyncBufferFromFile(this.file);
    let metadata;
    try {
      metadata = await hp.parquetMetadataAsync(buffer);
    } catch (e) {
      throw new UserError(`${this.file}: not a readable parquet file (${reason(e)})`);
    }
    const top = hp.parquetSchema(metadata).children;
    const names = top.map((c) => c.element.name);
    this.names = names;
    const labelIndex = this.resolveColumn(this.options.label, names, names.length);
    const selected = this.options.select.map((c) => this.resolveColumn(c, names, names.length));
    const needed = [.../* @__PURE__ */ new Set([labelIndex, ...selected])];
    for (const i of needed) {
      const col = top[i];
      if (col.children.length > 0 || col.element.repetition_type === "REPEATED")
        throw new UserError(`${this.file}: column '${names[i]}' is nested (a list, map or struct); only flat scalar columns can be read`);
    }
    if (Number(metadata.num_rows) === 0) throw new UserError(`data file is empty: ${this.file}`);
    const neededNames = needed.map((i) => names[i]);
    const slot = new Map(needed.map((i, k) => [names[i], k]));
    const labelSlot = slot.get(names[labelIndex]);
    const selSlots = selected.map((i) => slot.get(names[i]));
    const labelName = names[labelIndex];
    const selNames = selected.map((i) => names[i]);
    let groupStart = 0;
    for (const [g, group] of metadata.row_groups.entries()) {
      const rows2 = Number(group.num_rows);
      if (rows2 === 0) continue;
      const data2 = neededNames.map(() => new Array(rows2));
      try {
        await hp.parquetRead({
          file: buffer,
          metadata,
          columns: neededNames,
          rowStart: groupStart,
          rowEnd: groupStart + rows2,
          onChunk: ({ columnName, columnData, rowStart }) => {
            const out = data2[slot.get(columnName)];
            const at = rowStart - groupStart;
            for (let i = 0; i < columnData.length && at + i < rows2; i++) out[at + i] = columnData[i];
          }
        });
      } catch (e) {
        throw new UserError(`${this.file}: cannot read parquet row group ${g}: ${reason(e)}`);
      }
      for (let from = 0; from < rows2; from += PARQUET_CHUNK_ROWS) {
        const to = Math.min(rows2, from + PARQUET_CHUNK_ROWS);
        const out = [];
        for (let r = from; r < to; r++) {
          const row = groupStart + r + 1;
          try {
            const label = this.parseLabel(cellText(data2[labelSlot][r], this.file, row, labelName), row, labelName);
            const cells = new Array(selSlots.length);
            for (let k = 0; k < selSlots.length; k++) cells[k] = cellText(data2[selSlots[k]][r], this.file, row, selNames[k]);
            out.push({ line: row, label, cells });
          } catch (e) {
            if (e instanceof DataError) this.bad.handle(e);
            else throw e;
          }
        }
        if (out.length > 0) yield out;
      }
      groupStart += rows2;
    }
  }
};

// sdk/data/readers/index.ts
function openRecords(file, options) {
  switch (options.format) {
    case "csv":
    case "tsv":
      return new DelimitedReader(file, options);
    case "libsvm":
      return new LibsvmReader(file, options);
    case "parquet":
      return new ParquetReader(file, options);
    default:
      throw new UserError(`data.format: "${String(options.format)}" is not supported by the readers (csv, tsv, libsvm, parquet)`);
  }
}

// sdk/metrics/auc.ts
function checkInputs(fn, labels, preds) {
  if (labels.length !== preds.length)
    throw new RangeError(`${fn}: 'labels' has ${labels.length} entries but 'preds' has ${preds.length}`);
  if (labels.length === 0) throw new RangeError(`${fn}: no samples`);
}
function auc(labels, preds) {
  checkInputs("auc", labels, preds);
  const n = labels.length;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y === 1) pos++;
    else if (y !== 0) throw new RangeError(`auc: label ${i} must be 0 or 1, got ${y}`);
    if (Number.isNaN(preds[i])) throw new RangeError(`auc: prediction ${i} is NaN`);
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0)
    throw new RangeError(`auc: needs both classes, got ${pos} positive and ${neg} negative labels`);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => preds[a] - preds[b]);
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    const p = preds[order[i]];
    let j = i + 1;
    while (j < n && preds[order[j]] === p) j++;
    const avgRank = (i + 1 + j) / 2;
    let posInTie = 0;
    for (let k = i; k < j; k++) posInTie += labels[order[k]];
    rankSum += avgRank * posInTie;
    i = j;
  }
  return (rankSum - pos * (pos + 1) / 2) / (pos * neg);
}

// sdk/metrics/logloss.ts
var LOGLOSS_EPS = 1e-7;
function logloss(labels, preds) {
  if (labels.length !== preds.length)
    throw new RangeError(`logloss: 'labels' has ${labels.length} entries but 'preds' has ${preds.length}`);
  const n = labels.length;
  if (n === 0) throw new RangeError("logloss: no samples");
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    const raw = preds[i];
    if (Number.isNaN(raw)) throw new RangeError(`logloss: prediction ${i} is NaN`);
    if (y !== 0 && y !== 1) throw new RangeError(`logloss: label ${i} must be 0 or 1, got ${y}`);
    const p = Math.min(1 - LOGLOSS_EPS, Math.max(LOGLOSS_EPS, raw));
    sum -= y === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / n;
}

// sdk/data/synthetic.ts
var FACTOR_DIM = 4;
var FIRST_ORDER_STD = 0.8;
var INTERACTION_STD = 0.6;
var BIAS_SAMPLE = 2e4;
function syntheticFieldNames(fields2) {
  return Array.from({ length: fields2 }, (_, f) => `C${f + 1}`);
}
function syntheticFeatures(cfg) {
  return syntheticFieldNames(cfg.fields).map((name) => ({ name, type: "categorical", minCount: 1 }));
}
function check(cfg) {
  const bad = (key, want, got) => {
    throw new UserError(`data.synthetic.${key}: expected ${want}, got ${JSON.stringify(got)}`);
  };
  if (!Number.isInteger(cfg.fields) || cfg.fields < 1) bad("fields", "an integer >= 1", cfg.fields);
  if (!Number.isInteger(cfg.vocabSize) || cfg.vocabSize < 1) bad("vocabSize", "an integer >= 1", cfg.vocabSize);
  const maxPairs = cfg.fields * (cfg.fields - 1) / 2;
  if (!Number.isInteger(cfg.interactions) || cfg.interactions < 0 || cfg.interactions > maxPairs)
    bad("interactions", `an integer in 0..${maxPairs} (field pairs)`, cfg.interactions);
  if (!(cfg.zipf >= 0)) bad("zipf", "a number >= 0", cfg.zipf);
  if (!(cfg.ctr > 0 && cfg.ctr < 1)) bad("ctr", "a number in (0, 1)", cfg.ctr);
  for (const k of ["train", "valid", "test"]) {
    const n = cfg.rows?.[k];
    if (!Number.isInteger(n) || n < 1) bad(`rows.${k}`, "an integer >= 1", n);
  }
}
function sigmoid(z) {
  return 1 / (1 + Math.exp(-z));
}
function solveBias(scores, n, ctr) {
  let lo = -30;
  let hi = 30;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    let m = 0;
    for (let i = 0; i < n; i++) m += sigmoid(mid + scores[i]);
    if (m / n < ctr) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
function generateSynthetic(cfg) {
  check(cfg);
  const { fields: F, vocabSize: V } = cfg;
  const paramRand = mulberry32(deriveSeed(cfg.seed, 1));
  const dataRand = mulberry32(deriveSeed(cfg.seed, 2));
  const labelRand = mulberry32(deriveSeed(cfg.seed, 3));
  const w1Std = FIRST_ORDER_STD / Math.sqrt(F);
  const first = new Float64Array(F * V);
  for (let i = 0; i < first.length; i++) first[i] = w1Std * randNormal(paramRand);
  const allPairs = [];
  for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) allPairs.push([i, j]);
  const pairs = [];
  for (let k = 0; k < cfg.interactions; k++) {
    const pick = k + Math.floor(paramRand() * (allPairs.length - k));
    [allPairs[k], allPairs[pick]] = [allPairs[pick], allPairs[k]];
    pairs.push(allPairs[k]);
  }
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const uStd = Math.sqrt(INTERACTION_STD / Math.sqrt(FACTOR_DIM));
  const factors = /* @__PURE__ */ new Map();
  for (const [i, j] of pairs)
    for (const f of [i, j])
      if (!factors.has(f)) {
        const u = new Float64Array(V * FACTOR_DIM);
        for (let k = 0; k < u.length; k++) u[k] = uStd * randNormal(paramRand);
        factors.set(f, u);
      }
  const rankToValue = [];
  for (let f = 0; f < F; f++) {
    const perm = new Int32Array(V);
    for (let v = 0; v < V; v++) perm[v] = v;
    for (let v = V - 1; v > 0; v--) {
      const j = Math.floor(paramRand() * (v + 1));
      const t = perm[v];
      perm[v] = perm[j];
      perm[j] = t;
    }
    rankToValue.push(perm);
  }
  const total = cfg.rows.train + cfg.rows.valid + cfg.rows.test;
  const sample = zipfSampler(V, cfg.zipf, dataRand);
  const values = new Int32Array(total * F);
  const scores = new Float64Array(total);
  for (let r = 0; r < total; r++) {
    const at = r * F;
    let s = 0;
    for (let f = 0; f < F; f++) {
      const v = rankToValue[f][sample()];
      values[at + f] = v;
      s += first[f * V + v];
    }
    for (const [i, j] of pairs) {
      const ui = factors.get(i);
      const uj = factors.get(j);
      const a = values[at + i] * FACTOR_DIM;
      const b = values[at + j] * FACTOR_DIM;
      for (let k = 0; k < FACTOR_DIM; k++) s += ui[a + k] * uj[b + k];
    }
    scores[r] = s;
  }
  const bias = solveBias(scores, Math.min(total, BIAS_SAMPLE), cfg.ctr);
  const names = [];
  for (let v = 0; v < V; v++) names.push(`v${v}`);
  const split = (from, n) => {
    const rows2 = new Array(n);
    const labels = new Float32Array(n);
    const probs = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const g = from + r;
      const row = new Array(F);
      for (let f = 0; f < F; f++) row[f] = names[values[g * F + f]];
      rows2[r] = row;
      const p = sigmoid(bias + scores[g]);
      probs[r] = p;
      labels[r] = labelRand() < p ? 1 : 0;
    }
    return { rows: rows2, labels, probs };
  };
  const train = split(0, cfg.rows.train);
  const valid = split(cfg.rows.train, cfg.rows.valid);
  const test = split(cfg.rows.train + cfg.rows.valid, cfg.rows.test);
  let bayes;
  try {
    bayes = { auc: auc(test.labels, test.probs), logloss: logloss(test.labels, test.probs) };
  } catch (e) {
    throw new UserError(`data.synthetic: the test split (${cfg.rows.test} rows) has only one class; use more rows`);
  }
  return { fields: syntheticFieldNames(F), train, valid, test, pairs, bias, bayes };
}

// sdk/data/prepare.ts
var PARTS = ["train", "valid", "test"];
function columnOf(f) {
  return f.column ?? f.name;
}
function summaryLine(p) {
  return `data: train ${p.train.n} rows, valid ${p.valid.n} rows, test ${p.test.n} rows; feature map ${p.featureMap.features.length} fields, ${p.featureMap.totalRows} embedding rows`;
}
function checkNonEmpty(p) {
  for (const part of PARTS) if (p[part].n === 0) throw new UserError(`data: the ${part} split has no rows`);
}
function prepareSynthetic(data2) {
  const cfg = data2.synthetic;
  const gen = generateSynthetic(cfg);
  const features = data2.features !== void 0 && data2.features.length > 0 ? data2.features : syntheticFeatures(cfg);
  const cols = features.map((f) => {
    const i = gen.fields.indexOf(columnOf(f));
    if (i < 0) throw new UserError(`data.features: '${columnOf(f)}' is not a synthetic field (C1..C${cfg.fields})`);
    return i;
  });
  const records = (part) => gen[part].rows.map((row, r) => ({ line: r + 1, label: gen[part].labels[r], cells: cols.map((c) => row[c]) }));
  const fitter = new FeatureMapFitter(features, data2.label || "click", "<synthetic train>");
  const train = records("train");
  for (const rec of train) fitter.add(rec.cells, rec.line);
  const featureMap = fitter.finish();
  const encoder = new RowEncoder(featureMap, "text");
  return {
    featureMap,
    train: encodeRecords(encoder, train, "<synthetic train>"),
    valid: encodeRecords(encoder, records("valid"), "<synthetic valid>"),
    test: encodeRecords(encoder, records("test"), "<synthetic test>"),
    bayes: gen.bayes
  };
}
function readerOptions(data2, skipBadLines) {
  if (data2.format !== "csv" && data2.format !== "tsv" && data2.format !== "libsvm" && data2.format !== "parquet")
    throw new UserError(`data.format: "${data2.format}" is not supported yet (csv, tsv, libsvm, parquet)`);
  const textual = data2.format !== "parquet";
  return {
    format: data2.format,
    delimiter: data2.delimiter,
    // With `columns`, a header line is recognised per file, so a train file with a header and valid/test
    // files without one (Avazu's sample) share one configuration.
    header: data2.format === "libsvm" || !textual ? false : data2.header && data2.columns !== void 0 ? "auto" : data2.header,
    ...data2.columns !== void 0 && textual ? { columns: data2.columns } : {},
    label: data2.label,
    select: [...data2.features.map(columnOf), ...data2.teacherScores?.columns ?? []],
    ...data2.labelThreshold !== void 0 ? { labelThreshold: data2.labelThreshold } : {},
    skipBadLines
  };
}
function splitPlan(data2, seed) {
  const drawn = PARTS.filter((p) => p !== "train" && data2[p] === void 0);
  if (drawn.length === 0) {
    if (data2.split !== void 0 && (data2.split[1] > 0 || data2.split[2] > 0))
      throw new UserError("data.split: valid and test have their own files; drop 'split' or set their fractions to 0");
    return () => "train";
  }
  if (data2.split === void 0)
    throw new UserError(`data: no ${drawn.join(" or ")} file; give ${drawn.map((p) => `'${p}'`).join(" and ")} or a 'split'`);
  const frac = { train: data2.split[0], valid: data2.split[1], test: data2.split[2] };
  for (const p of PARTS) {
    if (p !== "train" && data2[p] !== void 0 && frac[p] > 0)
      throw new UserError(`data.split: '${p}' has its own file, so its fraction must be 0 (got ${frac[p]})`);
    if ((p === "train" || drawn.includes(p)) && !(frac[p] > 0))
      throw new UserError(`data.split: the ${p} fraction must be > 0 (got ${frac[p]})`);
  }
  const total = frac.train + drawn.reduce((s, p) => s + frac[p], 0);
  const cut1 = frac.train / total;
  const cut2 = cut1 + (drawn.includes("valid") ? frac.valid / total : 0);
  return (line) => {
    const u = hashUniform(seed, line);
    return u < cut1 ? "train" : u < cut2 && drawn.includes("valid") ? "valid" : drawn.includes("test") ? "test" : "valid";
  };
}
async function prepareFiles(data2, opts) {
  if (data2.train === void 0) throw new UserError("data.train: a training file (or data.synthetic) is needed");
  const skip = opts.skipBadLines === true;
  const ro = readerOptions(data2, skip);
  const assign = splitPlan(data2, opts.seed);
  const trainFile = data2.train;
  const fitter = new FeatureMapFitter(data2.features, data2.label, trainFile);
  const fitBad = new BadLines(skip);
  for await (const chunk of openRecords(trainFile, ro).chunks())
    for (const rec of chunk) {
      if (assign(rec.line) !== "train") continue;
      try {
        fitter.add(rec.cells, rec.line);
      } catch (e) {
        if (e instanceof DataError) fitBad.handle(e);
        else throw e;
      }
    }
  if (fitter.rows === 0) throw new UserError(`${trainFile}: no training rows`);
  const featureMap = fitter.finish();
  const encoder = new RowEncoder(featureMap, "text");
  const scores = data2.teacherScores === void 0 ? {} : { scores: { names: data2.teacherScores.columns, kind: data2.teacherScores.kind } };
  const skipped = [];
  const note = (file, bad) => {
    if (bad.skipped > 0) skipped.push({ file, ...bad.summary() });
  };
  const trainReader = openRecords(trainFile, ro);
  const builders = Object.fromEntries(
    PARTS.map((p) => [p, new DatasetBuilder(encoder, trainFile, { bad: trainReader.bad, ...scores }, 4096)])
  );
  for await (const chunk of trainReader.chunks()) for (const rec of chunk) builders[assign(rec.line)].add(rec);
  note(trainFile, trainReader.bad);
  const out = { train: builders.train.finish(), valid: builders.valid.finish(), test: builders.test.finish() };
  for (const p of ["valid", "test"]) {
    const file = data2[p];
    if (file === void 0) continue;
    const reader = openRecords(file, ro);
    out[p] = await encodeRecordStream(encoder, reader.chunks(), file, { bad: reader.bad, ...scores });
    note(file, reader.bad);
  }
  return { featureMap, ...out, ...skipped.length > 0 ? { skipped } : {} };
}
async function prepareData(data2, opts) {
  const prepared = data2.synthetic !== void 0 ? prepareSynthetic(data2) : await prepareFiles(data2, opts);
  checkNonEmpty(prepared);
  const log = opts.log ?? (() => {
  });
  log(summaryLine(prepared));
  if (prepared.bayes !== void 0)
    log(`data: synthetic test split Bayes-optimal AUC ${prepared.bayes.auc.toFixed(4)}, logloss ${prepared.bayes.logloss.toFixed(4)}`);
  for (const s of prepared.skipped ?? []) log(`data: ${s.file}: skipped ${s.skipped} bad lines, first: ${s.first.join("; ")}`);
  return prepared;
}

// sdk/log.ts
var silentLogger = () => {
};
function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
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

// sdk/layers/random.ts
function glorotUniform(rng, fanIn, fanOut, size) {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}
function normalValues(rng, std, size) {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.normal() * std;
  return out;
}
function randomSource(seed) {
  const rand = mulberry32(seed);
  return { next: rand, normal: () => randNormal(rand) };
}

// sdk/layers/embedding-table.ts
var EmbeddingTable = class {
  constructor(name, rows2, dim, rng, initStd, l2) {
    this.name = name;
    this.rows = rows2;
    this.dim = dim;
    this.l2 = l2;
    this.weights = normalValues(rng, initStd, rows2 * dim);
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
  gather(ids, values, count, out = new Float32Array(count * this.dim)) {
    const d = this.dim;
    for (let i = 0; i < count; i++) {
      const src = ids[i] * d;
      const v = values[i];
      const dst = i * d;
      for (let k = 0; k < d; k++) out[dst + k] = this.weights[src + k] * v;
    }
    return out;
  }
  /**
   * Applies the gradient of the loss with respect to the gathered (scaled) rows, `grad` shaped like `gather`'s
   * output, with `scale` folded in (gradient clipping). Only touched rows change.
   */
  applyGradient(ids, values, count, grad, opt, scale = 1) {
    const d = this.dim;
    const touched = [];
    for (let i = 0; i < count; i++) {
      const row = ids[i];
      if (this.touchedMark[row] === 0) {
        this.touchedMark[row] = 1;
        touched.push(row);
      }
      const g = values[i] * scale;
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
  constructor(rng, scope = "model") {
    this.rng = rng;
    this.prefix = `${scope}#${storeCounter++}/`;
  }
  rng;
  vars = /* @__PURE__ */ new Map();
  /** tfjs variable names are global: a per-store prefix keeps two models of one kind apart. */
  prefix;
  add(name, shape, init, trainable = true) {
    if (this.vars.has(name)) throw new Error(`ParamStore.add: parameter '${name}' already exists`);
    const size = shape.reduce((a, b) => a * b, 1);
    let values;
    if (init === "zeros") values = new Float32Array(size);
    else if (init === "ones") values = new Float32Array(size).fill(1);
    else if (init === "glorot") {
      const fanIn = shape.length >= 2 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : size;
      const fanOut = shape[shape.length - 1] ?? 1;
      values = glorotUniform(this.rng, fanIn, fanOut, size);
    } else values = normalValues(this.rng, init.normal, size);
    const v = tf7.variable(tf7.tensor(values, shape, "float32"), trainable, this.prefix + name);
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
function seedStream(rng) {
  return () => Math.floor(rng.next() * 2 ** 31);
}
function countParams(model) {
  return model.tables.reduce((n, t) => n + t.rows * t.dim, 0) + model.params.count();
}
function disposeModel(model) {
  model.params.dispose();
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

// sdk/models/fibinet.ts
import * as tf13 from "@tensorflow/tfjs";

// sdk/layers/bilinear.ts
import * as tf11 from "@tensorflow/tfjs";
var BILINEAR_TYPES = ["field_all", "field_each", "field_interaction"];
var BilinearInteraction = class {
  constructor(params, name, numFields, dim, type = "field_all") {
    this.name = name;
    this.numFields = numFields;
    this.dim = dim;
    this.type = type;
    const f = numFields;
    const init = { normal: Math.sqrt(1 / dim) };
    this.numPairs = f * (f - 1) / 2;
    if (type === "field_all") this.kernels.push(params.add(`${name}/kernel`, [dim, dim], init));
    else if (type === "field_each") {
      if (f > 1) this.kernels.push(params.add(`${name}/kernel`, [f - 1, dim, dim], init));
    } else if (type === "field_interaction") {
      for (let i = 0; i < f - 1; i++) this.kernels.push(params.add(`${name}/kernel_${i}`, [dim, (f - 1 - i) * dim], init));
    } else throw new Error(`BilinearInteraction: 'type' must be one of ${BILINEAR_TYPES.join(", ")}, got '${String(type)}'`);
  }
  name;
  numFields;
  dim;
  type;
  kernels = [];
  numPairs;
  /** [B, F, D] → [B, F(F−1)/2, D]. */
  apply(e) {
    const [b, f, d] = e.shape;
    if (f < 2) return tf11.zeros([b, 0, d]);
    const parts = [];
    if (this.type === "field_interaction") {
      for (let i = 0; i < f - 1; i++) {
        const n = f - 1 - i;
        const left = tf11.matMul(e.slice([0, i, 0], [b, 1, d]).reshape([b, d]), this.kernels[i]).reshape([b, n, d]);
        parts.push(left.mul(e.slice([0, i + 1, 0], [b, n, d])));
      }
    } else {
      const lefts = e.slice([0, 0, 0], [b, f - 1, d]);
      const projected = this.type === "field_all" ? tf11.matMul(lefts.reshape([b * (f - 1), d]), this.kernels[0]).reshape([b, f - 1, d]) : tf11.matMul(lefts.transpose([1, 0, 2]), this.kernels[0]).transpose([1, 0, 2]);
      for (let i = 0; i < f - 1; i++) parts.push(projected.slice([0, i, 0], [b, 1, d]).mul(e.slice([0, i + 1, 0], [b, f - 1 - i, d])));
    }
    return parts.length === 1 ? parts[0] : tf11.concat(parts, 1);
  }
};

// sdk/layers/senet.ts
import * as tf12 from "@tensorflow/tfjs";
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
    const a = this.expand.apply(tf12.relu(this.reduce.apply(e.mean(2))));
    return this.activation === "relu" ? tf12.relu(a) : tf12.sigmoid(a);
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
    const bilinearP = new BilinearInteraction(params, "bilinear_p", ctx.numFields, hp.embeddingDim, bilinearType);
    const bilinearQ = new BilinearInteraction(params, "bilinear_q", ctx.numFields, hp.embeddingDim, bilinearType);
    const inDim = 2 * bilinearP.numPairs * hp.embeddingDim;
    const mlp = new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "FiBiNET",
      tables: [embedding, linearWeights],
      params,
      forward([e, w], training) {
        const p = bilinearP.apply(e);
        const q = bilinearQ.apply(senet.apply(e));
        const { out, hidden } = mlp.apply(tf13.concat([p, q], 1).reshape([-1, inDim]), training);
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
function innerProductInteraction(e) {
  const [b, f] = e.shape;
  if (f < 2) return tf14.zeros([b, 0]);
  const gram = tf14.matMul(e, e, false, true);
  const rows2 = [];
  for (let i = 0; i < f - 1; i++) rows2.push(gram.slice([0, i, i + 1], [b, 1, f - 1 - i]).reshape([b, f - 1 - i]));
  return rows2.length === 1 ? rows2[0] : tf14.concat(rows2, 1);
}

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
    const mlp = new Mlp(params, "mlp", inDim, hp.hiddenUnits, { dropout: hp.netDropout, batchNorm: hp.batchNorm, outputDim: 1, nextSeed: seedStream(ctx.rng) });
    return {
      name: "IPNN",
      tables: [embedding],
      params,
      forward([e], training) {
        const input = tf15.concat([e.reshape([-1, flatDim]), innerProductInteraction(e)], 1);
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

// sdk/train/train-teacher.ts
import * as tf20 from "@tensorflow/tfjs";

// sdk/train/evaluate.ts
function sigmoid3(z) {
  return 1 / (1 + Math.exp(-z));
}
function probabilities(logits) {
  return logits.map(sigmoid3);
}
function evaluateLogits(labels, logits) {
  const p = probabilities(logits);
  return { auc: auc(labels, p), logloss: logloss(labels, p) };
}

// sdk/data/batches.ts
function checkBatchSize(fn, batchSize) {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${fn}: 'batchSize' must be an integer >= 1, got ${batchSize}`);
}
function* shuffledBatches(ds, batchSize, rand) {
  checkBatchSize("shuffledBatches", batchSize);
  const F = ds.numFields;
  const order = new Int32Array(ds.n);
  for (let i = 0; i < ds.n; i++) order[i] = i;
  shuffleInPlace(order, rand);
  const ids = new Int32Array(batchSize * F);
  const values = new Float32Array(batchSize * F);
  const labels = new Float32Array(batchSize);
  for (let start = 0; start < ds.n; start += batchSize) {
    const n = Math.min(batchSize, ds.n - start);
    const index = order.subarray(start, start + n);
    for (let k = 0; k < n; k++) {
      const r = index[k];
      ids.set(ds.ids.subarray(r * F, r * F + F), k * F);
      values.set(ds.values.subarray(r * F, r * F + F), k * F);
      labels[k] = ds.labels[r];
    }
    yield n === batchSize ? { ids, values, labels, n, index } : { ids: ids.subarray(0, n * F), values: values.subarray(0, n * F), labels: labels.subarray(0, n), n, index };
  }
}

// sdk/train/dense-optimizer.ts
import * as tf17 from "@tensorflow/tfjs";
var DenseOptimizer = class {
  constructor(config) {
    this.config = config;
  }
  config;
  slots = /* @__PURE__ */ new Map();
  step = 0;
  apply(pairs, scale = 1) {
    this.step++;
    const { kind, beta1, beta2, epsilon, learningRate, initialAccumulator } = this.config;
    const lr = kind === "adam" ? learningRate * Math.sqrt(1 - beta2 ** this.step) / (1 - beta1 ** this.step) : learningRate;
    for (const [variable4, grad] of pairs) {
      let s = this.slots.get(variable4);
      if (s === void 0) {
        const init = kind === "adagrad" ? initialAccumulator : 0;
        s = { m: tf17.variable(tf17.zerosLike(variable4), false), v: tf17.variable(tf17.fill(variable4.shape, init), false) };
        this.slots.set(variable4, s);
      }
      const slots = s;
      tf17.tidy(() => {
        const g = scale === 1 ? grad : grad.mul(scale);
        if (kind === "adam") {
          const m = slots.m.mul(beta1).add(g.mul(1 - beta1));
          const v = slots.v.mul(beta2).add(g.square().mul(1 - beta2));
          slots.m.assign(m);
          slots.v.assign(v);
          variable4.assign(variable4.sub(m.mul(lr).div(v.sqrt().add(epsilon))));
        } else {
          const acc = slots.v.add(g.square());
          slots.v.assign(acc);
          variable4.assign(variable4.sub(g.mul(lr).div(acc.sqrt().add(epsilon))));
        }
      });
    }
  }
  dispose() {
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
  }
};

// sdk/train/progress.ts
var INTERVAL_S = 2;
var EpochProgress = class {
  constructor(log, label, totalRows, tty = process.stderr.isTTY === true) {
    this.log = log;
    this.label = label;
    this.totalRows = totalRows;
    this.tty = tty;
  }
  log;
  label;
  totalRows;
  tty;
  start = performance.now();
  last = this.start;
  lossSum = 0;
  steps = 0;
  rows = 0;
  step(rows2, loss) {
    this.rows += rows2;
    this.steps++;
    this.lossSum += loss;
    const now = performance.now();
    if (now - this.last < INTERVAL_S * 1e3) return;
    this.last = now;
    const line = this.line(now);
    if (this.tty) process.stderr.write(`\r${line}\x1B[K`);
    else this.log(line);
  }
  /** Ends the epoch; returns its mean training loss and throughput. */
  finish() {
    if (this.tty) process.stderr.write("\r\x1B[K");
    const seconds = (performance.now() - this.start) / 1e3;
    return { loss: this.lossSum / Math.max(1, this.steps), rowsPerSecond: this.rows / seconds, seconds };
  }
  line(now) {
    const seconds = (now - this.start) / 1e3;
    const rate = this.rows / seconds;
    const pct = (100 * this.rows / this.totalRows).toFixed(0).padStart(3);
    const eta = formatDuration((this.totalRows - this.rows) / rate);
    return `  ${this.label} ${pct}% step ${this.steps}, ${Math.round(rate)} rows/s, ETA ${eta}, loss ${(this.lossSum / this.steps).toFixed(4)}`;
  }
};

// sdk/train/snapshot.ts
import * as tf18 from "@tensorflow/tfjs";
function takeSnapshot(model) {
  return {
    tables: model.tables.map((t) => t.weights.slice()),
    dense: model.params.entries().map(([, v]) => v.dataSync().slice())
  };
}
function restoreSnapshot(model, snap) {
  model.tables.forEach((t, i) => t.weights.set(snap.tables[i]));
  model.params.entries().forEach(([, v], i) => {
    tf18.tidy(() => v.assign(tf18.tensor(snap.dense[i], v.shape, "float32")));
  });
}

// sdk/train/step.ts
import * as tf19 from "@tensorflow/tfjs";
var stepCounter = 0;
function gatherEmbeddings(model, ids, values, n, numFields) {
  return model.tables.map((t) => tf19.tensor3d(t.gather(ids, values, n * numFields), [n, numFields, t.dim]));
}
function sideTensor(side, index, n) {
  const out = new Float32Array(n * side.dim);
  for (let i = 0; i < n; i++) out.set(side.values.subarray(index[i] * side.dim, (index[i] + 1) * side.dim), i * side.dim);
  return tf19.tensor2d(out, [n, side.dim]);
}
function trainStep(model, batch, loss, options) {
  const { n } = batch;
  const stepId = stepCounter++;
  const inputs = tf19.tidy(() => gatherEmbeddings(model, batch.ids, batch.values, n, options.numFields));
  const leaves = inputs.map((t, i) => tf19.variable(t, true, `__step${stepId}_emb${i}`));
  inputs.forEach((t) => t.dispose());
  const labels = tf19.tensor1d(batch.labels.subarray(0, n));
  const side = options.side === void 0 ? void 0 : sideTensor(options.side, batch.index, n);
  const dense = model.params.trainable();
  try {
    const { value, grads } = tf19.variableGrads(() => loss(model.forward(leaves, true, side), labels, batch), [...dense, ...leaves]);
    const all = Object.values(grads);
    const scale = options.clipNorm > 0 ? tf19.tidy(() => {
      const norm = Math.sqrt(tf19.addN(all.map((g) => g.square().sum())).dataSync()[0]);
      return norm > options.clipNorm ? options.clipNorm / norm : 1;
    }) : 1;
    options.optimizer.apply(
      dense.map((v) => [v, grads[v.name]]),
      scale
    );
    model.tables.forEach((table, i) => {
      const g = grads[leaves[i].name].dataSync();
      table.applyGradient(batch.ids, batch.values, n * options.numFields, g, options.sparse, scale);
    });
    const lossValue = value.dataSync()[0];
    value.dispose();
    tf19.dispose(all);
    if (!Number.isFinite(lossValue)) throw new Error(`training diverged: the loss of step ${stepId} is ${lossValue}`);
    return lossValue;
  } finally {
    leaves.forEach((v) => v.dispose());
    labels.dispose();
    side?.dispose();
  }
}
var PREDICT_BATCH = 4096;
function predictOutputs(model, ids, values, n, numFields, pick, width, side) {
  const out = new Float32Array(n * width);
  for (let start = 0; start < n; start += PREDICT_BATCH) {
    const m = Math.min(PREDICT_BATCH, n - start);
    const lo = start * numFields;
    const hi = (start + m) * numFields;
    const result = tf19.tidy(() => {
      const sideInput = side === void 0 ? void 0 : tf19.tensor2d(side.values.subarray(start * side.dim, (start + m) * side.dim), [m, side.dim]);
      return pick(model.forward(gatherEmbeddings(model, ids.subarray(lo, hi), values.subarray(lo, hi), m, numFields), false, sideInput));
    });
    out.set(result.dataSync(), start * width);
    result.dispose();
  }
  return out;
}
function predictLogits(model, ids, values, n, numFields, side) {
  return predictOutputs(model, ids, values, n, numFields, (o) => o.logit, 1, side);
}

// sdk/train/fit.ts
function runEpochs(options) {
  const history = [];
  let best = null;
  let bestScore = -Infinity;
  let bestEpoch = 0;
  let sinceBest = 0;
  let stoppedEarly = false;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const { loss, rowsPerSecond, seconds } = options.runEpoch(epoch);
    const { score, metrics } = options.monitor();
    const learningRate = options.optimizers[0]?.config.learningRate ?? 0;
    history.push({ epoch, trainLoss: loss, rowsPerSecond, seconds, learningRate, metrics, score });
    const shown = Object.entries(metrics).map(([k, v]) => `${k} ${v.toFixed(5)}`).join(", ");
    options.log(`  ${options.label} epoch ${epoch}: train loss ${loss.toFixed(5)}, valid ${shown} (${Math.round(rowsPerSecond)} rows/s, ${seconds.toFixed(1)}s)`);
    if (score > bestScore + options.minDelta) {
      bestScore = score;
      bestEpoch = epoch;
      sinceBest = 0;
      best = options.models.map(takeSnapshot);
      continue;
    }
    sinceBest++;
    if (sinceBest >= options.patience) {
      stoppedEarly = true;
      options.log(`  ${options.label}: no improvement for ${options.patience} epochs, stopping; best epoch ${bestEpoch}`);
      break;
    }
    for (const o of options.optimizers) o.config.learningRate = Math.max(options.minLearningRate, o.config.learningRate * options.lrDecayFactor);
    options.log(`  ${options.label}: learning rate \u2192 ${options.optimizers[0]?.config.learningRate.toPrecision(2)}`);
  }
  if (best !== null) options.models.forEach((m, i) => restoreSnapshot(m, best[i]));
  return { history, bestEpoch, bestScore, stoppedEarly };
}
function fit(model, options) {
  const numFields = options.train.numFields;
  const optimizer = new DenseOptimizer({ ...options.optimizer });
  const rand = mulberry32(options.seed);
  const step = { numFields, clipNorm: options.clipNorm, optimizer, sparse: optimizer.config, ...options.side ? { side: options.side } : {} };
  try {
    return runEpochs({
      ...options,
      optimizers: [optimizer],
      models: [model],
      runEpoch: (epoch) => {
        const progress = new EpochProgress(options.log, `${options.label} epoch ${epoch}`, options.train.n);
        for (const batch of shuffledBatches(options.train, options.batchSize, rand)) progress.step(batch.n, trainStep(model, batch, options.loss, step));
        return progress.finish();
      },
      monitor: () => options.monitor(model)
    });
  } finally {
    optimizer.dispose();
  }
}

// sdk/train/optimizer-config.ts
var DEFAULT_OPTIMIZER = {
  kind: "adam",
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
  initialAccumulator: 0.1
};

// sdk/train/train-teacher.ts
var CLIP_NORM = 10;
var LR_DECAY_FACTOR = 0.1;
var MIN_LEARNING_RATE = 1e-6;
var MIN_DELTA = 1e-4;
function bceLoss(logit, labels) {
  return tf20.losses.sigmoidCrossEntropy(labels, logit);
}
function trainOnLabels(modelName, hyperparameters, data2, training, log, where, index) {
  const seed = deriveSeed(training.seed, index);
  const model = buildModel(modelName, hyperparameters, { numFields: data2.train.numFields, totalRows: data2.totalRows, rng: randomSource(seed) }, where);
  const params = countParams(model);
  log(`training ${modelName} (${params.toLocaleString("en-US")} parameters)`);
  const { valid } = data2;
  const result = fit(model, {
    label: modelName,
    train: data2.train,
    batchSize: training.batchSize,
    epochs: training.epochs,
    patience: training.patience,
    seed,
    optimizer: { ...DEFAULT_OPTIMIZER, learningRate: training.learningRate },
    clipNorm: CLIP_NORM,
    lrDecayFactor: LR_DECAY_FACTOR,
    minLearningRate: MIN_LEARNING_RATE,
    minDelta: MIN_DELTA,
    loss: (out, labels) => bceLoss(out.logit, labels),
    monitor: (m) => {
      const metrics = evaluateLogits(valid.labels, predictLogits(m, valid.ids, valid.values, valid.n, valid.numFields));
      return { score: metrics.auc - metrics.logloss, metrics: { auc: metrics.auc, logloss: metrics.logloss } };
    },
    log
  });
  return { model, params, fit: result };
}

// speed-tmp.ts
var backend = await selectBackend();
var fields = Number(process.env.FIELDS ?? 39);
var rows = Number(process.env.ROWS ?? 8192);
var data = await prepareData({ format: "csv", delimiter: ",", header: true, label: "click", features: [], synthetic: { seed: 1, rows: { train: rows, valid: 512, test: 16 }, fields, vocabSize: 100, interactions: 10, zipf: 1, ctr: 0.2 } }, { seed: 1 });
var only = process.env.ONLY?.split(",");
console.log(`backend ${backend.name}, node ${process.version}, ${fields} fields, ${rows} train rows, batch 1024, defaults (embeddingDim 10, MLP [400,400,400])`);
for (const m of listModels()) {
  if (only && !only.includes(m.name)) continue;
  const t = trainOnLabels(m.name, {}, { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows }, { batchSize: 1024, epochs: 1, learningRate: 1e-3, seed: 1, patience: 2 }, silentLogger, "x", 0);
  const h = t.fit.history[0];
  console.log(`${m.name.padEnd(9)} ${String(t.params).padStart(9)} params  ${Math.round(h.rowsPerSecond).toString().padStart(6)} rows/s  auc ${h.metrics.auc.toFixed(3)}`);
  disposeModel(t.model);
}
