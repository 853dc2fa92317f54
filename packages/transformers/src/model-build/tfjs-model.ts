import { readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Reads a TF.js graph model (model.json + weight shards) from disk: its graph nodes by name and
 * its weights, dequantized to float32 the way TF.js does it (`q * scale + min`).
 */

export interface TfNode {
  name: string;
  op: string;
  /** Input node names, without control inputs (`^x`) or output indices (`:0`). */
  inputs: string[];
}

export interface TfWeight {
  name: string;
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface TfjsGraphModel {
  nodes: Map<string, TfNode>;
  weights: Map<string, TfWeight>;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number; original_dtype?: string };
}

interface ModelJson {
  format?: string;
  modelTopology: { node: Array<{ name: string; op: string; input?: string[] }> };
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
}

export async function readTfjsGraphModel(dir: string): Promise<TfjsGraphModel> {
  const json = JSON.parse(await readFile(join(dir, "model.json"), "utf8")) as ModelJson;
  if (json.format !== "graph-model") throw new Error(`${dir}/model.json is not a TF.js graph model`);

  const nodes = new Map<string, TfNode>();
  for (const node of json.modelTopology.node) {
    const inputs = (node.input ?? []).filter((i) => !i.startsWith("^")).map((i) => i.replace(/:\d+$/, ""));
    nodes.set(node.name, { name: node.name, op: node.op, inputs });
  }

  const weights = new Map<string, TfWeight>();
  for (const group of json.weightsManifest) {
    const shards = await Promise.all(group.paths.map((p) => readFile(join(dir, p))));
    const buffer = Buffer.concat(shards);
    let offset = 0;
    for (const spec of group.weights) {
      const { weight, byteLength } = decodeWeight(spec, buffer, offset);
      weights.set(spec.name, weight);
      offset += byteLength;
    }
    if (offset !== buffer.length) {
      throw new Error(
        `weight group ${group.paths.join(",")}: manifest covers ${offset} of ${buffer.length} bytes`,
      );
    }
  }
  return { nodes, weights };
}

function decodeWeight(
  spec: WeightSpec,
  buffer: Buffer,
  offset: number,
): { weight: TfWeight; byteLength: number } {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const q = spec.quantization;
  if (q) {
    if (spec.dtype !== "float32" || q.min === undefined || q.scale === undefined) {
      throw new Error(`weight ${spec.name}: unsupported quantization ${JSON.stringify(q)} of ${spec.dtype}`);
    }
    const bytesPer = q.dtype === "uint8" ? 1 : q.dtype === "uint16" ? 2 : 0;
    if (bytesPer === 0) throw new Error(`weight ${spec.name}: unsupported quantization dtype ${q.dtype}`);
    const data = new Float32Array(size);
    const { min, scale } = q;
    for (let i = 0; i < size; i++) {
      const v = bytesPer === 1 ? buffer[offset + i]! : buffer.readUInt16LE(offset + 2 * i);
      data[i] = v * scale + min;
    }
    return { weight: { name: spec.name, shape: spec.shape, data }, byteLength: size * bytesPer };
  }
  // Copy out, so the result is aligned and does not pin the shard buffer.
  const aligned = new Uint8Array(buffer.subarray(offset, offset + size * 4)).buffer;
  const data =
    spec.dtype === "float32"
      ? new Float32Array(aligned)
      : spec.dtype === "int32"
        ? new Int32Array(aligned)
        : undefined;
  if (data) return { weight: { name: spec.name, shape: spec.shape, data }, byteLength: size * 4 };
  throw new Error(`weight ${spec.name}: unsupported dtype ${spec.dtype}`);
}
