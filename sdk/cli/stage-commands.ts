import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadConfig, parseConfig } from "../config";
import { loadFeatureMap } from "../data/feature-map-io";
import { prepareData, readEncoded } from "../data/prepare";
import { UserError } from "../errors";
import { stderrLogger } from "../log";
import { countParams } from "../models/model";
import { loadSavedModel, loadTeachers } from "../pipeline/load-models";
import { distillStage, RUN_CONFIG_FILE, trainStage } from "../pipeline/run";
import { formatRunTable } from "../pipeline/table";
import { loggedTeachers, teacherResultOf } from "../pipeline/teachers";
import { Scorer } from "../runtime/scorer";
import { evaluateLogits } from "../train/evaluate";
import { auc } from "../metrics/auc";
import { logloss } from "../metrics/logloss";
import { predictLogits } from "../train/step";
import { parseFlags, port, required } from "./args";
import { backendFor, printJson } from "./output";
import { DEFAULT_PORT } from "../serve/serve";

/** `train --config C --out DIR`: data, feature map and the pre-trained teachers, nothing else. */
export async function trainCommand(argv: string[]): Promise<void> {
  const flags = parseFlags("train", argv, { config: { type: "string" }, out: { type: "string" }, json: { type: "boolean" }, backend: { type: "string" }, "skip-bad-lines": { type: "boolean" }, resume: { type: "boolean" } });
  const config = loadConfig(required("train", flags, "config"));
  const outDir = required("train", flags, "out");
  await backendFor(flags.backend);
  const { teachers } = await trainStage({ config, outDir, log: stderrLogger, skipBadLines: flags["skip-bad-lines"] === true, resume: flags.resume === true });
  const rows = (teachers ?? []).map((t) => ({ model: t.name, auc: t.test.auc, logloss: t.test.logloss, params: t.params }));
  if (flags.json === true) printJson({ teachers: rows, run: outDir });
  else for (const r of rows) process.stdout.write(`${r.model.padEnd(12)} test AUC ${r.auc.toFixed(4)}  logloss ${r.logloss.toFixed(4)}  params ${r.params}\n`);
}

async function readRunConfig(dir: string) {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(join(dir, RUN_CONFIG_FILE), "utf8"));
  } catch {
    throw new UserError(`${dir}: not a run directory of \`ctr-distill train\` (no readable ${RUN_CONFIG_FILE})`);
  }
  return parseConfig(doc, join(dir, RUN_CONFIG_FILE));
}

/** `distill --run DIR`: the students from the teachers saved by `train`, then export and checks. */
export async function distillCommand(argv: string[]): Promise<void> {
  const flags = parseFlags("distill", argv, { run: { type: "string" }, json: { type: "boolean" }, backend: { type: "string" }, "no-http-check": { type: "boolean" }, port: { type: "string" } });
  const dir = required("distill", flags, "run");
  const config = await readRunConfig(dir);
  const backend = await backendFor(flags.backend);
  const saved = await loadFeatureMap(join(dir, "feature-map.json"));
  const data = await prepareData(config.data, { seed: config.training.seed, log: stderrLogger });
  if (data.featureMap.id !== saved.id) throw new UserError(`${dir}: the data no longer fits the run's feature map (refitted id ${data.featureMap.id.slice(0, 12)}…, saved ${saved.id.slice(0, 12)}…); run \`train\` again`);
  const joint = config.distill.teacherTraining === "joint";
  const teachers = joint
    ? null
    : [
        ...(await loadTeachers(dir, saved)).map((t) => teacherResultOf(t.name, { model: t.model, params: countParams(t.model), fit: { history: [], bestEpoch: 0, bestScore: NaN, stoppedEarly: false } }, data)),
        ...loggedTeachers(config, data, stderrLogger),
      ];
  const report = await distillStage(
    { config, outDir: dir, log: stderrLogger, backend, httpCheckPort: flags["no-http-check"] === true ? null : port("distill", flags.port, DEFAULT_PORT) },
    data,
    teachers,
  );
  if (flags.json === true) printJson(report);
  else process.stdout.write(formatRunTable(report) + "\n");
}

/** `evaluate --run DIR --data F [--json]`: every model of a run (teachers, student, student.wasm) on a file. */
export async function evaluateCommand(argv: string[]): Promise<void> {
  const flags = parseFlags("evaluate", argv, { run: { type: "string" }, data: { type: "string" }, json: { type: "boolean" }, backend: { type: "string" } });
  const dir = required("evaluate", flags, "run");
  const file = required("evaluate", flags, "data");
  const config = await readRunConfig(dir);
  await backendFor(flags.backend);
  const featureMap = await loadFeatureMap(join(dir, "feature-map.json"));
  const ds = await readEncoded(file, config.data, featureMap, { log: stderrLogger });
  const models = [...(await loadTeachers(dir, featureMap)), await loadSavedModel(join(dir, "student"), featureMap, "student")];
  const rows = models.map((m) => ({ name: m.name, kind: m.kind, ...evaluateLogits(ds.labels, predictLogits(m.model, ds)) }));
  const scorer = await Scorer.fromBytes(await readFile(join(dir, "student.wasm")));
  scorer.checkFeatureMap(featureMap);
  const probs = scorer.score(ds.ids, ds.values, ds.n);
  rows.push({ name: "student.wasm", kind: "student", auc: auc(ds.labels, probs), logloss: logloss(ds.labels, probs) });
  if (flags.json === true) printJson({ file, rows: ds.n, models: rows });
  else for (const r of rows) process.stdout.write(`${r.name.padEnd(14)} ${r.kind.padEnd(8)} AUC ${r.auc.toFixed(4)}  logloss ${r.logloss.toFixed(4)}\n`);
}
