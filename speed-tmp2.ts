import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "./sdk/backend";
import { randomSource } from "./sdk/layers/random";
import { buildModel } from "./sdk/models/zoo";
import { gatherEmbeddings } from "./sdk/train/step";
import { bceLoss } from "./sdk/train/train-teacher";
await selectBackend();
const F = Number(process.env.FIELDS ?? 39), B = 1024, rows = 100 * F;
const rng = randomSource(1);
const ids = Int32Array.from({ length: B * F }, (_, k) => (k % F) * 100 + Math.floor(rng.next() * 100));
const values = new Float32Array(B * F).fill(1);
const labels = tf.tensor1d(Float32Array.from({ length: B }, () => (rng.next() < 0.2 ? 1 : 0)));
for (const name of (process.env.ONLY ?? "IPNN").split(",")) {
  const model = buildModel(name, JSON.parse(process.env.HP ?? "{}"), { numFields: F, totalRows: rows, rng: randomSource(2) });
  const leaves = tf.tidy(() => gatherEmbeddings(model, ids, values, B, F)).map((t) => tf.variable(t));
  const run = () => { const { value, grads } = tf.variableGrads(() => bceLoss(model.forward(leaves, true).logit, labels), [...model.params.trainable(), ...leaves]); value.dataSync(); tf.dispose([value, ...Object.values(grads)]); };
  run();
  const prof = await tf.profile(run);
  const agg = new Map<string, { ms: number; n: number }>();
  let total = 0;
  for (const k of prof.kernels) {
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    total += ms;
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const a = agg.get(key) ?? { ms: 0, n: 0 };
    a.ms += ms; a.n++;
    agg.set(key, a);
  }
  console.log(`== ${name}: ${prof.kernels.length} kernels, ${total.toFixed(0)} ms kernel time`);
  for (const [k, v] of [...agg.entries()].sort((x, y) => y[1].ms - x[1].ms).slice(0, 16)) console.log(`${v.ms.toFixed(1).padStart(8)} ms  x${v.n}  ${k.slice(0, 110)}`);
}
