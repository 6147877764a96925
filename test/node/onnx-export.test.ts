import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { exportStudentWasm } from "../../sdk/export/export-student";
import { JsScorer } from "../../sdk/export/js-scorer";
import { exportStudentOnnx, ONNX_IR_VERSION, ONNX_OPSET, OnnxDataType } from "../../sdk/export/onnx";
import { ProtoWriter } from "../../sdk/export/protobuf";
import type { Quantize } from "../../sdk/export/quantize";
import type { DenseLayerWeights, StudentWeights } from "../../sdk/export/student-weights";
import { webAssembly } from "../../sdk/export/wasm-api";
import { Scorer } from "../../sdk/runtime/scorer";
import { seeded } from "./fixtures/seeded";

/**
 * The hand-written ONNX export: its protobuf read back by a minimal decoder (always), and run by
 * onnxruntime-node against the plain-JS forward pass and the WASM scorer (when onnxruntime-node loads:
 * it is a devDependency whose native library may be missing on some platforms).
 */

type OrtModule = typeof import("onnxruntime-node");
const ort: OrtModule | null = await import("onnxruntime-node").then(
  (m) => ((m as { default?: OrtModule }).default ?? m) as OrtModule,
  () => null,
);

const F = 5;
const D = 6;
const TOTAL_ROWS = 40;
const FEATURE_MAP_ID = createHash("sha256").update("onnx-export feature map").digest("hex");

function randomStudent(seed: number): StudentWeights {
  const rnd = seeded(seed);
  const layer = (inDim: number, outDim: number, activation: DenseLayerWeights["activation"]): DenseLayerWeights => ({
    inDim,
    outDim,
    weights: Float32Array.from({ length: inDim * outDim }, () => (rnd() * 2) / Math.sqrt(inDim)),
    bias: Float32Array.from({ length: outDim }, () => rnd() * 0.2),
    activation,
  });
  return {
    numFields: F,
    embeddingDim: D,
    totalRows: TOTAL_ROWS,
    embedding: Float32Array.from({ length: TOTAL_ROWS * D }, () => rnd()),
    layers: [layer(F * D, 19, "relu"), layer(19, 7, "relu"), layer(7, 1, "linear")],
  };
}

/** A protobuf message decoded into field number → values (varints as bigint, length-delimited as bytes). */
type Fields = Map<number, (bigint | Uint8Array | number)[]>;

function decode(bytes: Uint8Array): Fields {
  const fields: Fields = new Map();
  let pos = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = bytes[pos++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (pos < bytes.length) {
    const tag = Number(varint());
    const field = tag >>> 3;
    const wire = tag & 7;
    let value: bigint | Uint8Array | number;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = Number(varint());
      value = bytes.subarray(pos, pos + len);
      pos += len;
    } else if (wire === 5) {
      value = new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getFloat32(0, true);
      pos += 4;
    } else throw new Error(`unexpected wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

const text = (v: unknown) => new TextDecoder().decode(v as Uint8Array);
const sub = (v: unknown) => decode(v as Uint8Array);

describe("ProtoWriter", () => {
  test("writes varints (negative int64 in ten bytes), floats, strings and nested messages as the wire format says", () => {
    const bytes = new ProtoWriter().varint(1, 150).varint(2, -1).float(3, 1.5).string(4, "hé").message(5, new ProtoWriter().varint(1, 1)).finish();
    expect(Array.from(bytes)).toEqual([
      0x08, 0x96, 0x01,
      0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
      0x1d, 0x00, 0x00, 0xc0, 0x3f,
      0x22, 0x03, 0x68, 0xc3, 0xa9,
      0x2a, 0x02, 0x08, 0x01,
    ]);
  });
});

describe("exportStudentOnnx", () => {
  const weights = randomStudent(3);

  test("writes an opset-13 ModelProto with the documented inputs, output and operator chain", () => {
    const model = decode(exportStudentOnnx(weights, { featureMapId: FEATURE_MAP_ID, modelId: "ab".repeat(32) }));
    expect(model.get(1)).toEqual([BigInt(ONNX_IR_VERSION)]);
    const opset = sub(model.get(8)![0]);
    expect([text(opset.get(1)![0]), opset.get(2)![0]]).toEqual(["", BigInt(ONNX_OPSET)]);
    const meta = Object.fromEntries(model.get(14)!.map((e) => [text(sub(e).get(1)![0]), text(sub(e).get(2)![0])]));
    expect(meta).toEqual({ quantize: "none", featureMapId: FEATURE_MAP_ID, modelId: "ab".repeat(32) });

    const graph = sub(model.get(7)![0]);
    const ops = graph.get(1)!.map((n) => text(sub(n).get(4)![0]));
    expect(ops).toEqual(["Unsqueeze", "Gather", "Mul", "Reshape", "MatMul", "Add", "Relu", "MatMul", "Add", "Relu", "MatMul", "Add", "Sigmoid"]);
    const io = (field: number) =>
      graph.get(field)!.map((v) => {
        const info = sub(v);
        const tensor = sub(sub(info.get(2)![0]).get(1)![0]);
        const dims = sub(tensor.get(2)![0]).get(1)!.map((d) => {
          const dim = sub(d);
          return dim.has(1) ? Number(dim.get(1)![0]) : text(dim.get(2)![0]);
        });
        return [text(info.get(1)![0]), Number(tensor.get(1)![0]), dims];
      });
    expect(io(11)).toEqual([["ids", OnnxDataType.int64, ["N", F]], ["values", OnnxDataType.float, ["N", F]]]);
    expect(io(12)).toEqual([["ctr", OnnxDataType.float, ["N", 1]]]);

    const inits = new Map(graph.get(5)!.map((t) => {
      const tensor = sub(t);
      return [text(tensor.get(8)![0]), { dims: tensor.get(1)!.map(Number), type: Number(tensor.get(2)![0]), raw: tensor.get(9)![0] as Uint8Array }];
    }));
    expect(inits.get("embedding")!.dims).toEqual([TOTAL_ROWS, D]);
    expect(new Float32Array(inits.get("embedding")!.raw.slice().buffer)).toEqual(weights.embedding);
    expect(inits.get("dense_0/kernel")!.dims).toEqual([F * D, 19]);
    expect(new BigInt64Array(inits.get("flatten_shape")!.raw.slice().buffer)).toEqual(BigInt64Array.of(-1n, BigInt(F * D)));
  });

  test("stores an fp16 table as FLOAT16 and an int8 table as INT8 codes with FLOAT [rows, 1] scales", () => {
    const typesOf = (quantize: Quantize) => {
      const graph = sub(decode(exportStudentOnnx(weights, { quantize })).get(7)![0]);
      return Object.fromEntries(graph.get(5)!.map((t) => [text(sub(t).get(8)![0]), [Number(sub(t).get(2)![0]), ...sub(t).get(1)!.map(Number)]]));
    };
    expect(typesOf("fp16").embedding_f16).toEqual([OnnxDataType.float16, TOTAL_ROWS, D]);
    expect(typesOf("int8").embedding_codes).toEqual([OnnxDataType.int8, TOTAL_ROWS, D]);
    expect(typesOf("int8").embedding_scales).toEqual([OnnxDataType.float, TOTAL_ROWS, 1]);
  });
});

describe.skipIf(ort === null)("exportStudentOnnx under onnxruntime-node", () => {
  const weights = randomStudent(5);
  const n = 300;
  const rnd = seeded(6);
  const ids = Int32Array.from({ length: n * F }, () => Math.floor(((rnd() + 1) / 2) * TOTAL_ROWS));
  const values = Float32Array.from({ length: n * F }, (_, i) => (i % F === F - 1 ? rnd() * 3 : 1));

  async function runOnnx(bytes: Uint8Array): Promise<Float32Array> {
    const session = await ort!.InferenceSession.create(bytes);
    const out = await session.run({
      ids: new ort!.Tensor("int64", BigInt64Array.from(ids, (v) => BigInt(v)), [n, F]),
      values: new ort!.Tensor("float32", values, [n, F]),
    });
    expect(out.ctr!.dims).toEqual([n, 1]);
    return out.ctr!.data as Float32Array;
  }

  const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

  test("an f32 model scores within 1e-5 of the plain-JS forward pass", async () => {
    const got = await runOnnx(exportStudentOnnx(weights));
    const want = new JsScorer(weights).score(ids, values, n);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
    expect(Math.max(...got) - Math.min(...got)).toBeGreaterThan(0.3);
  });

  test.each<Quantize>(["fp16", "int8"])("a %s model scores within 1e-5 of the WASM scorer of the same quantisation", async (quantize) => {
    const got = await runOnnx(exportStudentOnnx(weights, { quantize }));
    const wasm = await exportStudentWasm(weights, { featureMapId: FEATURE_MAP_ID, quantize });
    const want = Scorer.fromModule(new webAssembly.Module(wasm.wasm)).score(ids, values, n);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
  });
});
