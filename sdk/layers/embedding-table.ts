import { normalValues, type RandomSource } from "./random";
import { adamStepScales, type OptimizerConfig } from "../train/optimizer-config";

/**
 * An embedding table kept in JavaScript memory. With `opt.embeddingUpdate` "lazy", a step touches only the rows
 * its batch used, as TF's LazyAdam and PyTorch's sparse embeddings do; with "dense", every row takes the
 * optimizer's step (zero gradient but L2 on rows the batch missed, momentum carrying them on), as a plain
 * `torch.optim.Adam` over an `nn.Embedding` does in FuxiCTR. Either way the gradient stays sparse: a dense tfjs
 * variable would make the gather's gradient cost O(vocabulary) too.
 *
 * Layout: `weights[row * dim + k]`; optimizer slots `slot1`, `slot2` share it.
 *
 * With a `lookup` (a compact student embedding, sdk/runtime/embedding-remap.ts), the ids a batch carries are
 * the feature map's and `lookup[id]` is the table's row: gather and update both go through it. With a `second`
 * lookup too (quotient–remainder embeddings), an id whose second row b ≥ 0 gathers (w[a] · value) ⊙ w[b], and
 * its gradient g reaches both rows: g · value ⊙ w[b] into row a, g · value ⊙ w[a] into row b (product rule).
 */
export class EmbeddingTable {
  readonly weights: Float32Array;
  private readonly slot1: Float32Array;
  private readonly slot2: Float32Array;
  /** Per-row step counts: lazy Adam corrects each row's bias by its own number of updates. */
  private readonly rowSteps: Int32Array;
  /** Steps taken by the whole table: the bias correction of the dense update. */
  private tableSteps = 0;
  /**
   * Scratch of applyGradient: the rows a batch touched in first-touch order, each row's position in that list
   * (-1: untouched), and their accumulated gradients packed in that order (grown on demand).
   */
  private readonly touched: Int32Array;
  private readonly slotOf: Int32Array;
  private gradAccum: Float32Array;
  /** Adam's step size and √v scale (adamStepScales) by per-row step count, for the settings in `stepSizeKey`. */
  private stepSizes = new Float64Array(0);
  private sqrtVScales = new Float64Array(0);
  private stepSizeKey = "";

  constructor(
    readonly name: string,
    readonly rows: number,
    readonly dim: number,
    rng: RandomSource,
    /** Initial weights ~ N(0, initStd²) (FuxiCTR: 1e-4). */
    initStd: number,
    /** L2 penalty λ on the rows a batch touches, applied as λ·w in their gradient. */
    readonly l2: number,
    /** The row of each feature-map id (every entry in [0, rows)); absent: the id is the row. */
    readonly lookup?: Int32Array,
    /** The second row of each feature-map id, multiplied into the first, or -1 (needs `lookup`). */
    readonly second?: Int32Array,
  ) {
    this.weights = normalValues(rng, initStd, rows * dim);
    this.slot1 = new Float32Array(rows * dim);
    this.slot2 = new Float32Array(rows * dim);
    this.rowSteps = new Int32Array(rows);
    this.touched = new Int32Array(rows);
    this.slotOf = new Int32Array(rows).fill(-1);
    this.gradAccum = new Float32Array(0);
  }

  /** Rows × values for a batch: out[(r*F + f)*dim + k] = weights[ids[r*F+f]*dim + k] * values[r*F+f]. */
  gather(ids: Int32Array, values: Float32Array, count: number, out = new Float32Array(count * this.dim)): Float32Array {
    const d = this.dim;
    const { weights, lookup, second } = this;
    for (let i = 0; i < count; i++) {
      const src = (lookup === undefined ? ids[i]! : lookup[ids[i]!]!) * d;
      const v = values[i]!;
      const dst = i * d;
      const b = second === undefined ? -1 : second[ids[i]!]!;
      if (b < 0) for (let k = 0; k < d; k++) out[dst + k] = weights[src + k]! * v;
      // float32 rounding after each product, as every scorer computes (row · value) ⊙ second.
      else for (let k = 0; k < d; k++) out[dst + k] = Math.fround(weights[src + k]! * v) * weights[b * d + k]!;
    }
    return out;
  }

  /**
   * Applies the gradient of the loss with respect to the gathered (scaled) rows, `grad` shaped like `gather`'s
   * output, with `scale` folded in (gradient clipping). Only touched rows change, unless `opt.embeddingUpdate`
   * is "dense" (every row steps).
   */
  applyGradient(ids: Int32Array, values: Float32Array, count: number, grad: Float32Array, opt: OptimizerConfig, scale = 1): void {
    const { touched, slotOf } = this;
    const n = this.accumulate(ids, values, count, grad, scale);
    if (opt.embeddingUpdate === "dense") this.denseStep(opt);
    else if (opt.kind === "adam") this.adamRows(n, opt);
    else for (let t = 0; t < n; t++) this.adagradRow(touched[t]!, t * this.dim, opt);
    for (let t = 0; t < n; t++) slotOf[touched[t]!] = -1;
  }

  /**
   * The gradient of the loss with respect to the whole table, [rows][dim] row-major, from `grad` as applyGradient
   * takes it: the sums applyGradient hands its optimizer (before the L2 term), laid out densely, untouched rows 0.
   * For gradient checks; a training step never builds it. Changes no weight.
   */
  gradient(ids: Int32Array, values: Float32Array, count: number, grad: Float32Array, scale = 1): Float32Array {
    const d = this.dim;
    const { touched, slotOf } = this;
    const n = this.accumulate(ids, values, count, grad, scale);
    const out = new Float32Array(this.rows * d);
    for (let t = 0; t < n; t++) {
      out.set(this.gradAccum.subarray(t * d, t * d + d), touched[t]! * d);
      slotOf[touched[t]!] = -1;
    }
    return out;
  }

  /**
   * Sums the gradient of each row the batch touched into `gradAccum`, packed by first touch (`touched`, `slotOf`),
   * in the order of the batch: the same float32 sums as a per-row buffer. Returns the number of touched rows; the
   * caller resets `slotOf` for them.
   */
  private accumulate(ids: Int32Array, values: Float32Array, count: number, grad: Float32Array, scale: number): number {
    const d = this.dim;
    const { touched, slotOf, lookup } = this;
    const most = Math.min(this.second === undefined ? count : 2 * count, this.rows) * d;
    if (this.gradAccum.length < most) this.gradAccum = new Float32Array(most);
    if (this.second !== undefined) return this.accumulateProducts(ids, values, count, grad, scale);
    const accum = this.gradAccum;
    let n = 0;
    for (let i = 0; i < count; i++) {
      const row = lookup === undefined ? ids[i]! : lookup[ids[i]!]!;
      let slot = slotOf[row]!;
      if (slot < 0) {
        slot = slotOf[row] = n;
        touched[n++] = row;
        accum.fill(0, slot * d, slot * d + d);
      }
      const g = values[i]! * scale;
      const src = i * d;
      const dst = slot * d;
      for (let k = 0; k < d; k++) accum[dst + k]! += grad[src + k]! * g;
    }
    return n;
  }

  /**
   * accumulate's sums for a table with second rows: g · value ⊙ w[b] into row a and g · value ⊙ w[a] into row b
   * (weights read before any row moves). Returns the number of touched rows.
   */
  private accumulateProducts(ids: Int32Array, values: Float32Array, count: number, grad: Float32Array, scale: number): number {
    const d = this.dim;
    const { touched, slotOf, weights } = this;
    const lookup = this.lookup!;
    const second = this.second!;
    const accum = this.gradAccum;
    let n = 0;
    const slotFor = (row: number): number => {
      let slot = slotOf[row]!;
      if (slot < 0) {
        slot = slotOf[row] = n;
        touched[n++] = row;
        accum.fill(0, slot * d, slot * d + d);
      }
      return slot * d;
    };
    for (let i = 0; i < count; i++) {
      const a = lookup[ids[i]!]!;
      const b = second[ids[i]!]!;
      const g = values[i]! * scale;
      const src = i * d;
      const dst = slotFor(a);
      if (b < 0) {
        for (let k = 0; k < d; k++) accum[dst + k]! += grad[src + k]! * g;
        continue;
      }
      const other = slotFor(b);
      for (let k = 0; k < d; k++) {
        accum[dst + k]! += grad[src + k]! * g * weights[b * d + k]!;
        accum[other + k]! += grad[src + k]! * g * weights[a * d + k]!;
      }
    }
    return n;
  }

  /** adamStepScales for step = 1 … `maxStep`, recomputed when the optimizer's settings change. */
  private adamScales(maxStep: number, opt: OptimizerConfig): { stepSizes: Float64Array; sqrtVScales: Float64Array } {
    const key = `${opt.learningRate} ${opt.beta1} ${opt.beta2} ${opt.adamVariant}`;
    if (key !== this.stepSizeKey || this.stepSizes.length <= maxStep) {
      const size = Math.max(maxStep + 1, this.stepSizes.length * 2, 64);
      this.stepSizes = new Float64Array(size);
      this.sqrtVScales = new Float64Array(size);
      for (let step = 1; step < size; step++) {
        const { stepSize, sqrtVScale } = adamStepScales(opt, step);
        this.stepSizes[step] = stepSize;
        this.sqrtVScales[step] = sqrtVScale;
      }
      this.stepSizeKey = key;
    }
    return { stepSizes: this.stepSizes, sqrtVScales: this.sqrtVScales };
  }

  /**
   * Lazy Adam on the `n` touched rows, each bias-corrected by its own step count (TF's LazyAdam corrects by
   * the global step; a dense PyTorch Adam also moves untouched rows by their decaying momentum).
   */
  private adamRows(n: number, opt: OptimizerConfig): void {
    const { beta1, beta2, epsilon } = opt;
    const { touched, rowSteps, weights, slot1, slot2, l2, dim: d } = this;
    const accum = this.gradAccum;
    let maxStep = 0;
    for (let t = 0; t < n; t++) maxStep = Math.max(maxStep, rowSteps[touched[t]!]! + 1);
    const { stepSizes, sqrtVScales } = this.adamScales(maxStep, opt);
    for (let t = 0; t < n; t++) {
      const row = touched[t]!;
      const step = ++rowSteps[row]!;
      const lr = stepSizes[step]!;
      const sqrtVScale = sqrtVScales[step]!;
      const base = row * d;
      const from = t * d;
      for (let k = 0; k < d; k++) {
        const j = base + k;
        const g = accum[from + k]! + l2 * weights[j]!;
        const m = (slot1[j] = beta1 * slot1[j]! + (1 - beta1) * g);
        const v = (slot2[j] = beta2 * slot2[j]! + (1 - beta2) * g * g);
        weights[j]! -= (lr * m) / (Math.sqrt(v) * sqrtVScale + epsilon);
      }
    }
  }

  /**
   * One optimizer step of every row, bias-corrected by the table's step count: a touched row's gradient is its
   * accumulated sum (found through `slotOf`, still set), every other row's is zero; λ·w is added to all of them.
   */
  private denseStep(opt: OptimizerConfig): void {
    const { slotOf, weights, slot1, slot2, l2, dim: d, rows } = this;
    const accum = this.gradAccum;
    const { beta1, beta2, epsilon } = opt;
    const { stepSize, sqrtVScale } = adamStepScales(opt, ++this.tableSteps);
    for (let row = 0; row < rows; row++) {
      const slot = slotOf[row]!;
      const base = row * d;
      const from = slot * d;
      for (let k = 0; k < d; k++) {
        const j = base + k;
        const g = (slot < 0 ? 0 : accum[from + k]!) + l2 * weights[j]!;
        if (opt.kind === "adagrad") {
          const acc = (slot1[j] = (slot1[j] || opt.initialAccumulator) + g * g);
          weights[j]! -= (opt.learningRate * g) / (Math.sqrt(acc) + epsilon);
          continue;
        }
        const m = (slot1[j] = beta1 * slot1[j]! + (1 - beta1) * g);
        const v = (slot2[j] = beta2 * slot2[j]! + (1 - beta2) * g * g);
        weights[j]! -= (stepSize * m) / (Math.sqrt(v) * sqrtVScale + epsilon);
      }
    }
  }

  private adagradRow(row: number, from: number, opt: OptimizerConfig): void {
    const base = row * this.dim;
    for (let k = 0; k < this.dim; k++) {
      const j = base + k;
      const g = this.gradAccum[from + k]! + this.l2 * this.weights[j]!;
      const acc = (this.slot1[j] = (this.slot1[j] || opt.initialAccumulator) + g * g);
      this.weights[j]! -= (opt.learningRate * g) / (Math.sqrt(acc) + opt.epsilon);
    }
  }
}
