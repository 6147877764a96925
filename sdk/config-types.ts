/**
 * The run configuration's types as `parseConfig` returns them (defaults filled in), inferred from the one
 * reference in config/schema.ts: docs/config.md describes every key.
 */

import type { Static } from "@sinclair/typebox";
import type { COLUMN_SPLIT, DATA, DISTILL, FEATURE, LOOKUP, RUN_CONFIG, STUDENT, SYNTHETIC, TEACHER, TEACHER_SCORES, TRAINING } from "./config/schema";

export type FeatureConfig = Static<typeof FEATURE>;
export type SyntheticConfig = Static<typeof SYNTHETIC>;
export type TeacherScoresConfig = Static<typeof TEACHER_SCORES>;
export type LookupConfig = Static<typeof LOOKUP>;
export type DataConfig = Static<typeof DATA>;
/** `data.split` by the values or ranges of a column (a time split). */
export type ColumnSplitConfig = Static<typeof COLUMN_SPLIT>;
export type DataFormat = DataConfig["format"];
/** A model name and its hyperparameters (checked against the model's by `resolveModel`). */
export type TeacherConfig = Static<typeof TEACHER> & { [hyperparameter: string]: unknown };
export type StudentConfig = Static<typeof STUDENT>;
export type DistillConfig = Static<typeof DISTILL>;
export type EnsembleKind = DistillConfig["ensemble"];
export type TrainingConfig = Static<typeof TRAINING>;
export type RunConfig = Omit<Static<typeof RUN_CONFIG>, "teachers"> & { teachers: TeacherConfig[] };
