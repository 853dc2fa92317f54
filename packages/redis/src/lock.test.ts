import { lockSuite } from "@recall/test-suite";
import { afterAll, describe, expect, it } from "vitest";
import { deleteKeys, REDIS_URL, rawClient, sleep, uniquePrefix } from "../test/helpers.js";
import { createRedisLock, type RedisLock } from "./lock.js";

// The lock conformance suite; `expire` deletes the key, as Redis does when a dead holder's TTL ends.
const suitePrefix = `${uniquePrefix()}:lock-suite:`;
const raw = rawClient();
lockSuite("createRedisLock", () => createRedisLock({ url: REDIS_URL, keyPrefix: suitePrefix }), {
  expire: async (key) => void (await (await raw).del(suitePrefix + key)),
});
afterAll(async () => {
  (await raw).destroy();
  await deleteKeys(`${suitePrefix}*`);
});

describe("createRedisLock", () => {
  const prefix = `${uniquePrefix()}:lock:`;
  const locks: RedisLock[] = [];
  const lock = (options: Parameters<typeof createRedisLock>[0] = { url: REDIS_URL }) => {
    const l = createRedisLock({ keyPrefix: prefix, ...options });
    locks.push(l);
    return l;
  };
  afterAll(async () => {
    for (const l of locks) await l.close();
    await deleteKeys(`${prefix}*`);
  });

  it("gives a key to one holder at a time and frees it on release", async () => {
    const a = lock();
    const b = lock();
    const first = await a.acquire("k1", 5_000);
    expect(first).toBeDefined();
    expect(await b.acquire("k1", 5_000)).toBeUndefined();
    expect(await a.acquire("k1", 5_000)).toBeUndefined();
    await first!.release();
    const second = await b.acquire("k1", 5_000);
    expect(second).toBeDefined();
    await second!.release();
  });

  it("never deletes a lock another holder took over", async () => {
    const a = lock();
    const raw = await rawClient();
    const handle = await a.acquire("k2", 5_000);
    // The lock expired and someone else holds it now.
    await raw.set(`${prefix}k2`, "someone-else", { PX: 5_000 });
    await handle!.release();
    expect(await raw.get(`${prefix}k2`)).toBe("someone-else");
    raw.destroy();
  });

  it("keeps a held lock alive past its ttl, and lets it expire when the holder is gone", async () => {
    const a = lock();
    const raw = await rawClient();
    const handle = await a.acquire("k3", 300);
    await sleep(800);
    expect(await raw.exists(`${prefix}k3`)).toBe(1);
    await handle!.release();
    expect(await raw.exists(`${prefix}k3`)).toBe(0);

    // A holder that died: its key stays only until the ttl.
    await raw.set(`${prefix}k4`, "dead-holder", { PX: 300 });
    const b = lock();
    expect(await b.acquire("k4", 5_000)).toBeUndefined();
    await sleep(450);
    const taken = await b.acquire("k4", 5_000);
    expect(taken).toBeDefined();
    await taken!.release();
    raw.destroy();
  });

  it("wakes waiters through pub/sub when the holder releases, well before polling would", async () => {
    const holder = lock();
    const waiter = lock({ url: REDIS_URL, maxPollIntervalMs: 10_000 });
    await sleep(100); // let the waiter's subscriber connect
    const handle = await holder.acquire("k5", 30_000);
    const started = Date.now();
    const waiting = waiter.waitForRelease("k5", 20_000);
    await sleep(200); // past the first few polls, which back off to 10 s
    await handle!.release();
    await waiting;
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(2_000);
  });

  it("falls back to polling when no release message comes (the holder died)", async () => {
    const raw = await rawClient();
    const waiter = lock({ url: REDIS_URL, maxPollIntervalMs: 50 });
    await raw.set(`${prefix}k6`, "dead-holder", { PX: 400 });
    const started = Date.now();
    await waiter.waitForRelease("k6", 20_000);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(2_000);
    raw.destroy();
  });

  it("stops waiting at the bound while the lock is still held", async () => {
    const a = lock();
    const handle = await a.acquire("k7", 10_000);
    const started = Date.now();
    await a.waitForRelease("k7", 300);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(1_500);
    await handle!.release();
  });

  it("fails fast when Redis cannot be reached, and waiting ends at once", async () => {
    const dead = lock({ url: "redis://127.0.0.1:1", commandTimeoutMs: 200 });
    const started = Date.now();
    await expect(dead.acquire("k8", 1_000)).rejects.toThrow();
    await dead.waitForRelease("k8", 10_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("rejects bad options with a coded error", () => {
    expect(() => createRedisLock({})).toThrow(expect.objectContaining({ code: "RECALL_INVALID_OPTION" }));
    expect(() => createRedisLock({ url: REDIS_URL, commandTimeoutMs: -1 })).toThrow(/commandTimeoutMs/);
  });
});
