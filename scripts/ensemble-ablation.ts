/**
 * Validation-only ablation of `distill.ensembleTarget` and `distill.gate.input`: the teachers are trained once
 * per seed, then each ensemble variant is built and a student distilled from it. Reports the ensemble's and the
 * student's validation AUC (the student stops on its KD loss, which reads no validation labels).
 *
 *   node scripts/bundle.mjs scripts/ensemble-ablation.ts dist/ensemble-ablation.js && node dist/ensemble-ablation.js \
 *     --config configs/demo.json [--seeds 2020,2021]
 *
 * One JSON line per teacher and per variant on stdout.
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../sdk/backend";
import { loadConfig } from "../sdk/config";
import type { DistillConfig } from "../sdk/config-types";
import { prepareData } from "../sdk/data/prepare";
import { distillStudent } from "../sdk/distill/distill";
import { buildEnsemble } from "../sdk/distill/ensemble";
import { silentLogger } from "../sdk/log";
import { STUDENT_SEED_STREAM } from "../sdk/pipeline/students";
import { teacherLogits, trainTeachers } from "../sdk/pipeline/teachers";
import { evaluateLogits } from "../sdk/train/evaluate";
import { predictLogits } from "../sdk/train/step";

const { values: flags } = parseArgs({ options: { config: { type: "string", default: "configs/demo.json" }, seeds: { type: "string" } } });
const base = loadConfig(flags.config!);
const seeds = flags.seeds === undefined ? [base.training.seed] : flags.seeds.split(",").map(Number);

type Variant = { ensemble: "mean" | "gating"; ensembleTarget: DistillConfig["ensembleTarget"]; input: DistillConfig["gate"]["input"] };
const VARIANTS: Variant[] = [
  { ensemble: "mean", ensembleTarget: "logit", input: "embedding" },
  { ensemble: "mean", ensembleTarget: "probability", input: "embedding" },
  { ensemble: "gating", ensembleTarget: "logit", input: "embedding" },
  { ensemble: "gating", ensembleTarget: "probability", input: "embedding" },
  { ensemble: "gating", ensembleTarget: "logit", input: "logits" },
  { ensemble: "gating", ensembleTarget: "logit", input: "embedding+logits" },
];

await selectBackend();
for (const seed of seeds) {
  const config = { ...base, training: { ...base.training, seed } };
  const data = await prepareData(config.data, { seed });
  const teachers = await trainTeachers(config, data, null, silentLogger);
  for (const t of teachers) console.log(JSON.stringify({ seed, teacher: t.name, validAuc: t.valid.auc }));
  for (const v of VARIANTS) {
    const distill = { ...config.distill, ensemble: v.ensemble, ensembleTarget: v.ensembleTarget, gate: { ...config.distill.gate, input: v.input } };
    const ensemble = await buildEnsemble(v.ensemble, teacherLogits(teachers), data, config.training, distill, silentLogger);
    const splits = { train: data.train, valid: data.valid, totalRows: data.featureMap.totalRows, teacherTrain: ensemble.train, teacherValid: ensemble.valid };
    const student = await distillStudent(splits, config.student, distill, config.training, silentLogger, "student", STUDENT_SEED_STREAM);
    const ensembleAuc = evaluateLogits(data.valid.labels, ensemble.valid).auc;
    const studentAuc = evaluateLogits(data.valid.labels, predictLogits(student.model, data.valid)).auc;
    console.log(JSON.stringify({ seed, ...v, ensembleValidAuc: ensembleAuc, studentValidAuc: studentAuc }));
  }
}
