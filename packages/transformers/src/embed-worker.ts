/**
 * The script each worker thread of `createLocalEmbedder`'s pool runs (built to dist/embed-worker.js).
 * It loads its own pipeline (tokenizer and ONNX session) from `workerData`, an `InferenceConfig`,
 * says `ready`, then answers one request at a time. Vectors go back with their buffers transferred.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type Inference, type InferenceConfig, loadInference } from "./inference.js";
import { toWorkerError, type WorkerReply, type WorkerRequest } from "./worker-protocol.js";

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("embed-worker is a worker thread script of @recall/transformers");
  const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

  let inference: Inference;
  try {
    inference = await loadInference(workerData as InferenceConfig);
  } catch (error) {
    reply({ kind: "error", error: toWorkerError(error) });
    return;
  }
  port.on("message", async ({ kind, texts }: WorkerRequest) => {
    try {
      if (kind === "unrepresented") {
        reply({ kind: "done", result: inference.unrepresented(texts) });
      } else {
        const vectors = await inference.embed(texts);
        reply(
          { kind: "done", result: vectors },
          vectors.map((v) => v.buffer as ArrayBuffer),
        );
      }
    } catch (error) {
      reply({ kind: "error", error: toWorkerError(error) });
    }
  });
  reply({ kind: "ready" });
}

void serve();
