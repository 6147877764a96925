import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "./sdk/backend";
await selectBackend();
for (const k of ["ScatterNd", "GatherV2", "GatherNd", "TensorScatterUpdate", "UnsortedSegmentSum", "Slice", "Concat", "Pad", "PadV2", "Tile"]) console.log(k, !!tf.getKernel(k, "wasm"));
function time(label: string, fn: () => tf.Tensor | tf.Tensor[], reps = 3) {
  tf.tidy(() => { const r = fn(); (Array.isArray(r) ? r : [r]).forEach((t) => t.dataSync()); });
  const t0 = performance.now(); const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) tf.tidy(() => { const r = fn(); (Array.isArray(r) ? r : [r]).forEach((t) => t.dataSync()); });
  const c = process.cpuUsage(c0);
  console.log(label.padEnd(50), ((performance.now() - t0) / reps).toFixed(1), "ms wall", ((c.user + c.system) / 1000 / reps).toFixed(1), "ms cpu");
}
const B = 1024, F = 39, D = 10, P = F * (F - 1) / 2;
const e = tf.randomNormal([B, F, D]) as tf.Tensor3D;
const I: number[] = [], J: number[] = [];
for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) { I.push(i); J.push(j); }
const ii = tf.tensor1d(I, "int32"), jj = tf.tensor1d(J, "int32");
time("gather axis1 reps",() => tf.gather(e, ii, 1), 5);
time("gather axis1 [B,F,D] -> [B,P,D] x2 and mul", () => tf.gather(e, ii, 1).mul(tf.gather(e, jj, 1)));
const eT = e.transpose([1, 0, 2]);
time("transpose to [F,B,D]", () => e.transpose([1, 0, 2]));
time("gather axis0 [F,B,D] -> [P,B,D] x2 and mul", () => tf.gather(eT, ii, 0).mul(tf.gather(eT, jj, 0)));
const upd = tf.randomNormal([P, B, D]);
time("scatterND [P,B,D] -> [F,B,D]", () => tf.scatterND(ii.reshape([P, 1]), upd, [F, B, D]));
const S = tf.oneHot(ii, F).transpose().toFloat();
time("onehot matmul [B*D,F]x[F,P]", () => tf.matMul(e.transpose([0, 2, 1]).reshape([B * D, F]), S));
time("slice contiguous [B,1,D] x38", () => { const r = []; for (let i = 0; i < F - 1; i++) r.push(e.slice([0, i, 0], [B, 1, D])); return r; });
time("concat 38 x [B,k,D]", () => tf.concat(Array.from({ length: 20 }, () => tf.ones([B, 37, D])), 1));
time("slice [B,1,D] once", () => e.slice([0, 3, 0], [B, 1, D]));
time("slice [B,k,D] on axis0-transposed once", () => eT.slice([3, 0, 0], [20, B, D]));
