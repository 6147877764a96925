import * as tf from "@tensorflow/tfjs-core";
import { RowRangeReader } from "../data/dataset";
import type { PreparedData } from "../data/prepare";
import { UserError } from "../errors";
import { gatherEmbeddings, predictOutputs, type SideInput } from "../train/step";
import type { TrainedModel } from "../train/train-teacher";
import type { TeacherResult } from "./teachers";

/** The trained teacher with the best validation AUC: the source of hints (its hidden layer). */
export function bestTeacher(teachers: TeacherResult[]): TeacherResult & { trained: TrainedModel } {
  const trained = teachers.filter((t): t is TeacherResult & { trained: TrainedModel } => t.trained !== null);
  if (trained.length === 0) throw new UserError("distill.hint: hints need a teacher trained here (logged scores have no hidden layer)");
  return trained.reduce((a, b) => (b.valid.auc > a.valid.auc ? b : a));
}

/** The hidden layer of the best teacher on every training row: the hint targets. */
export function hintTargets(teacher: TeacherResult & { trained: TrainedModel }, data: PreparedData): SideInput {
  const { model } = teacher.trained;
  const t = data.train;
  const first = { ...new RowRangeReader(t, t.layout.numSlots, 1).read(0, 1), n: 1, layout: t.layout };
  const dim = tf.tidy(() => model.forward(gatherEmbeddings(model, first), false).hidden?.shape[1]);
  if (dim === undefined) throw new UserError(`distill.hint: teacher ${teacher.name} has no hidden layer to give hints`);
  return { values: predictOutputs(model, t, (o) => o.hidden!, dim), dim };
}

