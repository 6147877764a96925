import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseConfig } from "../config";
import type { RunConfig } from "../config-types";
import { loadFeatureMap } from "../data/feature-map-io";
import { disposeData, prepareData } from "../data/prepare";
import { UserError } from "../errors";
import type { Logger } from "../log";
import { countParams } from "../models/model";
import { loadTeachers } from "./load-models";
import { httpSelfCheck } from "./checks";
import { writeOutputFolder } from "./output-folder";
import { distillStage, type RunReport } from "./run";
import { RUN_CONFIG_FILE } from "./save-student";
import { loggedTeachers, teacherResultOf } from "./teachers";

/** The configuration a run directory was trained with (`DIR/config.json`), validated again. */
export async function readRunConfig(dir: string): Promise<RunConfig> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(join(dir, RUN_CONFIG_FILE), "utf8"));
  } catch {
    throw new UserError(`${dir}: not a run directory of \`ctr-distill train\` (no readable ${RUN_CONFIG_FILE})`);
  }
  return parseConfig(doc, join(dir, RUN_CONFIG_FILE));
}

export interface DistillRunOptions {
  /** A run directory written by the train stage. */
  dir: string;
  log: Logger;
  backend: string;
  /** Port of the HTTP self-check (0: a free one); null skips it. */
  httpCheckPort: number | null;
  /** `--budget`: student.budgetBytes for this distillation, in place of the run config's. */
  budgetBytes?: number;
}

/** `config` with `student.budgetBytes` replaced by `budgetBytes`, when given (`--budget` on run and distill). */
export function withBudget(config: RunConfig, budgetBytes: number | undefined): RunConfig {
  return budgetBytes === undefined ? config : { ...config, student: { ...config.student, budgetBytes } };
}

/** Stage 2 on a run directory of stage 1: the teachers it saved are loaded, the students trained and exported. */
export async function distillRun(options: DistillRunOptions): Promise<RunReport> {
  const { dir, log } = options;
  const config = await readRunConfig(dir);
  const saved = await loadFeatureMap(join(dir, "feature-map.json"));
  const data = await prepareData(config.data, { seed: config.training.seed, log });
  let report: RunReport;
  try {
    if (data.featureMap.id !== saved.id) throw new UserError(`${dir}: the data no longer fits the run's feature map (refitted id ${data.featureMap.id.slice(0, 12)}…, saved ${saved.id.slice(0, 12)}…); run \`train\` again`);
    const joint = config.distill.teacherTraining === "joint";
    const teachers = joint
      ? null
      : [
          ...(await loadTeachers(dir, saved)).map((t) => teacherResultOf(t.name, { model: t.model, params: countParams(t.model), fit: { history: [], bestEpoch: 0, bestScore: NaN, stoppedEarly: false } }, data)),
          ...loggedTeachers(config, data, log),
        ];
    // Written into a copy of the run that replaces it when complete: a failed or stopped distill leaves the run as `train` left it.
    report = await writeOutputFolder(dir, { kind: "run", config, resume: true }, (copy) => distillStage({ config: withBudget(config, options.budgetBytes), outDir: copy, log, backend: options.backend }, data, teachers, { runDir: dir }));
  } finally {
    disposeData(data);
  }
  return { ...report, http: options.httpCheckPort === null ? null : await httpSelfCheck(dir, options.httpCheckPort, log) };
}
