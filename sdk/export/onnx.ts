import { ProtoWriter } from "./protobuf";
import { UserError } from "../errors";
import { quantizeF16, quantizeInt8Rows, type DenseQuantize, type Quantize } from "./quantize";
import { studentSlots, validateStudentWeights, type StudentWeights } from "./student-weights";
import { hasSecondRows, remapLookup, remapSecondLookup } from "../runtime/embedding-remap";
import type { SlotLayout } from "../runtime/slots";

/**
 * The student as an ONNX model (opset 13, IR version 7), written by hand against onnx/onnx.proto so that
 * export needs no dependency. Inputs `ids` int64 [N, S] (global embedding rows, as the WASM scorer takes
 * them) and `values` float [N, S], S slots (= F fields unless sequences pool several); output `ctr` [N, 1]:
 *
 *   ids = Gather(remap, ids)                         [N, S]      only for a compact embedding: remap[id] = its row
 *   e = e * Gather(embedding, Gather(second, ids))   [N, S, D]   only with qr fields: each id's quotient row, or a
 *                                                                row of ones (appended to the table) for the others
 *   e = Gather(embedding, ids) * Unsqueeze(values, 2) [N, S, D]
 *   e = MatMul(P, e)                                 [N, F, D]   only when pooling: P[f][s] = 1 if slot s is field f's
 *   x = Reshape(e, [-1, F*D])                        [N, F*D]
 *   x = Relu(MatMul(x, W_i) + b_i)                   per hidden layer
 *   ctr = Sigmoid(MatMul(x, W_out) + b_out)          [N, 1]
 *
 * With `quantize`, the table is stored as the WASM scorer stores it and widened after the gather:
 * fp16 → Cast(float); int8 → Cast(float) of the codes times Gather(scales) * values, the same
 * f32(code) * f32(scale * value) as assembly/embedding.ts. Dense layers are f32 either way: the int8 dense
 * layers of student.wasm (`quantizeDense: "int8"`) are refused, since opset 13 has no operator for their
 * arithmetic (int16 inputs with one scale per row, int8 weights with one per output channel: DynamicQuantizeLinear
 * + MatMulInteger quantise the inputs to uint8 with one scale per tensor, which would score other numbers).
 * A compact embedding's remap (sdk/runtime/embedding-remap.ts) is stored as its lookup, int64 [inputRows]: the
 * row of every feature-map id, the same rows as the WASM scorer's per-field ops (which also refuse an id of
 * another field's range; the lookup maps it).
 */

/** The operator set the graph is written against. */
export const ONNX_OPSET = 13;
/** The IR version that goes with opset 13. */
export const ONNX_IR_VERSION = 7;

/** TensorProto.DataType codes used here. */
export const OnnxDataType = { float: 1, int8: 3, int64: 7, float16: 10 } as const;

/** AttributeProto.AttributeType codes used here. */
const ATTRIBUTE_INT = 2;

/** Field numbers of onnx.proto messages. */
const Model = { irVersion: 1, producerName: 2, producerVersion: 3, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14 } as const;
const OpsetId = { domain: 1, version: 2 } as const;
const Graph = { node: 1, name: 2, initializer: 5, input: 11, output: 12 } as const;
const Node = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 } as const;
const Attribute = { name: 1, i: 3, type: 20 } as const;
const Tensor = { dims: 1, dataType: 2, name: 8, rawData: 9 } as const;
const ValueInfo = { name: 1, type: 2 } as const;
const TypeProto = { tensorType: 1 } as const;
const TensorType = { elemType: 1, shape: 2 } as const;
const Shape = { dim: 1 } as const;
const Dimension = { value: 1, param: 2 } as const;
const StringEntry = { key: 1, value: 2 } as const;

/** Name of the symbolic batch dimension. */
const BATCH_DIM = "N";

export interface OnnxExportOptions {
  /** How the embedding table is stored (default "none": f32). */
  quantize?: Quantize;
  /** Only "none" (the default): int8 dense layers have no ONNX form here, and are refused with a UserError. */
  quantizeDense?: DenseQuantize;
  /** Recorded in the model's metadata_props, for a consumer to check against its feature map. */
  featureMapId?: string;
  /** Recorded in metadata_props: the id of the WASM scorer built from the same weights. */
  modelId?: string;
  /** producer_version (default "0"). */
  producerVersion?: string;
}

/** An initializer: a named tensor with its dims and raw little-endian bytes. */
function initializer(name: string, dataType: number, dims: number[], data: ArrayBufferView): ProtoWriter {
  const t = new ProtoWriter();
  for (const d of dims) t.varint(Tensor.dims, d);
  t.varint(Tensor.dataType, dataType);
  t.string(Tensor.name, name);
  t.bytes(Tensor.rawData, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return t;
}

function node(opType: string, inputs: string[], outputs: string[], ints: Record<string, number> = {}): ProtoWriter {
  const n = new ProtoWriter();
  for (const i of inputs) n.string(Node.input, i);
  for (const o of outputs) n.string(Node.output, o);
  n.string(Node.name, `${opType}:${outputs[0]}`);
  n.string(Node.opType, opType);
  for (const [name, value] of Object.entries(ints)) {
    n.message(Node.attribute, new ProtoWriter().string(Attribute.name, name).varint(Attribute.i, value).varint(Attribute.type, ATTRIBUTE_INT));
  }
  return n;
}

/** A graph input or output: a tensor of `elemType` whose dims are numbers or symbolic names. */
function valueInfo(name: string, elemType: number, dims: (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(Shape.dim, typeof d === "number" ? new ProtoWriter().varint(Dimension.value, d) : new ProtoWriter().string(Dimension.param, d));
  const tensor = new ProtoWriter().varint(TensorType.elemType, elemType).message(TensorType.shape, shape);
  return new ProtoWriter().string(ValueInfo.name, name).message(ValueInfo.type, new ProtoWriter().message(TypeProto.tensorType, tensor));
}

/** [F, S]: 1 where slot s belongs to field f, so that MatMul sums each field's slots. */
function poolingMatrix(layout: SlotLayout): Float32Array {
  const p = new Float32Array(layout.numFields * layout.numSlots);
  let slot = 0;
  layout.slotCounts.forEach((count, f) => {
    for (let k = 0; k < count; k++) p[f * layout.numSlots + slot++] = 1;
  });
  return p;
}

/** Encodes the student as an ONNX ModelProto. */
export function exportStudentOnnx(weights: StudentWeights, opts: OnnxExportOptions = {}): Uint8Array {
  validateStudentWeights(weights, "exportStudentOnnx");
  if (opts.quantizeDense !== undefined && opts.quantizeDense !== "none")
    throw new UserError(
      `exportStudentOnnx: 'quantizeDense' ${JSON.stringify(opts.quantizeDense)} has no ONNX form: student.wasm's int8 dense layers (int16 inputs scaled ` +
        "per row, int8 weights per output channel) are not an opset-13 graph; export the ONNX model with f32 dense layers",
    );
  const { numFields: F, embeddingDim: D, layers } = weights;
  // With qr fields, a row of ones after the table: the second row of every id that has none.
  const second = weights.remap !== undefined && hasSecondRows(weights.remap) ? remapSecondLookup(weights.remap)! : null;
  const totalRows = weights.totalRows + (second === null ? 0 : 1);
  const embedding = second === null ? weights.embedding : new Float32Array(totalRows * D).fill(1);
  if (second !== null) embedding.set(weights.embedding);
  const layout = studentSlots(weights);
  const quantize = opts.quantize ?? "none";
  const nodes: ProtoWriter[] = [];
  const inits: ProtoWriter[] = [];

  // Embedding lookup, scaled by the values: "scaled" [N, F, D].
  inits.push(initializer("unsqueeze_axes", OnnxDataType.int64, [1], BigInt64Array.of(2n)));
  inits.push(initializer("flatten_shape", OnnxDataType.int64, [2], BigInt64Array.of(-1n, BigInt(F * D))));
  nodes.push(node("Unsqueeze", ["values", "unsqueeze_axes"], ["values_3d"]));
  let ids = "ids";
  if (weights.remap !== undefined) {
    inits.push(initializer("remap", OnnxDataType.int64, [weights.remap.inputRows], BigInt64Array.from(remapLookup(weights.remap), (r) => BigInt(r))));
    nodes.push(node("Gather", ["remap", "ids"], ["rows"], { axis: 0 }));
    ids = "rows";
  }
  const firstScaled = second === null ? "scaled" : "scaled_first";
  if (quantize === "none") {
    inits.push(initializer("embedding", OnnxDataType.float, [totalRows, D], embedding));
    nodes.push(node("Gather", ["embedding", ids], ["gathered"], { axis: 0 }));
    nodes.push(node("Mul", ["gathered", "values_3d"], [firstScaled]));
  } else if (quantize === "fp16") {
    inits.push(initializer("embedding_f16", OnnxDataType.float16, [totalRows, D], quantizeF16(embedding)));
    nodes.push(node("Gather", ["embedding_f16", ids], ["gathered_f16"], { axis: 0 }));
    nodes.push(node("Cast", ["gathered_f16"], ["gathered"], { to: OnnxDataType.float }));
    nodes.push(node("Mul", ["gathered", "values_3d"], [firstScaled]));
  } else {
    const { scales, codes } = quantizeInt8Rows(embedding, totalRows, D);
    inits.push(initializer("embedding_codes", OnnxDataType.int8, [totalRows, D], codes));
    inits.push(initializer("embedding_scales", OnnxDataType.float, [totalRows, 1], scales));
    nodes.push(node("Gather", ["embedding_codes", ids], ["gathered_codes"], { axis: 0 }));
    nodes.push(node("Cast", ["gathered_codes"], ["gathered"], { to: OnnxDataType.float }));
    nodes.push(node("Gather", ["embedding_scales", ids], ["row_scales"], { axis: 0 }));
    nodes.push(node("Mul", ["row_scales", "values_3d"], ["row_multipliers"]));
    nodes.push(node("Mul", ["gathered", "row_multipliers"], [firstScaled]));
  }
  if (second !== null) {
    const rows = BigInt64Array.from(second, (r) => BigInt(r < 0 ? weights.totalRows : r));
    inits.push(initializer("remap_second", OnnxDataType.int64, [rows.length], rows));
    nodes.push(node("Gather", ["remap_second", "ids"], ["second_rows"], { axis: 0 }));
    if (quantize === "none") nodes.push(node("Gather", ["embedding", "second_rows"], ["second_gathered"], { axis: 0 }));
    else if (quantize === "fp16") {
      nodes.push(node("Gather", ["embedding_f16", "second_rows"], ["second_f16"], { axis: 0 }));
      nodes.push(node("Cast", ["second_f16"], ["second_gathered"], { to: OnnxDataType.float }));
    } else {
      nodes.push(node("Gather", ["embedding_codes", "second_rows"], ["second_codes"], { axis: 0 }));
      nodes.push(node("Cast", ["second_codes"], ["second_codes_f32"], { to: OnnxDataType.float }));
      nodes.push(node("Gather", ["embedding_scales", "second_rows"], ["second_scales"], { axis: 0 }));
      nodes.push(node("Mul", ["second_codes_f32", "second_scales"], ["second_gathered"]));
    }
    nodes.push(node("Mul", ["scaled_first", "second_gathered"], ["scaled"]));
  }
  if (layout.pooled) {
    inits.push(initializer("pooling", OnnxDataType.float, [F, layout.numSlots], poolingMatrix(layout)));
    nodes.push(node("MatMul", ["pooling", "scaled"], ["pooled"]));
  }
  nodes.push(node("Reshape", [layout.pooled ? "pooled" : "scaled", "flatten_shape"], ["x0"]));

  // The MLP; the last layer's linear output is the logit.
  let x = "x0";
  layers.forEach((layer, i) => {
    const last = i === layers.length - 1;
    inits.push(initializer(`dense_${i}/kernel`, OnnxDataType.float, [layer.inDim, layer.outDim], layer.weights));
    inits.push(initializer(`dense_${i}/bias`, OnnxDataType.float, [layer.outDim], layer.bias));
    nodes.push(node("MatMul", [x, `dense_${i}/kernel`], [`dense_${i}/matmul`]));
    const out = last ? "logit" : layer.activation === "relu" ? `dense_${i}/linear` : `x${i + 1}`;
    nodes.push(node("Add", [`dense_${i}/matmul`, `dense_${i}/bias`], [out]));
    if (!last && layer.activation === "relu") nodes.push(node("Relu", [out], [`x${i + 1}`]));
    x = `x${i + 1}`;
  });
  nodes.push(node("Sigmoid", ["logit"], ["ctr"]));

  const graph = new ProtoWriter();
  for (const n of nodes) graph.message(Graph.node, n);
  graph.string(Graph.name, "ctr-distill-student");
  for (const t of inits) graph.message(Graph.initializer, t);
  graph.message(Graph.input, valueInfo("ids", OnnxDataType.int64, [BATCH_DIM, layout.numSlots]));
  graph.message(Graph.input, valueInfo("values", OnnxDataType.float, [BATCH_DIM, layout.numSlots]));
  graph.message(Graph.output, valueInfo("ctr", OnnxDataType.float, [BATCH_DIM, 1]));

  const model = new ProtoWriter()
    .varint(Model.irVersion, ONNX_IR_VERSION)
    .string(Model.producerName, "ctr-distill")
    .string(Model.producerVersion, opts.producerVersion ?? "0")
    .string(Model.docString, `ctr-distill DNN student: ${F} fields, embedding ${totalRows}x${D} (${quantize}), MLP ${layers.map((l) => l.outDim).join("-")}`)
    .message(Model.graph, graph)
    .message(Model.opsetImport, new ProtoWriter().string(OpsetId.domain, "").varint(OpsetId.version, ONNX_OPSET));
  const meta: Record<string, string> = { quantize };
  if (opts.featureMapId !== undefined) meta.featureMapId = opts.featureMapId;
  if (opts.modelId !== undefined) meta.modelId = opts.modelId;
  for (const [key, value] of Object.entries(meta)) model.message(Model.metadataProps, new ProtoWriter().string(StringEntry.key, key).string(StringEntry.value, value));
  return model.finish();
}
