import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { createCache } from "../cache.js";
import type { RecallError } from "../errors.js";
import type { CacheRequest } from "../request.js";
import type { CacheResponse } from "../response.js";
import { parseCallOptions } from "./call-options.js";
import { settleStream } from "./stream-settler.js";
import { summarize } from "./summary.js";

const model = { provider: "openai", id: "text-embedding-3-small" };
const embed = (input: unknown): CacheRequest => ({ kind: "embedding", model, input });
const vectors = (n: number): CacheResponse => ({
  body: { data: Array(n).fill([0.1]) },
  finishReason: "stop",
});
const chat = (q: string): CacheRequest => ({
  model: { provider: "openai", id: "gpt-4.1" },
  messages: [{ role: "user", content: q }],
});
const said = (text: string): CacheResponse => ({ body: text, text, finishReason: "stop" });

describe("requests that are not chats", () => {
  it("are keyed by their input exactly, stored without text, and never matched by meaning", async () => {
    const cache = createCache();
    const first = await cache.run(embed({ input: "a  b" }), async () => vectors(1));
    expect(first).toMatchObject({ status: "miss", stored: true });
    expect((await cache.run(embed({ input: "a  b" }), async () => vectors(1))).status).toBe("hit");
    // No normalization: "a b" embeds differently from "a  b".
    expect((await cache.run(embed({ input: "a b" }), async () => vectors(1))).status).toBe("miss");
  });

  it("never share a key with a chat, or with another kind", async () => {
    const cache = createCache();
    const keys = new Set<string>();
    for (const request of [
      embed("hello"),
      { kind: "json", model, input: "hello" },
      { ...chat("hello"), model },
    ] as CacheRequest[]) {
      keys.add((await cache.run(request, async () => said("x"))).key);
    }
    expect(keys.size).toBe(3);
  });

  it("are refused with a clear message when they have neither messages nor input", async () => {
    const cache = createCache();
    const errors: RecallError[] = [];
    cache.on("error", (e) => errors.push(e.error));
    const outcome = await cache.run({ model } as CacheRequest, async () => said("x"));
    expect(outcome).toMatchObject({ status: "bypass", stored: false });
    expect(errors[0]?.message).toMatch(/request\.input/);
  });
});

describe("what an adapter says about an answer", () => {
  it("doNotStore keeps the answer out of the cache and reports its reason", async () => {
    const cache = createCache();
    const reasons: string[] = [];
    cache.on("reject", (e) => reasons.push(e.reason));
    const incomplete = { ...vectors(1), doNotStore: "the upstream sent an incomplete list" };
    const outcome = await cache.run(embed("x"), async () => incomplete);
    expect(outcome).toMatchObject({ stored: false, rejectedBecause: "the upstream sent an incomplete list" });
    expect(reasons).toEqual(["the upstream sent an incomplete list"]);
    expect((await cache.run(embed("x"), async () => vectors(1))).status).toBe("miss");
  });

  it("an answer that carries a credential of the call is never stored", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 8, maxLength: 40 }), fc.string(), async (secret, around) => {
        const cache = createCache();
        const request = { ...chat(`q ${secret} ${around}`), secrets: [secret] };
        const outcome = await cache.run(request, async () => said(`${around}${secret}${around}`));
        expect(outcome.stored).toBe(false);
        expect(outcome.rejectedBecause).toMatch(/credential/);
      }),
      { numRuns: 50 },
    );
  });

  it("secrets never enter the key", async () => {
    const cache = createCache();
    await cache.run({ ...chat("q"), secrets: ["sk-aaaaaaaaaaaa"] }, async () => said("a"));
    const again = await cache.run({ ...chat("q"), secrets: ["sk-bbbbbbbbbbbb"] }, async () => said("b"));
    expect(again).toMatchObject({ status: "hit", response: { text: "a" } });
  });

  it("a commit whose answer cannot be built stores nothing, reports it and frees waiting callers", async () => {
    const cache = createCache();
    const errors: string[] = [];
    cache.on("error", (e) => errors.push(e.error.message));
    const first = await cache.lookup(chat("q"));
    const second = cache.lookup(chat("q")); // waits for the first
    if (first.hit) throw new Error("expected a miss");
    const outcome = await first.commit(() => {
      throw new Error("unreadable stream");
    });
    expect(outcome).toMatchObject({ stored: false, rejectedBecause: "the answer could not be read" });
    expect(errors.join()).toMatch(/unreadable stream/);
    const waiter = await second;
    expect(waiter.hit).toBe(false); // it goes upstream itself instead of hanging
  });
});

describe("lookup", () => {
  it("never rejects: an engine fault is an error event and a pass-through ticket", async () => {
    const cache = createCache();
    const errors: string[] = [];
    cache.on("error", (e) => errors.push(e.error.code));
    // Call options whose getter throws are not something the engine foresees.
    const hostile = {};
    Object.defineProperty(hostile, "noCache", {
      get() {
        throw new Error("boom");
      },
    });
    const found = await cache.lookup(chat("q"), hostile);
    expect(found.hit).toBe(false);
    expect(found).toMatchObject({ status: "bypass" });
    expect(errors).toEqual(["RECALL_ADAPTER_ERROR"]);
  });

  it("reportError reaches the cache's error listeners and its stats", () => {
    const cache = createCache();
    const seen = vi.fn();
    cache.on("error", seen);
    cache.reportError("could not read the model's parameters", new Error("odd"), { namespace: "n" });
    expect(seen).toHaveBeenCalledWith(
      expect.objectContaining({
        namespace: "n",
        error: expect.objectContaining({ code: "RECALL_ADAPTER_ERROR" }),
      }),
    );
    expect(cache.stats.snapshot().total.errors).toBe(1);
  });
});

describe("parseCallOptions", () => {
  const where = "providerOptions.recall";

  it("reads every call option over the defaults and hands the adapter's own members back", () => {
    const parsed = parseCallOptions(
      { ttl: 5, namespace: "t", threshold: 0.9, tags: ["a"], noStore: true, context: { doc: 1 } },
      { where, defaults: { namespace: "d", noCache: false }, extra: ["context"] },
    );
    expect(parsed.call).toEqual({
      ttl: 5,
      namespace: "t",
      threshold: 0.9,
      tags: ["a"],
      noStore: true,
      noCache: false,
    });
    expect(parsed.extra).toEqual({ context: { doc: 1 } });
    expect(parseCallOptions(undefined, { where, defaults: { ttl: 1 } }).call).toEqual({ ttl: 1 });
  });

  it("reads verify: sync, async, or false (exact matching and the threshold only)", () => {
    for (const verify of ["sync", "async", false] as const)
      expect(parseCallOptions({ verify }, { where, defaults: { verify: "async" } }).call).toEqual({ verify });
  });

  it.each([
    [{ ttl: -1 }, /providerOptions\.recall\.ttl must be a non-negative/],
    [{ noCache: "yes" }, /providerOptions\.recall\.noCache must be a boolean/],
    [{ threshold: 2 }, /threshold must be a cosine similarity/],
    [{ verify: "later" }, /providerOptions\.recall\.verify must be "sync", "async" or false, got "later"/],
    [{ verify: true }, /verify must be "sync", "async" or false, got true/],
    [{ tags: "a" }, /tags must be an array of strings/],
    [{ namespace: "" }, /namespace must be a non-empty string/],
    [{ noCahce: true }, /noCahce is not a Recall option/],
    [[], /must be an object/],
  ])("refuses %j, naming the member and where it was given", (raw, message) => {
    expect(() => parseCallOptions(raw, { where })).toThrow(message);
  });
});

describe("settleStream", () => {
  const recorded = (): CacheResponse<string[]> => ({
    body: ["Par", "is"],
    text: "Paris",
    finishReason: "stop",
  });

  it("stores a stream that ended cleanly, once", async () => {
    const cache = createCache();
    const found = await cache.lookup<string[]>(chat("q"));
    if (found.hit) throw new Error("expected a miss");
    const settler = settleStream(found);
    expect(await settler.end(recorded)).toMatchObject({ status: "miss", stored: true, cached: false });
    expect(await settler.end(recorded)).toMatchObject({ stored: false });
    expect((await cache.lookup(chat("q"))).hit).toBe(true);
  });

  it("stores nothing for an aborted stream, and frees waiting callers the moment it is aborted", async () => {
    const cache = createCache();
    const found = await cache.lookup<string[]>(chat("q"));
    if (found.hit) throw new Error("expected a miss");
    const abort = new AbortController();
    const settler = settleStream(found, abort.signal);
    const waiter = cache.lookup(chat("q"));
    abort.abort();
    const next = await waiter;
    expect(next.hit).toBe(false);
    expect(await settler.end(recorded)).toMatchObject({ stored: false });
    if (!next.hit) next.fail();
    expect((await cache.lookup(chat("q"))).hit).toBe(false);
  });

  it("stores nothing once abandoned (an error or a reader that stopped)", async () => {
    const cache = createCache();
    const found = await cache.lookup<string[]>(chat("q"));
    if (found.hit) throw new Error("expected a miss");
    const settler = settleStream(found);
    settler.abandon();
    settler.abandon();
    expect(await settler.end(recorded)).toMatchObject({ stored: false });
  });
});

describe("summarize", () => {
  it("keeps only what is set, as JSON", () => {
    expect(summarize({ status: "miss", key: "k", namespace: "n", stored: true })).toEqual({
      status: "miss",
      cached: false,
      key: "k",
      namespace: "n",
      stored: true,
    });
    const hit = summarize({
      status: "semantic-hit",
      similarity: 0.98,
      matchedQuestion: "q",
      ageMs: 3,
      saved: { inputTokens: 1, outputTokens: 2, usd: 0.1 },
    });
    expect(hit).toMatchObject({ cached: true, similarity: 0.98, saved: { usd: 0.1 } });
    expect(summarize({ status: "semantic-hit", id: "rh1.x", decidedBy: "verifier" })).toEqual({
      status: "semantic-hit",
      cached: true,
      id: "rh1.x",
      decidedBy: "verifier",
    });
    expect(JSON.parse(JSON.stringify(hit))).toEqual(hit);
  });

  it("gives a hit's id, which cache.feedback takes, and none on a miss", async () => {
    const cache = createCache();
    expect(summarize(await cache.run(chat("q"), async () => said("a"))).id).toBeUndefined();
    const hit = summarize(await cache.run(chat("q"), async () => said("b")));
    expect(hit.id).toMatch(/^rh1\./);
    expect(await cache.feedback(hit.id!, { wrong: true })).toEqual({ action: "deleted" });
  });
});

describe("keyOf", () => {
  it("is the key lookups report, shared by requests the cache keys as one, and undefined when unkeyable", async () => {
    const cache = createCache();
    const outcome = await cache.run(chat("a  b"), async () => said("x"));
    expect(cache.keyOf(chat("a  b"))).toBe(outcome.key);
    expect(cache.keyOf(chat("a b"))).toBe(outcome.key);
    expect(cache.keyOf(chat("a b"), { namespace: "other" })).not.toBe(outcome.key);
    expect(cache.keyOf({ model } as CacheRequest)).toBeUndefined();
  });
});

describe("waitTimeoutMs per call", () => {
  it("bounds how long one call waits for an identical one in flight", async () => {
    const cache = createCache(); // the cache waits 60 s by default
    const leader = await cache.lookup(chat("q"));
    expect(leader.hit).toBe(false);
    const started = Date.now();
    const waiter = await cache.lookup(chat("q"), { waitTimeoutMs: 20 });
    expect(waiter.hit).toBe(false); // it gave up waiting and calls upstream itself
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(() => parseCallOptions({ waitTimeoutMs: -1 }, { where: "w" })).toThrow(/w\.waitTimeoutMs/);
  });
});

describe("request.secrets shorter than a credential", () => {
  it("are not searched for, so an answer containing common short text is still stored", async () => {
    const cache = createCache();
    const outcome = await cache.run({ ...chat("q"), secrets: ["abc", "1234567"] }, async () =>
      said("abc 1234567"),
    );
    expect(outcome.stored).toBe(true);
  });
});
