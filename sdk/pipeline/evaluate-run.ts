import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadFeatureMap } from "../data/feature-map-io";
import { readEncoded } from "../data/prepare";
import type { Logger } from "../log";
import { auc } from "../metrics/auc";
import { logloss } from "../metrics/logloss";
import { Scorer } from "../runtime/scorer";
import { evaluateLogits } from "../train/evaluate";
import { predictLogits } from "../train/step";
import { readRunConfig } from "./distill-run";
import { loadSavedModel, loadTeachers } from "./load-models";

/** `evaluate --json`'s object: every model of a run on one labelled file. */
export interface EvaluateResult {
  file: string;
  rows: number;
  models: { name: string; kind: "teacher" | "student"; auc: number; logloss: number }[];
}

/** Every model of a run directory (teachers, the tfjs student and student.wasm) on a labelled file. */
export async function evaluateRun(dir: string, file: string, opts: { log?: Logger } = {}): Promise<EvaluateResult> {
  const config = await readRunConfig(dir);
  const featureMap = await loadFeatureMap(join(dir, "feature-map.json"));
  const ds = await readEncoded(file, config.data, featureMap, opts.log === undefined ? {} : { log: opts.log });
  const models = [...(await loadTeachers(dir, featureMap)), await loadSavedModel(join(dir, "student"), featureMap, "student")];
  const rows: EvaluateResult["models"] = models.map((m) => ({ name: m.name, kind: m.kind, ...evaluateLogits(ds.labels, predictLogits(m.model, ds)) }));
  const scorer = await Scorer.fromBytes(await readFile(join(dir, "student.wasm")));
  scorer.checkFeatureMap(featureMap);
  const probs = scorer.score(ds.ids, ds.values, ds.n);
  rows.push({ name: "student.wasm", kind: "student", auc: auc(ds.labels, probs), logloss: logloss(ds.labels, probs) });
  return { file, rows: ds.n, models: rows };
}
