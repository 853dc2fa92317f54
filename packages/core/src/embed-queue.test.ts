import { describe, expect, it } from "vitest";
import { EmbedQueue, type EmbedQueueOptions, isShed, type Reading } from "./embed-queue.js";
import type { Embedder } from "./embedder.js";

/** An embedder whose batches wait until the test lets them go. */
function gatedEmbedder(concurrency?: number) {
  const batches: string[][] = [];
  const gates: Array<() => void> = [];
  let running = 0;
  let maxRunning = 0;
  const embedder: Embedder = {
    id: "gated",
    dimensions: 2,
    ...(concurrency ? { concurrency } : {}),
    async embed(texts) {
      batches.push([...texts]);
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
      return texts.map((t) => Float32Array.of(t.length, 1));
    },
  };
  return {
    embedder,
    batches,
    get maxRunning() {
      return maxRunning;
    },
    /** Lets every batch that started go, and waits for what they schedule next. */
    async release() {
      for (const go of gates.splice(0)) go();
      await turns(3);
    },
  };
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

const options = (o: Partial<EmbedQueueOptions> = {}): EmbedQueueOptions => ({
  batchSize: 32,
  maxQueue: 256,
  batchWindowMs: 0,
  timeoutMs: 2_000,
  ...o,
});

describe("EmbedQueue", () => {
  it("embeds questions asked together as one batch, and those asked meanwhile as the next", async () => {
    const gated = gatedEmbedder();
    const queue = new EmbedQueue(gated.embedder, options());
    const first = ["a", "bb", "ccc"].map((t) => queue.read(t));
    await turns(2);
    expect(gated.batches).toEqual([["a", "bb", "ccc"]]);
    // The embedder is busy: these wait and go out together when it is free.
    const second = ["dddd", "eeeee"].map((t) => queue.read(t));
    await turns(2);
    expect(gated.batches).toHaveLength(1);
    expect(queue.length).toBe(2);
    await gated.release();
    expect(gated.batches).toEqual([
      ["a", "bb", "ccc"],
      ["dddd", "eeeee"],
    ]);
    await gated.release();
    const readings = (await Promise.all([...first, ...second])) as Reading[];
    expect(readings.map((r) => r.vector[0])).toEqual([1, 2, 3, 4, 5]);
  });

  it("runs at most `concurrency` batches at once, each at most `batchSize` texts", async () => {
    const gated = gatedEmbedder(2);
    const queue = new EmbedQueue(gated.embedder, options({ batchSize: 2 }));
    const all = Array.from({ length: 7 }, (_, i) => queue.read(`q${i}`));
    await turns(2);
    expect(gated.batches).toEqual([
      ["q0", "q1"],
      ["q2", "q3"],
    ]);
    for (let i = 0; i < 3; i++) await gated.release();
    await Promise.all(all);
    expect(gated.batches.flat()).toEqual(["q0", "q1", "q2", "q3", "q4", "q5", "q6"]);
    expect(gated.maxRunning).toBe(2);
  });

  it("shares what waits evenly among the free slots", async () => {
    const gated = gatedEmbedder(2);
    const queue = new EmbedQueue(gated.embedder, options({ batchSize: 32 }));
    const all = Array.from({ length: 6 }, (_, i) => queue.read(`q${i}`));
    await turns(2);
    expect(gated.batches).toEqual([
      ["q0", "q1", "q2"],
      ["q3", "q4", "q5"],
    ]);
    await gated.release();
    await Promise.all(all);
  });

  it("waits `batchWindowMs` for company when the embedder is idle", async () => {
    const gated = gatedEmbedder();
    const queue = new EmbedQueue(gated.embedder, options({ batchWindowMs: 30 }));
    const a = queue.read("a");
    await new Promise((r) => setTimeout(r, 5));
    const b = queue.read("b");
    await new Promise((r) => setTimeout(r, 60));
    expect(gated.batches).toEqual([["a", "b"]]);
    await gated.release();
    await Promise.all([a, b]);
  });

  it("embeds a text once for its lookup and its write, and forgets a failed one", async () => {
    let calls = 0;
    let fail = true;
    const queue = new EmbedQueue(
      {
        id: "flaky",
        dimensions: 1,
        async embed(texts) {
          calls++;
          if (fail) throw new Error("model crashed");
          return texts.map(() => Float32Array.of(1));
        },
      },
      options(),
    );
    await expect(queue.read("q")).rejects.toThrow("model crashed");
    fail = false;
    const lookup = await queue.readWithin("q", 1_000);
    const write = await queue.read("q");
    expect(isShed(lookup)).toBe(false);
    expect(write).toBe(lookup);
    expect(calls).toBe(2);
  });

  it("sheds a lookup at once when the queue is full; a write then goes without a vector too", async () => {
    const gated = gatedEmbedder();
    const queue = new EmbedQueue(gated.embedder, options({ maxQueue: 2, batchSize: 1 }));
    const pending = [queue.read("a")];
    await turns(2);
    pending.push(queue.read("b"), queue.read("c"));
    // "a" is being embedded, "b" and "c" wait: the queue is full.
    const started = performance.now();
    const lookup = await queue.readWithin("d", 10_000);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(lookup).toMatchObject({ shed: "queue-full" });
    expect(await queue.read("e")).toMatchObject({ shed: "queue-full" });
    for (let i = 0; i < 3; i++) await gated.release();
    await Promise.all(pending);
    expect(gated.batches.flat()).toEqual(["a", "b", "c"]);
  });

  it("stops a lookup's wait at the budget; the embedding finishes for the write", async () => {
    const gated = gatedEmbedder();
    const queue = new EmbedQueue(gated.embedder, options());
    const lookup = await queue.readWithin("slow question", 20);
    expect(lookup).toMatchObject({ shed: "budget" });
    expect((lookup as { reason: string }).reason).toMatch(/longer than the 20 ms budget/);
    await gated.release();
    const write = await queue.read("slow question");
    expect(isShed(write)).toBe(false);
    expect(gated.batches).toEqual([["slow question"]]);
  });

  it("sheds a lookup without queueing it when the texts ahead would outlast the budget", async () => {
    let perText = 0;
    const queue = new EmbedQueue(
      {
        id: "timed",
        dimensions: 1,
        async embed(texts) {
          await new Promise((r) => setTimeout(r, perText * texts.length));
          return texts.map(() => Float32Array.of(1));
        },
      },
      options({ batchSize: 4 }),
    );
    await queue.read("cold"); // the first batch pays for loading and is not measured
    perText = 10;
    await queue.read("warm"); // measured: ~10 ms a text
    const ahead = Array.from({ length: 20 }, (_, i) => queue.read(`ahead ${i}`));
    await turns(2);
    const started = performance.now();
    const lookup = await queue.readWithin("one more", 50);
    expect(performance.now() - started).toBeLessThan(40);
    expect(lookup).toMatchObject({ shed: "budget" });
    expect((lookup as { reason: string }).reason).toMatch(/texts wait to be embedded: about \d+ ms/);
    await Promise.all(ahead);
    // Idle again: the next lookup tries, whatever the last measure said.
    expect(isShed(await queue.readWithin("after", 1_000))).toBe(false);
  });

  it("fails a batch that outlasts timeoutMs, and keeps its slot until the embedder answers", async () => {
    const gated = gatedEmbedder();
    const queue = new EmbedQueue(gated.embedder, options({ timeoutMs: 20 }));
    await expect(queue.read("hung")).rejects.toThrow(/longer than 20 ms/);
    const next = queue.read("next");
    await turns(2);
    // The hung call still holds the only slot: no second call is piled onto the embedder.
    expect(gated.batches).toEqual([["hung"]]);
    await gated.release();
    await gated.release();
    expect(isShed(await next)).toBe(false);
    expect(gated.batches).toEqual([["hung"], ["next"]]);
  });

  it("reads vectors and unrepresented shares in one pass, and rejects a missing share", async () => {
    const queue = new EmbedQueue(
      {
        id: "shares",
        dimensions: 1,
        async embed(texts) {
          return texts.map(() => Float32Array.of(1));
        },
        async unrepresented(texts) {
          return texts.map((t) => (t === "odd" ? (undefined as unknown as number) : t.length / 10));
        },
      },
      options(),
    );
    const [a, odd] = await Promise.allSettled([queue.read("abc"), queue.read("odd")]);
    expect(a).toMatchObject({ status: "fulfilled", value: { unrepresented: 0.3 } });
    expect(odd).toMatchObject({ status: "rejected", reason: { message: /returned undefined/ } });
  });
});
