import { normalValues, type RandomSource } from "./random";
import type { OptimizerConfig } from "../train/optimizer-config";

/**
 * An embedding table kept in JavaScript memory and updated sparsely (lazily): a step touches only the rows
 * its batch used, as TF's LazyAdam and PyTorch's sparse embeddings do. A dense tfjs variable would make every
 * step cost O(vocabulary) in both the gather gradient and the optimizer.
 *
 * Layout: `weights[row * dim + k]`; optimizer slots `slot1`, `slot2` share it.
 */
export class EmbeddingTable {
  readonly weights: Float32Array;
  private readonly slot1: Float32Array;
  private readonly slot2: Float32Array;
  /** Per-row step counts: lazy Adam corrects each row's bias by its own number of updates. */
  private readonly rowSteps: Int32Array;
  /** Scratch: accumulated gradient per touched row, and the list of touched rows. */
  private readonly gradAccum: Float32Array;
  private readonly touchedMark: Uint8Array;

  constructor(
    readonly name: string,
    readonly rows: number,
    readonly dim: number,
    rng: RandomSource,
    /** Initial weights ~ N(0, initStd²) (FuxiCTR: 1e-4). */
    initStd: number,
    /** L2 penalty λ on the rows a batch touches, applied as λ·w in their gradient. */
    readonly l2: number,
  ) {
    this.weights = normalValues(rng, initStd, rows * dim);
    this.slot1 = new Float32Array(rows * dim);
    this.slot2 = new Float32Array(rows * dim);
    this.rowSteps = new Int32Array(rows);
    this.gradAccum = new Float32Array(rows * dim);
    this.touchedMark = new Uint8Array(rows);
  }

  /** Rows × values for a batch: out[(r*F + f)*dim + k] = weights[ids[r*F+f]*dim + k] * values[r*F+f]. */
  gather(ids: Int32Array, values: Float32Array, count: number, out = new Float32Array(count * this.dim)): Float32Array {
    const d = this.dim;
    for (let i = 0; i < count; i++) {
      const src = ids[i]! * d;
      const v = values[i]!;
      const dst = i * d;
      for (let k = 0; k < d; k++) out[dst + k] = this.weights[src + k]! * v;
    }
    return out;
  }

  /**
   * Applies the gradient of the loss with respect to the gathered (scaled) rows, `grad` shaped like `gather`'s
   * output, with `scale` folded in (gradient clipping). Only touched rows change.
   */
  applyGradient(ids: Int32Array, values: Float32Array, count: number, grad: Float32Array, opt: OptimizerConfig, scale = 1): void {
    const d = this.dim;
    const touched: number[] = [];
    for (let i = 0; i < count; i++) {
      const row = ids[i]!;
      if (this.touchedMark[row] === 0) {
        this.touchedMark[row] = 1;
        touched.push(row);
      }
      const g = values[i]! * scale;
      const src = i * d;
      const dst = row * d;
      for (let k = 0; k < d; k++) this.gradAccum[dst + k]! += grad[src + k]! * g;
    }
    for (const row of touched) {
      this.touchedMark[row] = 0;
      const step = ++this.rowSteps[row]!;
      const base = row * d;
      if (opt.kind === "adam") this.adamRow(base, step, opt);
      else this.adagradRow(base, opt);
    }
  }

  private adamRow(base: number, step: number, opt: OptimizerConfig): void {
    const { beta1, beta2, epsilon, learningRate } = opt;
    const lr = (learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
    for (let k = base; k < base + this.dim; k++) {
      const g = this.gradAccum[k]! + this.l2 * this.weights[k]!;
      this.gradAccum[k] = 0;
      const m = (this.slot1[k] = beta1 * this.slot1[k]! + (1 - beta1) * g);
      const v = (this.slot2[k] = beta2 * this.slot2[k]! + (1 - beta2) * g * g);
      this.weights[k]! -= (lr * m) / (Math.sqrt(v) + epsilon);
    }
  }

  private adagradRow(base: number, opt: OptimizerConfig): void {
    for (let k = base; k < base + this.dim; k++) {
      const g = this.gradAccum[k]! + this.l2 * this.weights[k]!;
      this.gradAccum[k] = 0;
      const acc = (this.slot1[k] = (this.slot1[k] || opt.initialAccumulator) + g * g);
      this.weights[k]! -= (opt.learningRate * g) / (Math.sqrt(acc) + opt.epsilon);
    }
  }
}
