import type { StudentConfig } from "../config-types";
import { slotCountsOf, type StudentWeights } from "../export/student-weights";
import type { EmbeddingRemap } from "../runtime/embedding-remap";
import type { SlotLayout } from "../runtime/slots";
import type { CtrModel } from "../models/model";

/**
 * Reads a trained DNN student (built from studentHyperparameters, so no batch norm to fold) into the
 * exporter's plain form: its embedding table and its dense layers in order; `remap` is the compact embedding it
 * was built with (its table then has remap.totalRows rows).
 */
export function studentWeightsOf(model: CtrModel, student: StudentConfig, layout: SlotLayout, remap?: EmbeddingRemap): StudentWeights {
  const table = model.tables[0];
  if (model.name !== "DNN" || table === undefined) throw new Error(`studentWeightsOf: expected a DNN student, got ${model.name}`);
  const names = [...student.hiddenUnits.map((_, i) => `mlp/dense_${i}`), "mlp/output"];
  const layers = names.map((name, i) => {
    const kernel = model.params.get(`${name}/kernel`);
    const [inDim, outDim] = kernel.shape as [number, number];
    return {
      inDim,
      outDim,
      weights: kernel.dataSync() as Float32Array,
      bias: model.params.get(`${name}/bias`).dataSync() as Float32Array,
      activation: i < names.length - 1 ? ("relu" as const) : ("linear" as const),
    };
  });
  if ((remap === undefined) !== (table.lookup === undefined) || (remap !== undefined && remap.totalRows !== table.rows))
    throw new Error("studentWeightsOf: the remap given is not the one the student's table was built with");
  return { numFields: layout.numFields, ...slotCountsOf(layout), embeddingDim: table.dim, totalRows: table.rows, embedding: table.weights, layers, ...(remap === undefined ? {} : { remap }) };
}
