import { DataType, GraphBuilder, type OnnxGraph } from "./onnx.js";
import type { TfjsGraphModel, TfNode, TfWeight } from "./tfjs-model.js";

/**
 * Mirrors the TF.js graph of a Hugging Face `TFBertModel` (as exported by the TF.js converter) as an
 * ONNX graph with the inputs and output transformers.js expects of a BERT encoder:
 * `input_ids`, `attention_mask`, `token_type_ids` (int64, [batch, sequence]) -> `last_hidden_state`
 * (float32, [batch, sequence, hidden]).
 *
 * Weights are found by walking the TF graph from the ops that use them (a dense layer's kernel is
 * the second input of its MatMul), not by guessing names, and every op on the way is checked, so a
 * model of another shape fails loudly instead of producing wrong vectors. The pooling and
 * normalization head of the TF graph is left out: transformers.js pools `last_hidden_state` itself.
 */

export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
}

export interface BertOnnx {
  graph: OnnxGraph;
  config: BertConfig;
}

class TfGraphReader {
  constructor(
    private readonly model: TfjsGraphModel,
    readonly prefix: string,
  ) {}

  node(name: string, op: string): TfNode {
    const node = this.model.nodes.get(this.prefix + name);
    if (!node) throw new Error(`TF graph has no node ${this.prefix + name}`);
    if (node.op !== op) throw new Error(`TF node ${node.name} is ${node.op}, expected ${op}`);
    return node;
  }

  has(name: string): boolean {
    return this.model.nodes.has(this.prefix + name);
  }

  /** The constant feeding input `index` of node `name` (which must be an `op`). */
  weight(name: string, op: string, index: number): TfWeight {
    const input = this.node(name, op).inputs[index];
    const weight = input === undefined ? undefined : this.model.weights.get(input);
    if (!weight) throw new Error(`input ${index} of TF node ${this.prefix + name} is not a weight`);
    return weight;
  }

  float(name: string, op: string, index: number): Float32Array {
    const w = this.weight(name, op, index);
    if (!(w.data instanceof Float32Array)) throw new Error(`${w.name} is not float32`);
    return w.data;
  }

  scalar(name: string, op: string, index: number): number {
    const w = this.weight(name, op, index);
    if (w.data.length !== 1) throw new Error(`${w.name} is not a scalar`);
    return Number(w.data[0]);
  }
}

function findPrefix(model: TfjsGraphModel): string {
  for (const name of model.nodes.keys()) {
    if (name.endsWith("embeddings/Gather") && model.nodes.get(name)?.op === "GatherV2") {
      return name.slice(0, -"embeddings/Gather".length);
    }
  }
  throw new Error("TF graph has no BERT embeddings (no node ending in embeddings/Gather)");
}

export function buildBertOnnx(model: TfjsGraphModel): BertOnnx {
  const tf = new TfGraphReader(model, findPrefix(model));
  const g = new GraphBuilder();

  // --- Embeddings: word + position + token type, then LayerNorm.
  const wordTable = tf.weight("embeddings/Gather", "GatherV2", 0);
  const positionTable = tf.weight("embeddings/Gather_1", "GatherV2", 0);
  const typeTable = tf.weight("embeddings/Gather_2", "GatherV2", 0);
  const [vocabSize, hiddenSize] = wordTable.shape as [number, number];
  const maxPositionEmbeddings = positionTable.shape[0]!;
  const typeVocabSize = typeTable.shape[0]!;
  tf.node("embeddings/range", "Range"); // position ids are 0..sequence-1

  const layerNorm = (x: string, scope: string): { out: string; eps: number } => {
    const ln = `${scope}/LayerNorm/batchnorm`;
    tf.node(`${ln}/Rsqrt`, "Rsqrt");
    const gamma = tf.float(`${ln}/mul`, "Mul", 1);
    const beta = tf.float(`${ln}/sub`, "Sub", 0);
    const eps = tf.scalar(`${ln}/add`, "AddV2", 1);
    const out = g.op(
      "LayerNormalization",
      [
        x,
        g.constant(`${scope}.LayerNorm.weight`, [hiddenSize], gamma),
        g.constant(`${scope}.LayerNorm.bias`, [hiddenSize], beta),
      ],
      `${scope}/LayerNorm`,
      { axis: { int: -1 }, epsilon: { float: eps } },
    );
    return { out, eps };
  };

  const words = g.op(
    "Gather",
    [g.constant("embeddings.word_embeddings", wordTable.shape, wordTable.data), "input_ids"],
    "embeddings/word",
    { axis: { int: 0 } },
  );
  const seqLen = g.op("Shape", ["input_ids"], "embeddings/sequence_length", {
    start: { int: 1 },
    end: { int: 2 },
  });
  const positions = g.op(
    "Slice",
    [
      g.constant("embeddings.position_embeddings", positionTable.shape, positionTable.data),
      g.int64("zero", [0]),
      seqLen,
      g.int64("axis0", [0]),
    ],
    "embeddings/position",
  );
  const types = g.op(
    "Gather",
    [g.constant("embeddings.token_type_embeddings", typeTable.shape, typeTable.data), "token_type_ids"],
    "embeddings/token_type",
    { axis: { int: 0 } },
  );
  const summed = g.op(
    "Add",
    [g.op("Add", [words, positions], "embeddings/add_1"), types],
    "embeddings/add_2",
  );
  const { out: embeddings, eps: layerNormEps } = layerNorm(summed, "embeddings");

  // --- Attention mask as an additive bias: (1 - mask) * -10000, shaped [batch, 1, 1, sequence].
  const one = tf.scalar("Sub", "Sub", 0);
  const maskScale = tf.scalar("Mul", "Mul", 1);
  const mask = g.op(
    "Unsqueeze",
    [
      g.op("Cast", ["attention_mask"], "mask/cast", { to: { int: DataType.FLOAT } }),
      g.int64("axes12", [1, 2]),
    ],
    "mask/unsqueeze",
  );
  const maskBias = g.op(
    "Mul",
    [g.op("Sub", [g.float("mask_one", one), mask], "mask/invert"), g.float("mask_scale", maskScale)],
    "mask/bias",
  );

  // --- Encoder layers.
  let numHiddenLayers = 0;
  while (tf.has(`encoder/layer_._${numHiddenLayers}/output/LayerNorm/batchnorm/add_1`)) numHiddenLayers++;
  if (numHiddenLayers === 0) throw new Error("TF graph has no encoder layers");

  const self0 = "encoder/layer_._0/attention/self";
  tf.node(`${self0}/Reshape_2/shape`, "Pack");
  const numAttentionHeads = tf.scalar(`${self0}/Reshape_2/shape`, "Pack", 2);
  const headSize = tf.scalar(`${self0}/Reshape_2/shape`, "Pack", 3);
  if (numAttentionHeads * headSize !== hiddenSize)
    throw new Error(`heads ${numAttentionHeads} x ${headSize} != hidden ${hiddenSize}`);
  const headShape = g.int64("head_shape", [0, 0, numAttentionHeads, headSize]);
  const hiddenShape = g.int64("hidden_shape", [0, 0, hiddenSize]);

  const dense = (x: string, scope: string, name: string): string => {
    const kernel = tf.weight(`${scope}/Tensordot/MatMul`, "MatMul", 1);
    const bias = tf.float(`${scope}/BiasAdd`, "BiasAdd", 1);
    const matmul = g.op(
      "MatMul",
      [x, g.constant(`${name}.weight`, kernel.shape, kernel.data)],
      `${scope}/MatMul`,
    );
    return g.op("Add", [matmul, g.constant(`${name}.bias`, [bias.length], bias)], `${scope}/BiasAdd`);
  };

  let hidden = embeddings;
  for (let i = 0; i < numHiddenLayers; i++) {
    const L = `encoder/layer_._${i}`;
    const N = `encoder.layer.${i}`;
    const self = `${L}/attention/self`;

    const heads = (x: string, name: string, perm: number[]) =>
      g.op(
        "Transpose",
        [g.op("Reshape", [x, headShape], `${self}/${name}/split_heads`)],
        `${self}/${name}/transpose`,
        { perm: { ints: perm } },
      );
    const q = heads(dense(hidden, `${self}/query`, `${N}.attention.self.query`), "query", [0, 2, 1, 3]);
    const kT = heads(dense(hidden, `${self}/key`, `${N}.attention.self.key`), "key", [0, 2, 3, 1]);
    const v = heads(dense(hidden, `${self}/value`, `${N}.attention.self.value`), "value", [0, 2, 1, 3]);

    tf.node(`${self}/MatMul`, "BatchMatMulV2");
    const scale = tf.scalar(`${self}/truediv`, "Mul", 1);
    const scores = g.op(
      "Mul",
      [g.op("MatMul", [q, kT], `${self}/scores`), g.float(`${N}.attention.scale`, scale)],
      `${self}/scaled`,
    );
    // The TF graph also adds 1e-9 to every score; softmax ignores a constant shift, so it is left out.
    const probs = g.op("Softmax", [g.op("Add", [scores, maskBias], `${self}/masked`)], `${self}/softmax`, {
      axis: { int: -1 },
    });
    const context = g.op(
      "Reshape",
      [
        g.op("Transpose", [g.op("MatMul", [probs, v], `${self}/context`)], `${self}/merge_heads`, {
          perm: { ints: [0, 2, 1, 3] },
        }),
        hiddenShape,
      ],
      `${self}/context_reshape`,
    );

    const attnOut = dense(context, `${L}/attention/output/dense`, `${N}.attention.output.dense`);
    const attn = layerNorm(
      g.op("Add", [attnOut, hidden], `${L}/attention/output/add`),
      `${L}/attention/output`,
    ).out;

    // GELU as the TF graph computes it, (0.5 * x) * (1 + erf(x * 0.70710677)), but with the division
    // by sqrt(2) written as a Div: that is the pattern onnxruntime fuses into one Gelu (BiasGelu) op.
    const inter = dense(attn, `${L}/intermediate/dense`, `${N}.intermediate.dense`);
    const gelu = `${L}/intermediate/Gelu`;
    tf.node(`${gelu}/Erf`, "Erf");
    const sqrt2 = 1 / tf.scalar(`${gelu}/truediv`, "Mul", 1);
    const half = tf.scalar(`${gelu}/mul`, "Mul", 0);
    const one = tf.scalar(`${gelu}/add`, "AddV2", 0);
    const erf = g.op(
      "Erf",
      [g.op("Div", [inter, g.float(`${N}.gelu.sqrt2`, sqrt2)], `${gelu}/div`)],
      `${gelu}/Erf`,
    );
    const erfPlusOne = g.op("Add", [erf, g.float(`${N}.gelu.one`, one)], `${gelu}/add`);
    const act = g.op(
      "Mul",
      [g.op("Mul", [inter, erfPlusOne], `${gelu}/mul`), g.float(`${N}.gelu.half`, half)],
      `${gelu}/mul_1`,
    );

    const out = dense(act, `${L}/output/dense`, `${N}.output.dense`);
    hidden = layerNorm(g.op("Add", [out, attn], `${L}/output/add`), `${L}/output`).out;
  }
  const lastIntermediate = `encoder/layer_._${numHiddenLayers - 1}/intermediate/dense/Tensordot/MatMul`;
  const intermediateSize = tf.weight(lastIntermediate, "MatMul", 1).shape[1]!;

  g.op("Identity", [hidden], "output", undefined, "last_hidden_state");

  const dims = ["batch_size", "sequence_length"];
  const graph: OnnxGraph = {
    name: "bert",
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [
      { name: "input_ids", elemType: DataType.INT64, shape: dims },
      { name: "attention_mask", elemType: DataType.INT64, shape: dims },
      { name: "token_type_ids", elemType: DataType.INT64, shape: dims },
    ],
    outputs: [{ name: "last_hidden_state", elemType: DataType.FLOAT, shape: [...dims, hiddenSize] }],
  };
  return {
    graph,
    config: {
      vocabSize,
      hiddenSize,
      numHiddenLayers,
      numAttentionHeads,
      intermediateSize,
      maxPositionEmbeddings,
      typeVocabSize,
      layerNormEps,
    },
  };
}
