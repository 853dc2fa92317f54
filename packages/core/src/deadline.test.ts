import { stat } from "node:fs";
import { fileURLToPath } from "node:url";
import Keyv from "keyv";
import { describe, expect, it } from "vitest";
import { createCache } from "./cache.js";
import { onDeadline } from "./deadline.js";

const here = fileURLToPath(import.meta.url);

/** One round trip to the thread pool, read back in the I/O phase (as a socket reply is). */
const oneIo = () => new Promise<void>((resolve, reject) => stat(here, (e) => (e ? reject(e) : resolve())));

/** Blocks the event loop, as a long synchronous task (an embedding on the main thread) does. */
function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

/** Resolves once `flag()` holds, checking once per turn of the event loop. */
async function turnsUntil(flag: () => boolean): Promise<void> {
  while (!flag()) await new Promise((r) => setImmediate(r));
}

describe("onDeadline", () => {
  it("expires after its time when nothing cancels it, and never after a cancel", async () => {
    const fired: string[] = [];
    onDeadline(5, () => fired.push("a"));
    const cancel = onDeadline(5, () => fired.push("b"));
    cancel();
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toEqual(["a"]);
  });

  it("lets I/O that arrived while the loop was blocked cancel it first", async () => {
    let expired = false;
    let read = false;
    // From the check phase, the next turn runs timers before it reads I/O: the worst case.
    const io = await new Promise<Promise<void>>((started) =>
      setImmediate(() => {
        const cancel = onDeadline(10, () => {
          expired = true;
        });
        const pending = oneIo().then(() => {
          read = true;
          cancel();
        });
        blockFor(60); // the stat completes meanwhile (thread pool), and the deadline passes
        started(pending);
      }),
    );
    await io;
    await new Promise((r) => setTimeout(r, 20));
    expect(read).toBe(true);
    expect(expired).toBe(false);
  });
});

describe("onDeadline with unref", () => {
  it("still expires on time while other work keeps the process alive", async () => {
    // An unreferenced immediate would let the loop sleep in its poll phase until the next handle.
    const keep = setInterval(() => {}, 2_000);
    const started = performance.now();
    await new Promise<void>((resolve) => onDeadline(20, resolve, { unref: true }));
    clearInterval(keep);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("the store timeout measures the store, not the event loop", () => {
  const ask = {
    model: { provider: "openai", id: "gpt-4.1" },
    messages: [{ role: "user" as const, content: "q" }],
  };
  /** A cache whose store reads with `get` under a 20 ms timeout, and the error codes it reports. */
  function cacheReadingWith(get: () => Promise<undefined>) {
    const store = new Keyv({
      store: { get, set: async () => true, delete: async () => true, clear: async () => {} } as never,
    });
    const cache = createCache({ store, storeTimeoutMs: 20, breaker: false });
    const errors: string[] = [];
    cache.on("error", (e) => errors.push(e.error.code));
    return { cache, errors };
  }

  it("counts no timeout for a reply that arrived in time while the loop was busy", async () => {
    let started = false;
    const { cache, errors } = cacheReadingWith(async () => {
      started = true;
      await oneIo(); // real I/O: its completion is read in the I/O phase
      return undefined;
    });
    for (let i = 0; i < 5; i++) {
      started = false;
      const pending = cache.lookup(ask);
      await turnsUntil(() => started);
      blockFor(80); // four times the store timeout
      const found = await pending;
      if (!found.hit) found.fail();
    }
    expect(errors).toEqual([]);
  });

  it("still times out a store that is really slow", async () => {
    const { cache, errors } = cacheReadingWith(() => new Promise((r) => setTimeout(() => r(undefined), 200)));
    const found = await cache.lookup(ask);
    if (!found.hit) found.fail();
    expect(errors).toContain("RECALL_STORE_TIMEOUT");
  });
});
