import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunConfig } from "../config-types";
import type { PreparedData } from "../data/prepare";
import { studentWeightsOf } from "../distill/student-weights";
import { saveCheckpoint } from "../train/checkpoint";
import { writeArtifact, type Artifact, type ArtifactInputs } from "./artifact";
import { studentRemap, type StudentResult } from "./students";

/** The run configuration as resolved, kept in the run directory for the later stages (`distill --run`). */
export const RUN_CONFIG_FILE = "config.json";

/**
 * Makes `dir` a servable run directory of `student`: its checkpoint (`student/`, what `export` rebuilds from),
 * the config, and the artifact (feature-map.json, student.wasm, student.onnx unless the dense layers are int8, model.json).
 */
export async function saveStudentRun(
  dir: string,
  config: RunConfig,
  data: PreparedData,
  student: StudentResult,
  exportOptions: Pick<ArtifactInputs, "quantize" | "quantizeDense" | "budget" | "budgetFit"> = {},
  /** The config written to config.json, when `config` is one resolved from it (a student sized to its budget). */
  runConfig: RunConfig = config,
): Promise<Artifact> {
  await saveCheckpoint(student.model, join(dir, "student"), {
    hyperparameters: {
      embeddingDim: config.student.embeddingDim,
      hiddenUnits: config.student.hiddenUnits,
      ...(config.student.embedding === undefined ? {} : { embedding: config.student.embedding }),
    },
    featureMapId: data.featureMap.id,
    extra: { test: student.test, ensemble: student.ensemble },
  });
  await writeFile(join(dir, RUN_CONFIG_FILE), JSON.stringify(runConfig, null, 2) + "\n");
  const weights = studentWeightsOf(student.model, config.student, data.train.layout, studentRemap(config, data));
  return writeArtifact({ outDir: dir, featureMap: data.featureMap, weights, config, params: student.params, metrics: { test: student.test }, ...exportOptions });
}
