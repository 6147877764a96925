import * as tf from "@tensorflow/tfjs-core";
import { RowRangeReader } from "../data/dataset";
import type { PreparedData } from "../data/prepare";
import { UserError } from "../errors";
import type { HintSource } from "../distill/distill";
import { gatherEmbeddings } from "../train/step";
import type { TrainedModel } from "../train/train-teacher";
import type { TeacherResult } from "./teachers";

/** The width of a trained model's last hidden layer, or null for a model without one (LR, FM). */
function hiddenWidth(model: TrainedModel["model"], data: PreparedData): number | null {
  const t = data.train;
  const first = { ...new RowRangeReader(t, t.layout.numSlots, 1).read(0, 1), n: 1, layout: t.layout };
  return tf.tidy(() => model.forward(gatherEmbeddings(model, first), false).hidden?.shape[1]) ?? null;
}

/**
 * The hint source: the last hidden layer of the teacher with the best validation AUC among those that have one
 * (a linear teacher such as LR or FM has no hidden layer to give hints), run on each batch as it is trained.
 */
export function hintTargets(teachers: readonly TeacherResult[], data: PreparedData): HintSource {
  const candidates = teachers
    .filter((t): t is TeacherResult & { trained: TrainedModel } => t.trained !== null)
    .map((t) => ({ t, dim: hiddenWidth(t.trained.model, data) }))
    .filter((c): c is { t: TeacherResult & { trained: TrainedModel }; dim: number } => c.dim !== null);
  if (candidates.length === 0)
    throw new UserError(`distill.hint: no teacher trained here has a hidden layer to give hints (${teachers.map((t) => t.name).join(", ") || "no teachers"}); add one such as DNN, or set distill.hint to false`);
  const { t, dim } = candidates.reduce((a, b) => (b.t.valid.auc > a.t.valid.auc ? b : a));
  const { model } = t.trained;
  const { layout } = data.train;
  return { dim, teacher: t.name, targets: (batch) => tf.tidy(() => model.forward(gatherEmbeddings(model, { ...batch, layout }), false).hidden as tf.Tensor2D) };
}
