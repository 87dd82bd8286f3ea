// A tiny ONNX graph builder over onnx-proto (ONNX 1.10 protobuf definitions, opset 13): enough to
// express the bench's conv stacks and ResNet-18 for onnxruntime-web, built in memory.
import onnxProto from "onnx-proto";

// onnx-proto is CommonJS; its namespace is the default export under ESM.
const { onnx } = onnxProto as unknown as typeof import("onnx-proto");

export type Attr = number | number[] | string | { float: number };

const FLOAT = 1; // TensorProto.DataType.FLOAT
const INT64 = 7; // TensorProto.DataType.INT64

function attribute(name: string, value: Attr): import("onnx-proto").onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === "string") return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if (typeof value === "object") return { name, type: T.FLOAT, f: value.float };
  return { name, type: T.INT, i: value };
}

export class OnnxGraph {
  readonly nodes: import("onnx-proto").onnx.INodeProto[] = [];
  readonly initializers: import("onnx-proto").onnx.ITensorProto[] = [];
  #count = 0;

  /** `opset`: 13 unless a node needs a newer one (HardSwish: 14). */
  constructor(readonly input: { name: string; dims: number[] }, readonly opset = 13) {}

  /** A fresh value name. */
  fresh(prefix = "t"): string {
    return `${prefix}${this.#count++}`;
  }

  /** A float32 initializer (the bytes are copied). */
  weight(name: string, dims: number[], data: Float32Array): string {
    const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.initializers.push({ name, dims, dataType: FLOAT, rawData: raw });
    return name;
  }

  /** An int64 initializer (for Pad's pads input). */
  int64s(name: string, values: number[]): string {
    this.initializers.push({ name, dims: [values.length], dataType: INT64, int64Data: values });
    return name;
  }

  /** Adds a node; returns its (first) output name. */
  node(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, output = this.fresh(opType.toLowerCase())): string {
    this.nodes.push({
      opType,
      name: `${opType}_${this.nodes.length}`,
      input: inputs,
      output: [output],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  /** Serialises the model with `output` as the graph output (shape left open). */
  toBytes(output: string): Uint8Array {
    const tensorType = (dims: number[] | null) => ({
      tensorType: { elemType: FLOAT, shape: dims ? { dim: dims.map((d) => ({ dimValue: d })) } : undefined },
    });
    const model = onnx.ModelProto.create({
      irVersion: 7,
      producerName: "wasmnn-bench",
      opsetImport: [{ domain: "", version: this.opset }],
      graph: {
        name: "bench",
        node: this.nodes,
        initializer: this.initializers,
        input: [{ name: this.input.name, type: tensorType(this.input.dims) }],
        output: [{ name: output, type: tensorType(null) }],
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
