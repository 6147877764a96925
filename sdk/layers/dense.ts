import * as tf from "@tensorflow/tfjs-core";
import type { ParamStore } from "./params";

/** x·W + b, W Glorot-initialised [inDim, outDim] (tfjs/Keras layout), b zeros. */
export class Dense {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    params: ParamStore,
    readonly name: string,
    readonly inDim: number,
    readonly outDim: number,
    useBias = true,
  ) {
    this.kernel = params.add(`${name}/kernel`, [inDim, outDim], "glorot");
    this.bias = useBias ? params.add(`${name}/bias`, [outDim], "zeros") : null;
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    const y = tf.matMul(x, this.kernel as tf.Tensor2D) as tf.Tensor2D;
    return this.bias === null ? y : (y.add(this.bias) as tf.Tensor2D);
  }
}
