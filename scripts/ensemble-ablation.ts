/**
 * Paired ablations of the student's distillation: the teachers are trained once per seed, then each variant's
 * ensemble is built and a student distilled from it, every student with the same initialisation and batch order
 * (common random numbers). Two studies:
 *
 * - `targets` (the default), validation only: `distill.ensembleTarget` and `distill.gate.input`. Reports the
 *   ensemble's and the student's validation AUC (the student stops on its KD loss, which reads no labels).
 * - `valid-kd`: `distill.validKdFraction`, the student also distilled on a share of the validation rows.
 *   Those rows are then trained on, so the student is judged on test AUC.
 *
 *   node scripts/bundle.mjs scripts/ensemble-ablation.ts dist/ensemble-ablation.js && node dist/ensemble-ablation.js \
 *     --config configs/demo.json [--seeds 2020,2021] [--study targets|valid-kd]
 *
 * One JSON line per teacher and per variant on stdout, then one per compared variant with its paired
 * differences against its baseline (the same ensemble with today's defaults), per seed and their mean.
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../sdk/backend";
import { loadConfig } from "../sdk/config";
import type { DistillConfig } from "../sdk/config-types";
import { prepareData } from "../sdk/data/prepare";
import { distillStudent } from "../sdk/distill/distill";
import { buildEnsemble, type EnsembleLogits } from "../sdk/distill/ensemble";
import { silentLogger } from "../sdk/log";
import { disposeModel } from "../sdk/models/model";
import { STUDENT_SEED_STREAM } from "../sdk/pipeline/students";
import { teacherLogits, trainTeachers } from "../sdk/pipeline/teachers";
import { evaluateLogits } from "../sdk/train/evaluate";
import { predictLogits } from "../sdk/train/step";

const { values: flags } = parseArgs({ options: { config: { type: "string", default: "configs/demo.json" }, seeds: { type: "string" }, study: { type: "string", default: "targets" } } });
const base = loadConfig(flags.config!);
const seeds = flags.seeds === undefined ? [base.training.seed] : flags.seeds.split(",").map(Number);

type Variant = {
  ensemble: "mean" | "gating";
  ensembleTarget: DistillConfig["ensembleTarget"];
  input: DistillConfig["gate"]["input"];
  validKdFraction: number;
};
const DEFAULTS = { ensembleTarget: "logit", input: "embedding", validKdFraction: 0 } as const;
const STUDIES: Record<string, { variants: Variant[]; metric: "studentValidAuc" | "studentTestAuc" }> = {
  targets: {
    variants: [
      { ...DEFAULTS, ensemble: "mean" },
      { ...DEFAULTS, ensemble: "mean", ensembleTarget: "probability" },
      { ...DEFAULTS, ensemble: "gating" },
      { ...DEFAULTS, ensemble: "gating", ensembleTarget: "probability" },
      { ...DEFAULTS, ensemble: "gating", input: "logits" },
      { ...DEFAULTS, ensemble: "gating", input: "embedding+logits" },
    ],
    metric: "studentValidAuc",
  },
  "valid-kd": {
    variants: (["gating", "mean"] as const).flatMap((ensemble) => [0, 0.25, 0.5].map((validKdFraction) => ({ ...DEFAULTS, ensemble, validKdFraction }))),
    metric: "studentTestAuc",
  },
};
const study = STUDIES[flags.study!];
if (study === undefined) throw new Error(`--study: expected one of ${Object.keys(STUDIES).join(", ")}, got ${flags.study}`);

const key = (v: Variant) => JSON.stringify(v);
/** A variant's baseline: the same ensemble with today's defaults for what the variant changes. */
const baselineOf = (v: Variant): Variant => ({ ...DEFAULTS, ensemble: v.ensemble });
const scores = new Map<string, number[]>();

await selectBackend();
for (const seed of seeds) {
  const config = { ...base, training: { ...base.training, seed } };
  const data = await prepareData(config.data, { seed });
  const teachers = await trainTeachers(config, data, null, silentLogger);
  for (const t of teachers) console.log(JSON.stringify({ seed, teacher: t.name, validAuc: t.valid.auc, testAuc: t.test.auc }));
  // validKdFraction changes the student only: its variants share their ensemble.
  const ensembles = new Map<string, EnsembleLogits>();
  for (const v of study.variants) {
    const distill = { ...config.distill, ensemble: v.ensemble, ensembleTarget: v.ensembleTarget, gate: { ...config.distill.gate, input: v.input }, validKdFraction: v.validKdFraction };
    const ensembleKey = key({ ...v, validKdFraction: 0 });
    const ensemble = ensembles.get(ensembleKey) ?? (await buildEnsemble(v.ensemble, teacherLogits(teachers), data, config.training, distill, silentLogger));
    ensembles.set(ensembleKey, ensemble);
    const splits = { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows, teacherTrain: ensemble.train, teacherValid: ensemble.valid };
    const student = await distillStudent(splits, config.student, distill, config.training, silentLogger, "student", STUDENT_SEED_STREAM);
    const row = {
      seed,
      ...v,
      ensembleValidAuc: evaluateLogits(data.valid.labels, ensemble.valid).auc,
      studentValidAuc: evaluateLogits(data.valid.labels, predictLogits(student.model, data.valid)).auc,
      studentTestAuc: evaluateLogits(data.test.labels, predictLogits(student.model, data.test)).auc,
      bestEpoch: student.fit.bestEpoch,
    };
    disposeModel(student.model);
    console.log(JSON.stringify(row));
    scores.set(key(v), [...(scores.get(key(v)) ?? []), row[study.metric]]);
  }
}
for (const v of study.variants) {
  const baseline = scores.get(key(baselineOf(v)))!;
  if (key(v) === key(baselineOf(v))) continue;
  const diffs = scores.get(key(v))!.map((s, i) => s - baseline[i]!);
  console.log(JSON.stringify({ compared: v, against: baselineOf(v), metric: study.metric, seeds, differences: diffs, mean: diffs.reduce((a, b) => a + b, 0) / diffs.length }));
}
