import type { RunConfig } from "../config-types";
import type { CompileOptions } from "../export/compile";
import { studentSizer, type PredictedSize, type StudentShape } from "../export/student-size";
import { UserError } from "../errors";
import type { Logger } from "../log";
import { compactRemapOf, type CompactEmbeddingSpec } from "../runtime/embedding-remap";
import type { FeatureMap } from "../runtime/feature-map";
import type { SlotLayout } from "../runtime/slots";

/**
 * `student.budgetBytes` (DESIGN.md "Student size"): one student is trained, sized before training from the exact
 * size formula (sdk/export/student-size.ts). The parameter of `student.embedding`'s kind (keep for prune, the
 * default; buckets for hash) is the largest whose student.wasm, embedding stored f32, has a gzip bound within the
 * budget; per-field overrides keep their own. Rows grow with the parameter, so a binary search finds it.
 */

/** What model.json records of a budget: the budget, the parameter chosen, and the predicted sizes. */
export interface BudgetFit {
  budgetBytes: number;
  embedding: CompactEmbeddingSpec;
  predicted: PredictedSize;
}

/** No student of the config's shape fits `budgetBytes`: the smallest one, its keep or buckets 1, is larger. */
export class StudentBudgetUnreachableError extends UserError {
  override name = "StudentBudgetUnreachableError";
  constructor(
    readonly budgetBytes: number,
    /** The smallest student's sizes (keep or buckets 1): what a budget must at least be. */
    readonly smallest: PredictedSize,
    message: string,
  ) {
    super(message);
  }
}

/** The config with `student.embedding` sized to `student.budgetBytes`, and the fit; the config as it is without a budget. */
export async function fitStudentBudget(
  config: RunConfig,
  featureMap: FeatureMap,
  layout: SlotLayout,
  log: Logger,
  compile?: CompileOptions,
): Promise<{ config: RunConfig; fit: BudgetFit | null }> {
  const budget = config.student.budgetBytes;
  if (budget === undefined) return { config, fit: null };
  const base = config.student.embedding ?? { kind: "prune" as const };
  if (base.kind !== "prune" && base.kind !== "hash")
    throw new UserError(`config.student.budgetBytes: sizes the student by student.embedding kind "prune" (the default) or "hash"; this one is ${JSON.stringify(base.kind)}`);
  const key = base.kind === "hash" ? "buckets" : "keep";
  const specOf = (p: number): CompactEmbeddingSpec => ({ ...base, kind: base.kind === "hash" ? "hash" : "prune", [key]: p });
  const sizer = await studentSizer(compile);
  const sizeOf = (p: number): PredictedSize => {
    const remap = compactRemapOf(featureMap, specOf(p));
    const shape: StudentShape = {
      numFields: layout.numFields,
      embeddingDim: config.student.embeddingDim,
      totalRows: remap?.totalRows ?? featureMap.totalRows,
      hiddenUnits: config.student.hiddenUnits,
      slotCounts: layout.slotCounts,
      remapped: remap !== undefined,
      quantize: "none",
    };
    return sizer(shape);
  };
  // Past the largest field nothing shrinks any more: the whole student.
  const most = Math.max(...featureMap.features.map((f) => f.size));
  const smallest = sizeOf(1);
  if (smallest.gzipBytesAtMost > budget)
    throw new StudentBudgetUnreachableError(
      budget,
      smallest,
      `config.student.budgetBytes: no student fits ${budget.toLocaleString("en-US")} bytes gzip; the smallest reachable is ` +
        `${smallest.gzipBytesAtMost.toLocaleString("en-US")} bytes (student.embedding ${key} 1, student.wasm ${smallest.wasmBytes.toLocaleString("en-US")} bytes): ` +
        "raise the budget, or lower student.embeddingDim or student.hiddenUnits",
    );
  let lo = 1;
  let hi = most;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sizeOf(mid).gzipBytesAtMost <= budget) lo = mid;
    else hi = mid - 1;
  }
  const embedding = specOf(lo);
  const predicted = sizeOf(lo);
  log(
    `student budget ${budget.toLocaleString("en-US")} bytes gzip: student.embedding ${embedding.kind} ${key} ${lo}` +
      `${lo === most ? " (the whole table fits)" : ""}, student.wasm ${predicted.wasmBytes.toLocaleString("en-US")} bytes, gzip at most ${predicted.gzipBytesAtMost.toLocaleString("en-US")}`,
  );
  return { config: { ...config, student: { ...config.student, embedding } }, fit: { budgetBytes: budget, embedding, predicted } };
}
