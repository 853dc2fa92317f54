import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { errorCodes, RecallError } from "@recall/core";
import type { InferenceConfig } from "./inference.js";
import { packageRoot } from "./model-build/model-dir.js";
import { fromWorkerError, type WorkerReply, type WorkerRequest } from "./worker-protocol.js";

interface Job {
  request: WorkerRequest;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

/** One worker thread: loading until `loaded`, then idle or running one `job`. */
interface Slot {
  worker: Worker;
  loaded: boolean;
  job?: Job;
  /** Settles when the model is loaded or loading failed; what `start()` awaits. */
  ready: Promise<void>;
  settleReady(error?: unknown): void;
}

export interface WorkerPoolOptions {
  /** Worker threads, each with its own model session. */
  size: number;
  /** What each worker loads (its `workerData`). */
  config: InferenceConfig;
  /** Runs before workers start (the model build); if it fails, so do the waiting jobs. */
  prepare?: () => Promise<void>;
  /** The worker script. Default `embedWorkerFile()`. */
  file?: string;
}

/**
 * A fixed number of worker threads that embed with `embed-worker.ts`. A job goes to an idle worker,
 * else waits in a FIFO. Workers start on first use (or `start()`); an idle one is `unref()`ed, so an
 * idle pool never keeps the process alive, while one with a job is `ref()`ed, so an awaited
 * embedding does.
 *
 * A worker that crashes or exits fails its job with RECALL_SEMANTIC_ERROR and is replaced (at once if
 * jobs wait, else on the next job). A worker that fails to load its model is not replaced: the
 * waiting jobs fail with that error (no crash loop), and the next job tries again.
 */
export class WorkerPool {
  readonly size: number;
  readonly #config: InferenceConfig;
  readonly #prepare: () => Promise<void>;
  #file: string | undefined;
  readonly #slots = new Set<Slot>();
  readonly #queue: Job[] = [];
  /** Counts `terminate()` calls: workers asked for before one are not started after it. */
  #epoch = 0;

  constructor(options: WorkerPoolOptions) {
    this.size = options.size;
    this.#config = options.config;
    this.#prepare = options.prepare ?? (async () => {});
    this.#file = options.file;
  }

  /** The worker threads alive now (loading, idle or busy). For monitoring and tests. */
  get workers(): readonly Worker[] {
    return [...this.#slots].map((slot) => slot.worker);
  }

  /** Starts the missing workers; resolves when every worker has loaded its model. */
  async start(): Promise<void> {
    await this.#fill();
    await Promise.all([...this.#slots].map((slot) => slot.ready));
  }

  /** Runs one request on the next free worker. */
  run<T>(request: WorkerRequest, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      signal?.throwIfAborted();
      const onAbort = () => {
        const queued = this.#queue.indexOf(job);
        if (queued >= 0) this.#queue.splice(queued, 1);
        // A job already running finishes in its worker; its result is dropped.
        reject(signal?.reason);
      };
      const done = () => signal?.removeEventListener("abort", onAbort);
      const job: Job = {
        request,
        resolve: (result) => {
          done();
          resolve(result as T);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      // Tokenizing a batch takes a fraction of embedding it, and the engine waits for both: a
      // check of what the model can read goes ahead of the embeddings waiting.
      if (request.kind === "unrepresented") this.#queue.unshift(job);
      else this.#queue.push(job);
      this.#refill();
    });
  }

  /**
   * Ends every worker. Running and waiting jobs fail now with RECALL_SEMANTIC_ERROR ("closed"); an
   * idle worker ends now, a busy or loading one as soon as its model call returns (see `#end`). The
   * pool stays usable: the next job starts workers again.
   */
  async terminate(): Promise<void> {
    this.#epoch++;
    const slots = [...this.#slots];
    this.#slots.clear();
    const closed = new RecallError(errorCodes.SEMANTIC_ERROR, "the local embedder's worker pool was closed");
    for (const slot of slots) {
      slot.job?.reject(closed);
      slot.settleReady(closed);
    }
    for (const job of this.#queue.splice(0)) job.reject(closed);
    await Promise.all(slots.map((slot) => this.#end(slot)));
  }

  /**
   * Terminates a worker once it is between model calls. onnxruntime-node runs a session
   * synchronously in native code; a worker terminated during that call aborts the whole process
   * ("terminate called after throwing an instance of 'Napi::Error'"). So a loading or busy worker is
   * terminated after its next message (or when it exits by itself).
   */
  async #end(slot: Slot): Promise<void> {
    if (!slot.loaded || slot.job) {
      await new Promise<void>((resolve) => {
        slot.worker.once("message", () => resolve());
        slot.worker.once("exit", () => resolve());
      });
    }
    await slot.worker.terminate();
  }

  /** Prepares, then starts workers until there are `size` (unless terminated meanwhile). */
  async #fill(): Promise<void> {
    const epoch = this.#epoch;
    await this.#prepare();
    if (epoch !== this.#epoch) return;
    this.#file ??= embedWorkerFile();
    const file = this.#file;
    while (this.#slots.size < this.size) this.#spawn(file);
  }

  /** Starts the missing workers for the waiting jobs; if that fails, so do they. */
  #refill(): void {
    if (this.#slots.size >= this.size) {
      this.#dispatch();
      return;
    }
    this.#fill().then(
      () => this.#dispatch(),
      (error: unknown) => {
        for (const job of this.#queue.splice(0)) job.reject(error);
      },
    );
  }

  #spawn(file: string): void {
    let settleReady!: (error?: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      settleReady = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Nobody may be awaiting `start()`; the failure reaches the waiting jobs instead.
    ready.catch(() => {});
    // No Node flags: the worker script is plain JavaScript that needs none, and a worker refuses
    // many of the process's own (`--input-type`, V8 heap flags such as `--max-old-space-size`).
    const worker = new Worker(file, { workerData: this.#config, execArgv: [] });
    const slot: Slot = { worker, loaded: false, ready, settleReady };
    slot.worker.on("message", (reply: WorkerReply) => this.#onReply(slot, reply));
    slot.worker.on("error", (error) => this.#onExit(slot, error));
    slot.worker.on("exit", (code) =>
      this.#onExit(slot, new Error(`the worker thread exited with code ${code}`)),
    );
    this.#slots.add(slot);
  }

  #onReply(slot: Slot, reply: WorkerReply): void {
    if (!this.#slots.has(slot)) return;
    if (!slot.loaded) {
      if (reply.kind === "ready") {
        slot.loaded = true;
        slot.settleReady();
      } else {
        const error =
          reply.kind === "error"
            ? fromWorkerError(reply.error, "a worker thread could not load the model")
            : new RecallError(errorCodes.SEMANTIC_ERROR, `a loading worker thread sent ${reply.kind}`);
        this.#failLoad(slot, error);
        void slot.worker.terminate(); // it reported the failure: no model call is running
      }
    } else {
      const job = slot.job;
      slot.job = undefined;
      if (reply.kind === "done") job?.resolve(reply.result);
      else if (reply.kind === "error") job?.reject(fromWorkerError(reply.error, "embedding failed"));
    }
    this.#dispatch();
  }

  /** A worker crashed or exited (not by `terminate()`, which removes its slot first). */
  #onExit(slot: Slot, cause: Error): void {
    if (!this.#slots.has(slot)) return;
    const error = new RecallError(
      errorCodes.SEMANTIC_ERROR,
      `an embedding worker thread failed: ${cause.message}`,
      { cause },
    );
    if (!slot.loaded) {
      this.#failLoad(slot, error);
      return;
    }
    this.#slots.delete(slot);
    slot.job?.reject(error);
    // An 'error' event means its script threw and the thread is ending; make sure it does.
    void slot.worker.terminate();
    if (this.#queue.length > 0) this.#refill();
  }

  /** Loading failed: the slot goes, and so do the waiting jobs once no worker is left to run them. */
  #failLoad(slot: Slot, error: RecallError): void {
    this.#slots.delete(slot);
    slot.settleReady(error);
    if (this.#slots.size === 0) for (const job of this.#queue.splice(0)) job.reject(error);
  }

  /** Gives waiting jobs to idle workers; an idle worker does not keep the process alive. */
  #dispatch(): void {
    for (const slot of this.#slots) {
      if (!slot.loaded || slot.job) continue;
      const job = this.#queue.shift();
      if (!job) {
        slot.worker.unref();
        continue;
      }
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage(job.request);
    }
  }
}

/**
 * The built worker script beside this module: dist/embed-worker.js (or .cjs beside index.cjs). Run
 * from source (tests run src/*.ts, and Node 20 cannot start a worker from TypeScript), the package's
 * built dist/embed-worker.js.
 */
export function embedWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const beside = join(dirname(here), here.endsWith(".cjs") ? "embed-worker.cjs" : "embed-worker.js");
  if (existsSync(beside)) return beside;
  const built = join(packageRoot(), "dist", "embed-worker.js");
  if (existsSync(built)) return built;
  throw new RecallError(
    errorCodes.SEMANTIC_ERROR,
    `cannot find the embedding worker script at ${beside} or ${built}: run \`pnpm --filter @recall/transformers build\`` +
      " (or pass threads: 0 to embed on the calling thread)",
  );
}
