import { type CacheRequest, type CacheResponse, createCache } from "@recall/core";
import { fakeClock } from "@recall/core/testing";
import type Keyv from "keyv";
import { afterAll, describe, expect, it } from "vitest";

export interface StoreSuiteOptions {
  /** False for a store Keyv cannot iterate: the purge test is left out. Default true. */
  iterable?: boolean;
}

/**
 * The behaviour every Keyv store must give Recall: hits after stores, TTL expiry, namespaces,
 * deletes and purges, and foreign values read as misses. Run it against your store in a few lines:
 *
 * @example
 * storeSuite("redis", () => new Keyv({ store: new KeyvRedis(url), namespace: "test" }));
 */
export function storeSuite(name: string, makeStore: () => Keyv, options: StoreSuiteOptions = {}): void {
  describe(`cache store suite: ${name}`, () => {
    const stores: Keyv[] = [];
    const store = () => {
      const s = makeStore();
      stores.push(s);
      return s;
    };
    afterAll(async () => {
      for (const s of stores) {
        await s.clear().catch(() => {});
        await s.disconnect?.().catch(() => {});
      }
    });

    const unique = () => Math.random().toString(36).slice(2);
    const request = (q: string): CacheRequest => ({
      model: { provider: "openai", id: "gpt-4.1" },
      messages: [{ role: "user", content: q }],
    });
    const answer = (text: string): CacheResponse => ({
      body: { text },
      text,
      finishReason: "stop",
      usage: { inputTokens: 10, outputTokens: 20 },
    });

    it("answers a repeat from the store and counts it", async () => {
      const cache = createCache({ store: store(), storeTimeoutMs: 1_000 });
      const q = `What is ${unique()}?`;
      let calls = 0;
      const call = async () => {
        calls++;
        return answer("42");
      };
      const first = await cache.run(request(q), call);
      const second = await cache.run(request(q), call);
      expect(first.status).toBe("miss");
      expect(first.stored).toBe(true);
      expect(second.status).toBe("hit");
      expect(second.response.body).toEqual({ text: "42" });
      expect(calls).toBe(1);
      expect(cache.stats.snapshot().total.hits).toBe(1);
    });

    it("expires entries after their TTL", async () => {
      // Recall reads the TTL off its clock, moved here rather than waited for.
      const clock = fakeClock();
      const keyv = store();
      const cache = createCache({ store: keyv, ttl: 150, storeTimeoutMs: 1_000, clock });
      const q = `Expiring ${unique()}`;
      const storedAfter = Date.now();
      const first = await cache.run(request(q), async () => answer("a"));
      const storedBefore = Date.now();
      // The store is told the TTL too, so it drops the entry on its own in real time.
      const expires = (await keyv.get(first.key, { raw: true }))?.expires;
      expect(expires).toBeGreaterThanOrEqual(storedAfter + 150);
      expect(expires).toBeLessThanOrEqual(storedBefore + 150);
      clock.advance(149);
      expect((await cache.run(request(q), async () => answer("b"))).status).toBe("hit");
      clock.advance(1);
      const after = await cache.run(request(q), async () => answer("c"));
      expect(after.status).toBe("miss");
      expect(after.response.text).toBe("c");
    });

    it("keeps namespaces apart", async () => {
      const cache = createCache({ store: store(), storeTimeoutMs: 1_000 });
      const q = `Namespaced ${unique()}`;
      await cache.run(request(q), async () => answer("for a"), { namespace: "tenant-a" });
      const b = await cache.run(request(q), async () => answer("for b"), { namespace: "tenant-b" });
      expect(b.status).toBe("miss");
      expect(b.response.text).toBe("for b");
      expect(
        (await cache.run(request(q), async () => answer("x"), { namespace: "tenant-a" })).response.text,
      ).toBe("for a");
    });

    it("deletes one entry by key", async () => {
      const cache = createCache({ store: store(), storeTimeoutMs: 1_000 });
      const q = `Deleted ${unique()}`;
      const first = await cache.run(request(q), async () => answer("old"));
      await cache.delete(first.key);
      expect((await cache.run(request(q), async () => answer("new"))).response.text).toBe("new");
    });

    it("reads a foreign value under our key as a miss and removes it", async () => {
      const keyv = store();
      const cache = createCache({ store: keyv, storeTimeoutMs: 1_000 });
      const q = `Corrupted ${unique()}`;
      const first = await cache.run(request(q), async () => answer("good"));
      await keyv.set(first.key, { not: "ours" });
      const errors: string[] = [];
      cache.on("error", (e) => errors.push(e.error.code));
      const again = await cache.run(request(q), async () => answer("fresh"));
      expect(again.status).toBe("miss");
      expect(again.response.text).toBe("fresh");
      expect(errors).toContain("RECALL_DECODE_ERROR");
    });

    if (options.iterable !== false) {
      it("purges a namespace and a tag", async () => {
        const cache = createCache({ store: store(), storeTimeoutMs: 1_000 });
        const ns = `purge-${unique()}`;
        await cache.run(request("one"), async () => answer("1"), { namespace: ns });
        await cache.run(request("two"), async () => answer("2"), { namespace: ns, tags: ["kb-v1"] });
        await cache.run(request("three"), async () => answer("3"), { tags: ["kb-v1"] });
        await cache.run(request("four"), async () => answer("4"));
        expect(await cache.purgeTag("kb-v1")).toBe(2);
        expect((await cache.run(request("three"), async () => answer("3b"))).status).toBe("miss");
        expect((await cache.run(request("four"), async () => answer("4b"))).status).toBe("hit");
        expect(await cache.purgeNamespace(ns)).toBe(1);
        expect((await cache.run(request("one"), async () => answer("1b"), { namespace: ns })).status).toBe(
          "miss",
        );
      });
    }
  });
}
