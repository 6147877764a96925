import * as tf from "@tensorflow/tfjs-core";
import { glorotUniform, normalValues, type RandomSource } from "./random";

/** How a dense parameter starts: Glorot uniform (kernels), zeros (biases), ones (scales) or normal(0, std). */
export type Initializer = "glorot" | "zeros" | "ones" | { normal: number };

let storeCounter = 0;

/**
 * The dense (tf.Variable) parameters of one model, named `block/param`. Initial values are drawn from the
 * model's own seeded source in JS, so a seed gives the same weights on every backend.
 */
export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();
  /** tfjs variable names are global: a per-store prefix keeps two models of one kind apart. */
  private readonly prefix: string;

  constructor(
    readonly rng: RandomSource,
    scope = "model",
  ) {
    this.prefix = `${scope}#${storeCounter++}/`;
  }

  add(name: string, shape: number[], init: Initializer, trainable = true): tf.Variable {
    if (this.vars.has(name)) throw new Error(`ParamStore.add: parameter '${name}' already exists`);
    const size = shape.reduce((a, b) => a * b, 1);
    let values: Float32Array;
    if (init === "zeros") values = new Float32Array(size);
    else if (init === "ones") values = new Float32Array(size).fill(1);
    else if (init === "glorot") {
      const fanIn = shape.length >= 2 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : size;
      const fanOut = shape[shape.length - 1] ?? 1;
      values = glorotUniform(this.rng, fanIn, fanOut, size);
    } else values = normalValues(this.rng, init.normal, size);
    const v = tf.variable(tf.tensor(values, shape, "float32"), trainable, this.prefix + name);
    this.vars.set(name, v);
    return v;
  }

  /** Parameters in creation order, with their local names. */
  entries(): [string, tf.Variable][] {
    return [...this.vars.entries()];
  }

  trainable(): tf.Variable[] {
    return [...this.vars.values()].filter((v) => v.trainable);
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (v === undefined) throw new Error(`ParamStore.get: no parameter '${name}'`);
    return v;
  }

  count(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
