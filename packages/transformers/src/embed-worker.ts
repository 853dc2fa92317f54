/**
 * The script each worker thread of `createLocalEmbedder`'s pool runs (built to dist/embed-worker.js).
 * It loads its own pipeline (tokenizer and ONNX session) from `workerData`, an `InferenceConfig`,
 * says `ready`, then answers one request at a time. Vectors go back with their buffers transferred.
 */
import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { type Inference, type InferenceConfig, loadInference } from "./inference.js";
import { toWorkerError, type WorkerReply, type WorkerRequest } from "./worker-protocol.js";

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("embed-worker is a worker thread script of @recall/transformers");
  const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

  const config = workerData as InferenceConfig;
  // Before the model loads: ONNX Runtime's threads, if any, inherit it.
  if (config.workerNice) lowerPriority(config.workerNice);
  let inference: Inference;
  try {
    inference = await loadInference(config);
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

/**
 * Lowers this thread's scheduling priority by `by` (capped at 19). On Linux a thread has a nice
 * value of its own, set through its thread id (read from /proc/thread-self); elsewhere this does
 * nothing, and the worker runs at the process's priority.
 */
function lowerPriority(by: number): void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (!Number.isInteger(tid) || tid <= 0) return;
    setPriority(tid, Math.min(19, getPriority(tid) + by));
  } catch {
    // No /proc (macOS, Windows) or not allowed: keep the process's priority.
  }
}
