import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { parseConfig } from "../../sdk/config";
import type { Batch } from "../../sdk/data/batches";
import { mulberry32 } from "../../sdk/data/prng";
import { studentHyperparameters } from "../../sdk/distill/distill";
import { jointStep } from "../../sdk/distill/joint";
import { kdDivergenceValue, kdLossValue } from "../../sdk/distill/kd-loss";
import { randomSource } from "../../sdk/layers/random";
import type { CtrModel } from "../../sdk/models/model";
import { buildModel } from "../../sdk/models/zoo";
import { unpooledLayout } from "../../sdk/runtime/slots";
import { DenseOptimizer } from "../../sdk/train/dense-optimizer";
import { optimizerOf } from "../../sdk/train/optimizer-config";
import { trainStep, type StepOptions } from "../../sdk/train/step";
import { bceLoss, CLIP_NORM } from "../../sdk/train/train-teacher";

beforeAll(async () => {
  await selectBackend("cpu");
});

const SYNTHETIC = { rows: { train: 10, valid: 10, test: 10 } };
const CONFIG = parseConfig({ data: { synthetic: SYNTHETIC }, teachers: [{ model: "DNN" }, { model: "FM" }], distill: { ensemble: "mean", teacherTraining: "joint", alpha: 0.3, temperature: 2 } });
const FIELDS = 4;
const ROWS = 60;
const layout = unpooledLayout(FIELDS);

function batchOf(n: number, seed: number): Batch {
  const rand = mulberry32(seed);
  return {
    ids: Int32Array.from({ length: n * FIELDS }, () => Math.floor(rand() * ROWS)),
    values: new Float32Array(n * FIELDS).fill(1),
    labels: Float32Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0)),
    n,
    index: Int32Array.from({ length: n }, (_, i) => i),
  };
}

/** The same teachers and student, from the same seeds, with fresh optimisers: [student, ...teachers]. */
function models(): { student: CtrModel; teachers: CtrModel[]; steps: StepOptions[] } {
  const ctx = (k: number) => ({ numFields: FIELDS, totalRows: ROWS, rng: randomSource(100 + k) });
  const teachers = CONFIG.teachers.map(({ model, ...hp }, i) => buildModel(model, hp, ctx(i + 1)));
  const student = buildModel("DNN", studentHyperparameters(CONFIG.student), ctx(0));
  const steps = [student, ...teachers].map(() => {
    const optimizer = new DenseOptimizer(optimizerOf(CONFIG.training));
    return { layout, clipNorm: CLIP_NORM, optimizer, sparse: optimizer.config };
  });
  return { student, teachers, steps };
}

function state(model: CtrModel): Float32Array[] {
  return [...model.params.entries().map(([, v]) => v.dataSync() as Float32Array), ...model.tables.map((t) => Float32Array.from(t.weights))];
}

describe("joint training", () => {
  it("one joint step leaves the teachers exactly as a teacher-only step does, and moves the student", () => {
    const batch = batchOf(64, 7);
    const joint = models();
    const alone = models();
    const studentBefore = state(joint.student);
    jointStep(joint.teachers, joint.student, batch, joint.steps, CONFIG.distill);
    alone.teachers.forEach((t, i) => trainStep(t, batch, (out, labels) => bceLoss(out.logit, labels), alone.steps[i + 1]!));
    joint.teachers.forEach((t, i) => {
      const got = state(t);
      const want = state(alone.teachers[i]!);
      got.forEach((g, k) => expect(Array.from(g), `${t.name} tensor ${k}`).toEqual(Array.from(want[k]!)));
    });
    const moved = state(joint.student).some((s, k) => s.some((x, j) => x !== studentBefore[k]![j]));
    expect(moved, "the student stepped").toBe(true);
  });

  it("monitors the KL divergence: 0 when the student matches, blind to the teachers' own entropy", () => {
    const cfg = { kdLoss: "soft" as const, temperature: 2 };
    const teacher = Float32Array.from([0.1, -0.3, 0.4]);
    const sharper = teacher.map((z) => z * 8);
    // The KD loss at a perfect match is the teacher's entropy: it falls as teachers grow confident, KL does not.
    expect(kdLossValue(teacher, teacher, cfg)).toBeGreaterThan(kdLossValue(sharper, sharper, cfg) + 0.3);
    expect(kdDivergenceValue(teacher, teacher, cfg)).toBeCloseTo(0, 6);
    expect(kdDivergenceValue(sharper, sharper, cfg)).toBeCloseTo(0, 5);
    expect(kdDivergenceValue(Float32Array.from([1, 1, 1]), teacher, cfg)).toBeGreaterThan(0);
  });

  it("refuses, when the config is read, what joint training cannot honour: hint, logged teacher scores, a non-mean ensemble", () => {
    const joint = { ensemble: "mean", teacherTraining: "joint" };
    const read = (doc: object) => () => parseConfig({ data: { synthetic: SYNTHETIC }, teachers: [{ model: "DNN" }], ...doc });
    expect(read({ distill: { ...joint, hint: true } })).toThrow(/config\.distill\.hint: .*"joint"/);
    expect(read({ distill: { ...joint, ensemble: "gating" } })).toThrow(/config\.distill\.ensemble: .*expected "mean", got "gating"/);
    expect(read({ distill: joint })).not.toThrow();
    const logged = () =>
      parseConfig({ data: { train: "t.csv", valid: "v.csv", test: "s.csv", features: [{ name: "a" }], teacherScores: { columns: ["teacher_score"] } }, teachers: [], distill: joint });
    expect(logged).toThrow(/config\.data\.teacherScores: .*"joint"/);
  });
});
