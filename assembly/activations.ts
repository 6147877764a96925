/** Activations: relu on f32 and f32x4 lanes (bit-identical to each other), and a numerically stable sigmoid. */

/** relu of one f32: max(x, 0) (f32.max semantics: NaN propagates, -0 becomes +0). */
// @ts-ignore: decorator
@inline export function relu(x: f32): f32 {
  return max<f32>(x, 0);
}

/** relu of four lanes: the same f32.max semantics per lane. */
// @ts-ignore: decorator
@inline export function reluF32x4(v: v128): v128 {
  return f32x4.max(v, f32x4.splat(0));
}

/** Logistic sigmoid 1 / (1 + e^-x), never overflowing: exp is only taken of a non-positive number. */
// @ts-ignore: decorator
@inline export function sigmoid(x: f32): f32 {
  if (x >= 0) return 1 / (1 + Mathf.exp(-x));
  const e = Mathf.exp(x);
  return e / (1 + e);
}

/** out[r] = sigmoid(logits[r * stride]) for r < n: the logit is column 0 of the last layer's output. */
export function sigmoidColumn(logits: usize, stride: i32, n: i32, out: usize): void {
  const step = <usize>stride << 2;
  for (let r = 0; r < n; r++) {
    store<f32>(out, sigmoid(load<f32>(logits)));
    logits += step;
    out += 4;
  }
}
