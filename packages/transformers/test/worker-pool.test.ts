import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { type CacheEvents, type CacheRequest, createCache } from "@recall/core";
import { embedderSuite } from "@recall/test-suite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalEmbedder, type LocalEmbedder, workerPoolOf } from "../src/local-embedder.js";
import { packageRoot } from "../src/model-build/model-dir.js";
import { maxAbsDiff } from "./tfjs-reference.js";

/** 32 distinct support questions of 6 to 20 words: one full batch. */
const batch = Array.from(
  { length: 32 },
  (_, i) =>
    `Question ${i}: how do I change the ${["billing address", "password", "API key", "plan"][i % 4]} ` +
    `of my account${i % 2 ? " without losing the data of the team and the invoices of last year" : ""}?`,
);
const texts = [
  "How do I reset my password?",
  "Café crème, s'il vous plaît — and a croissant!",
  "Explain the difference between TCP and UDP in two sentences.",
  "a",
];
const unreadable = ["🦜🦜🦜", "word ".repeat(600), "สภาพอากาศในกรุงเทพเป็นอย่างไร"];

const silent = { onProgress: () => {} };
let pooled: LocalEmbedder;
let inThread: LocalEmbedder;

beforeAll(async () => {
  pooled = createLocalEmbedder({ ...silent, threads: 2 });
  inThread = createLocalEmbedder({ ...silent, threads: 0 });
  await Promise.all([pooled.load(), inThread.load()]);
}, 90_000);

afterAll(async () => {
  await Promise.all([pooled?.dispose(), inThread?.dispose()]);
});

/** The pool of `embedder`, which must have one. */
function poolOf(embedder: LocalEmbedder) {
  const pool = workerPoolOf(embedder);
  if (!pool) throw new Error("expected an embedder with worker threads");
  return pool;
}

/**
 * Makes every worker of the pool die when it is given its next job: it is terminated (`"exit"`) or
 * reports an error (`"error"`) instead of receiving the job. (A worker cannot be killed safely while
 * it is in a model call: onnxruntime-node then aborts the whole process.)
 */
function crashOnNextJob(embedder: LocalEmbedder, how: "exit" | "error" = "exit"): void {
  for (const worker of poolOf(embedder).workers) {
    worker.postMessage = () => {
      if (how === "exit") void worker.terminate();
      else worker.emit("error", new Error("simulated crash"));
    };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The largest event-loop delay, in ms, while `work` runs. */
async function maxDelayDuring(work: () => Promise<unknown>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  // The histogram records from its second tick on: a loop blocked before its first is not seen.
  await sleep(20);
  await work();
  // A loop blocked until the end of `work` is recorded at the next tick.
  await sleep(20);
  histogram.disable();
  return histogram.max / 1e6;
}

embedderSuite("createLocalEmbedder (worker threads)", () => pooled, { unreadableTexts: unreadable });

describe("embedding in worker threads", () => {
  it("describes itself to core: a local embedder running as many batches as it has threads", () => {
    expect(pooled.concurrency).toBe(2);
    expect(inThread.concurrency).toBe(1);
    expect(pooled.local && inThread.local).toBe(true);
    expect(pooled.id).toBe(inThread.id);
    expect(poolOf(pooled).workers).toHaveLength(2);
    expect(workerPoolOf(inThread)).toBeUndefined();
  });

  it("gives the vectors and unrepresented shares of the calling thread", async () => {
    const [fromPool, fromThread] = await Promise.all([pooled.embed(texts), inThread.embed(texts)]);
    for (const [i, text] of texts.entries())
      expect(maxAbsDiff(fromPool[i]!, fromThread[i]!), text).toBeLessThan(1e-5);
    const all = [...texts, ...unreadable];
    expect(await pooled.unrepresented(all)).toEqual(await inThread.unrepresented(all));
  });

  it.runIf(existsSync("/proc/self/task"))(
    "runs its worker threads at a lower priority than the event loop (Linux nice)",
    async () => {
      await pooled.load();
      const niceOf = (tid: string) => {
        // Fields after the command name (which may hold spaces); nice is the 19th field overall.
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
      };
      const mine = niceOf(String(process.pid));
      const nices = readdirSync("/proc/self/task").map(niceOf);
      expect(nices.filter((n) => n === Math.min(19, mine + 10)).length).toBeGreaterThanOrEqual(2);
      expect(nices.filter((n) => n === mine).length).toBeGreaterThan(0);
    },
  );

  it("keeps the event loop turning while batches are embedded", async () => {
    const pooledDelay = await maxDelayDuring(() => Promise.all([0, 1, 2, 3].map(() => pooled.embed(batch))));
    const inThreadDelay = await maxDelayDuring(() => inThread.embed(batch));
    // On the calling thread one batch of 32 blocks the loop for its whole model call (100 ms on a
    // quiet 2-core machine, 300+ ms on a busy one); with the pool the loop only hands over texts and
    // takes vectors (10-30 ms max, from the CPU the two workers leave it). Bounds generous for a
    // shared machine: a pool that blocked the loop would fail the second on any machine.
    console.info(
      `event-loop delay max: ${pooledDelay.toFixed(1)} ms (pool, 4 x 32 texts), ${inThreadDelay.toFixed(1)} ms (calling thread, 32 texts)`,
    );
    expect(pooledDelay).toBeLessThan(80);
    expect(pooledDelay).toBeLessThan(inThreadDelay / 2);
  });
});

describe("a worker that dies", () => {
  it("fails its embedding with RECALL_SEMANTIC_ERROR and is replaced, so the next one succeeds", async () => {
    const embedder = createLocalEmbedder({ ...silent, threads: 1 });
    try {
      await embedder.load();
      const [before] = poolOf(embedder).workers.map((w) => w.threadId);
      crashOnNextJob(embedder);
      await expect(embedder.embed(batch)).rejects.toMatchObject({
        name: "RecallError",
        code: "RECALL_SEMANTIC_ERROR",
        message: expect.stringContaining("worker thread"),
      });
      const [vector] = await embedder.embed([texts[0]!]);
      expect(vector).toHaveLength(384);
      const after = poolOf(embedder).workers.map((w) => w.threadId);
      expect(after).toHaveLength(1);
      expect(after).not.toContain(before);
    } finally {
      await embedder.dispose();
    }
  });

  it("that reports an error fails its embedding the same way and is replaced", async () => {
    const embedder = createLocalEmbedder({ ...silent, threads: 2 });
    try {
      await embedder.load();
      crashOnNextJob(embedder, "error");
      const results = await Promise.allSettled([embedder.embed(batch), embedder.embed(texts)]);
      for (const result of results) {
        expect(result.status).toBe("rejected");
        const reason = (result as PromiseRejectedResult).reason;
        expect(reason).toMatchObject({ code: "RECALL_SEMANTIC_ERROR" });
        expect(reason.message).toContain("simulated crash");
      }
      expect(await embedder.embed(texts)).toHaveLength(texts.length);
      expect(poolOf(embedder).workers).toHaveLength(2);
    } finally {
      await embedder.dispose();
    }
  });

  it("makes the cache's lookup a miss with an error event, not a failed call", async () => {
    const embedder = createLocalEmbedder({ ...silent, threads: 1 });
    const cache = createCache({ semantic: { embedder } });
    try {
      await embedder.load();
      const errors: Array<CacheEvents["error"]> = [];
      cache.on("error", (e) => errors.push(e));
      crashOnNextJob(embedder);
      const request: CacheRequest = {
        model: { provider: "openai", id: "gpt-4.1-mini" },
        messages: [{ role: "user", content: "How do I reset my password?" }],
        params: { temperature: 0 },
      };
      const outcome = await cache.run(request, async () => ({
        body: { text: "upstream" },
        text: "upstream",
        finishReason: "stop" as const,
      }));
      expect(outcome.status).toBe("miss");
      expect(errors.map((e) => e.error.code)).toContain("RECALL_SEMANTIC_ERROR");
    } finally {
      await cache.close();
      await embedder.dispose();
    }
  });

  it("that cannot load the model fails the waiting embeddings instead of restarting forever", async () => {
    // The model is not in this directory and remote models are off: every worker fails to load.
    const embedder = createLocalEmbedder({
      ...silent,
      threads: 2,
      model: "Xenova/not-here",
      dimensions: 384,
      modelDir: "/nonexistent/recall-models",
    });
    try {
      const failed = await Promise.all(
        [embedder.embed(["a"]), embedder.embed(["b"])].map((p) => p.catch((e) => e)),
      );
      for (const error of failed) expect(error).toMatchObject({ code: "RECALL_SEMANTIC_ERROR" });
      expect(poolOf(embedder).workers).toHaveLength(0);
      // The next embedding tries again (and fails the same way).
      await expect(embedder.embed(["c"])).rejects.toMatchObject({ code: "RECALL_SEMANTIC_ERROR" });
    } finally {
      await embedder.dispose();
    }
  });
});

describe("the pool's lifetime", () => {
  it("dispose() ends every worker and fails the embeddings still waiting", async () => {
    const embedder = createLocalEmbedder({ ...silent, threads: 2 });
    await embedder.load();
    const exits = poolOf(embedder).workers.map((w) => once(w, "exit"));
    expect(exits).toHaveLength(2);
    const pending = [0, 1, 2].map(() => embedder.embed(batch).catch((e: unknown) => e));
    await embedder.dispose();
    await Promise.all(exits);
    expect(poolOf(embedder).workers).toHaveLength(0);
    for (const error of await Promise.all(pending)) {
      expect(error).toMatchObject({
        code: "RECALL_SEMANTIC_ERROR",
        message: expect.stringContaining("closed"),
      });
    }
  });

  it("the last retainer's release ends every worker; the next use starts them again", async () => {
    const embedder = createLocalEmbedder({ ...silent, threads: 2 });
    try {
      const releaseA = embedder.retain();
      const releaseB = embedder.retain();
      await embedder.load();
      const exits = poolOf(embedder).workers.map((w) => once(w, "exit"));
      await releaseA();
      await releaseA(); // a second call releases nothing more
      expect(poolOf(embedder).workers).toHaveLength(2);
      await releaseB();
      await Promise.all(exits);
      expect(poolOf(embedder).workers).toHaveLength(0);
      expect(await embedder.embed(texts)).toHaveLength(texts.length);
      expect(poolOf(embedder).workers).toHaveLength(2);
    } finally {
      await embedder.dispose();
    }
  });

  it("closing the last cache that uses it ends every worker; ready() had loaded them", async () => {
    const embedder = createLocalEmbedder({ ...silent, threads: 2 });
    const first = createCache({ semantic: { embedder } });
    const second = createCache({ semantic: { embedder } });
    try {
      await first.ready();
      const workers = poolOf(embedder).workers;
      expect(workers).toHaveLength(2);
      const exits = workers.map((w) => once(w, "exit"));
      await first.close();
      expect(poolOf(embedder).workers).toHaveLength(2); // the second cache still uses them
      await second.close();
      await Promise.all(exits);
      expect(poolOf(embedder).workers).toHaveLength(0);
    } finally {
      await embedder.dispose();
    }
  });

  it("never keeps a process alive: a script that embeds and never disposes exits by itself", async () => {
    const dist = pathToFileURL(join(packageRoot(), "dist", "index.js")).href;
    const script = `
      import { createLocalEmbedder } from ${JSON.stringify(dist)};
      const embedder = createLocalEmbedder({ threads: 2, onProgress: () => {} });
      const [vector] = await embedder.embed(["How do I reset my password?"]);
      console.log(vector.length);
    `;
    // Flags a worker thread refuses (`--input-type`, V8 heap flags such as `--max-old-space-size`,
    // common in production) are the process's: the pool does not pass them on to its workers.
    const flags = ["--max-old-space-size=512", "--max-semi-space-size=32", "--input-type=module"];
    const child = spawn(process.execPath, [...flags, "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
      timeout: 30_000,
    });
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    const [code, signal] = await once(child, "exit");
    expect({ code, signal, stdout: stdout.trim() }).toEqual({ code: 0, signal: null, stdout: "384" });
  }, 40_000);
});
