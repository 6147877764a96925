import * as tf from "@tensorflow/tfjs-core";
import { RowRangeReader } from "../data/dataset";
import type { PreparedData } from "../data/prepare";
import { UserError } from "../errors";
import { gatherEmbeddings, predictOutputs, type SideInput } from "../train/step";
import type { TrainedModel } from "../train/train-teacher";
import type { TeacherResult } from "./teachers";

/** The width of a trained model's last hidden layer, or null for a model without one (LR, FM). */
function hiddenWidth(model: TrainedModel["model"], data: PreparedData): number | null {
  const t = data.train;
  const first = { ...new RowRangeReader(t, t.layout.numSlots, 1).read(0, 1), n: 1, layout: t.layout };
  return tf.tidy(() => model.forward(gatherEmbeddings(model, first), false).hidden?.shape[1]) ?? null;
}

/**
 * The hint targets: the last hidden layer, on every training row, of the teacher with the best validation AUC
 * among those that have one (a linear teacher such as LR or FM has no hidden layer to give hints).
 */
export function hintTargets(teachers: readonly TeacherResult[], data: PreparedData): SideInput & { teacher: string } {
  const candidates = teachers
    .filter((t): t is TeacherResult & { trained: TrainedModel } => t.trained !== null)
    .map((t) => ({ t, dim: hiddenWidth(t.trained.model, data) }))
    .filter((c): c is { t: TeacherResult & { trained: TrainedModel }; dim: number } => c.dim !== null);
  if (candidates.length === 0)
    throw new UserError(`distill.hint: no teacher trained here has a hidden layer to give hints (${teachers.map((t) => t.name).join(", ") || "no teachers"}); add one such as DNN, or set distill.hint to false`);
  const { t, dim } = candidates.reduce((a, b) => (b.t.valid.auc > a.t.valid.auc ? b : a));
  return { values: predictOutputs(t.trained.model, data.train, (o) => o.hidden!, dim), dim, teacher: t.name };
}
