import { errorCodes, RecallError, type RecallErrorCode } from "@recall/core";

/** Main thread → worker: one job at a time. */
export interface WorkerRequest {
  kind: "embed" | "unrepresented";
  texts: string[];
}

/**
 * Worker → main thread: `ready` once its model is loaded (or `error` if that failed), then one
 * `done` or `error` per request. `done` carries `Float32Array[]` for `embed` (buffers transferred)
 * and `number[]` for `unrepresented`.
 */
export type WorkerReply =
  | { kind: "ready" }
  | { kind: "done"; result: Float32Array[] | number[] }
  | { kind: "error"; error: WorkerError };

/** An error as plain data: a thrown error loses its `code` when it crosses to another thread. */
export interface WorkerError {
  message: string;
  code?: string;
  stack?: string;
}

export function toWorkerError(error: unknown): WorkerError {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { message: error.message, stack: error.stack, ...(typeof code === "string" ? { code } : {}) };
}

/**
 * The main thread's `RecallError` for an error a worker reported: a RecallError keeps its code
 * (e.g. RECALL_MISSING_DEPENDENCY); any other error becomes RECALL_SEMANTIC_ERROR with `context`.
 */
export function fromWorkerError(error: WorkerError, context: string): RecallError {
  const cause = Object.assign(new Error(error.message), { stack: error.stack, code: error.code });
  const codes = Object.values(errorCodes) as string[];
  if (error.code && codes.includes(error.code) && error.message.startsWith("[recall] ")) {
    return new RecallError(error.code as RecallErrorCode, error.message.slice("[recall] ".length), { cause });
  }
  return new RecallError(errorCodes.SEMANTIC_ERROR, `${context}: ${error.message}`, { cause });
}
