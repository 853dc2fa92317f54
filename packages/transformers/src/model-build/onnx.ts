import { ProtoWriter } from "./protobuf.js";

/**
 * Just enough of the ONNX format (onnx.proto, IR version 8) to write an inference graph:
 * nodes, attributes, initializers with raw little-endian data, typed inputs and outputs.
 * Field numbers follow onnx/onnx.proto.
 */

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array;
}

export type OnnxAttribute = { int: number } | { float: number } | { ints: number[] } | { string: string };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  elemType: DataTypeCode;
  /** A number is a fixed size, a string a named dynamic dimension. */
  shape: Array<number | string>;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModelOptions {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
}

const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

function dataTypeOf(data: OnnxTensor["data"]): DataTypeCode {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof Int32Array) return DataType.INT32;
  return DataType.INT64;
}

function littleEndianBytes(data: OnnxTensor["data"]): Uint8Array {
  // Every platform Node runs on is little-endian, which is what raw_data must be.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function encodeTensor(tensor: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter();
  for (const dim of tensor.dims) w.varint(1, dim);
  w.varint(2, dataTypeOf(tensor.data));
  w.string(8, tensor.name);
  w.bytes(9, littleEndianBytes(tensor.data));
  return w;
}

function encodeAttribute(name: string, attr: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if ("int" in attr) w.varint(3, attr.int).varint(20, AttributeType.INT);
  else if ("float" in attr) w.float(2, attr.float).varint(20, AttributeType.FLOAT);
  else if ("ints" in attr) {
    for (const v of attr.ints) w.varint(8, v);
    w.varint(20, AttributeType.INTS);
  } else w.string(4, attr.string).varint(20, AttributeType.STRING);
  return w;
}

function encodeNode(node: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name).string(4, node.opType);
  for (const [name, attr] of Object.entries(node.attributes ?? {})) w.message(5, encodeAttribute(name, attr));
  return w;
}

function encodeValueInfo(info: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of info.shape) {
    const d = new ProtoWriter();
    if (typeof dim === "number") d.varint(1, dim);
    else d.string(2, dim);
    shape.message(1, d);
  }
  const tensorType = new ProtoWriter().varint(1, info.elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, info.name).message(2, type);
}

export function encodeGraph(graph: OnnxGraph): ProtoWriter {
  const w = new ProtoWriter();
  for (const node of graph.nodes) w.message(1, encodeNode(node));
  w.string(2, graph.name);
  for (const init of graph.initializers) w.message(5, encodeTensor(init));
  for (const input of graph.inputs) w.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) w.message(12, encodeValueInfo(output));
  return w;
}

export function encodeModel(graph: OnnxGraph, options: OnnxModelOptions): ProtoWriter {
  const w = new ProtoWriter()
    .varint(1, options.irVersion)
    .string(2, options.producerName)
    .string(3, options.producerVersion);
  if (options.docString) w.string(6, options.docString);
  w.message(7, encodeGraph(graph));
  w.message(8, new ProtoWriter().string(1, "").varint(2, options.opset));
  return w;
}

/**
 * Builds a graph node by node. `op` returns the node's (single) output name, so the graph reads
 * like the computation it describes.
 */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly names = new Set<string>();

  /** Adds a node; its output is named `<name>` (made unique) unless `output` is given. */
  op(
    opType: string,
    inputs: string[],
    name: string,
    attributes?: Record<string, OnnxAttribute>,
    output?: string,
  ): string {
    const nodeName = this.unique(name);
    const out = output ?? nodeName;
    this.nodes.push({
      opType,
      name: nodeName,
      inputs,
      outputs: [out],
      ...(attributes ? { attributes } : {}),
    });
    return out;
  }

  /** Adds a constant tensor (an initializer) and returns its name. */
  constant(name: string, dims: number[], data: OnnxTensor["data"]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length)
      throw new Error(`constant ${name}: shape [${dims}] needs ${size} values, got ${data.length}`);
    const tensorName = this.unique(name);
    this.initializers.push({ name: tensorName, dims, data });
    return tensorName;
  }

  int64(name: string, values: number[], dims: number[] = [values.length]): string {
    return this.constant(
      name,
      dims,
      BigInt64Array.from(values, (v) => BigInt(v)),
    );
  }

  float(name: string, value: number): string {
    return this.constant(name, [], Float32Array.of(value));
  }

  private unique(name: string): string {
    let candidate = name;
    for (let i = 1; this.names.has(candidate); i++) candidate = `${name}_${i}`;
    this.names.add(candidate);
    return candidate;
  }
}
