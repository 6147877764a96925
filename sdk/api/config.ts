import { loadConfig, parseConfig } from "../config";
import type { DataConfig, DistillConfig, RunConfig, StudentConfig, TeacherConfig, TrainingConfig } from "../config-types";
import type { GateConfig } from "../distill/gate";

/**
 * A run configuration as a user writes it: every section but `data` may be left out, and every key with a
 * default (docs/config.md) may be omitted. `resolveConfig` validates it and fills in the defaults.
 */
export interface RunConfigInput {
  data: Partial<DataConfig>;
  teachers?: TeacherConfig[];
  student?: Partial<StudentConfig>;
  distill?: Partial<Omit<DistillConfig, "gate">> & { gate?: Partial<GateConfig> };
  training?: Partial<TrainingConfig>;
  $schema?: string;
  description?: string;
}

/**
 * The validated configuration: from a file (JSON or YAML; relative paths resolve from its folder), or from an
 * object (validated again, so a hand-edited `RunConfig` is checked too). Throws a UserError naming the bad key.
 */
export function resolveConfig(config: RunConfigInput | RunConfig | string): RunConfig {
  return typeof config === "string" ? loadConfig(config) : parseConfig(config);
}
