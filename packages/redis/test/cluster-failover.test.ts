/**
 * A primary of a Redis Cluster killed during steady traffic: no call fails, and once a replica has
 * taken over, a burst of identical cold requests over two instances calls upstream once. On a
 * cluster of its own (ports 7120-7125, started and stopped here with test/cluster.sh), so that the
 * other cluster tests never see the failover. Needs `redis-server` and `redis-cli`: skipped with a
 * message without them, except in CI.
 */
import { execFileSync } from "node:child_process";
import { createCache } from "@recall/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisRecall } from "../src/index.js";
import { clusterNodes, clusterScript } from "./cluster.js";
import { runFailover } from "./failover.js";
import { answer, request, sleep } from "./helpers.js";

const BASE = 7120;
/** Nothing listens here until the test starts a cluster. */
const LATE_BASE = 7140;

function missingTools(): string | undefined {
  if (process.env.CI === "true") return undefined;
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    execFileSync("redis-cli", ["--version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "redis-server or redis-cli not installed: Redis Cluster failover test skipped";
  }
}

const skip = missingTools();
if (skip) console.warn(skip);

describe.skipIf(skip)("Redis Cluster: a primary killed during traffic", () => {
  beforeAll(async () => {
    await clusterScript("stop", BASE); // a cluster left over from an interrupted run
    await clusterScript("start", BASE);
  }, 60_000);
  afterAll(async () => {
    await clusterScript("stop", BASE);
  }, 60_000);

  it("fails no call, calls upstream once for a burst of identical cold requests after the failover, and the bus recovers", async () => {
    const result = await runFailover({ base: BASE, calls: 200, burst: 50 });
    expect(result.failedCalls).toBe(0);
    expect(result.burstUpstreamCalls).toBe(1);
    // The cache saw the dead primary (errors, misses), and still answered from cache otherwise.
    expect(result.cacheErrors).toBeGreaterThan(0);
    expect(result.hits).toBeGreaterThan(0);
    // The killed primary held a bus subscription: it moved, the bus carries entries both ways again,
    // and the instance that lost it re-read the stored entries (caught-up).
    expect(result.busAfterFailover).toBe(true);
    expect(result.caughtUp).toBeGreaterThan(0);
  }, 90_000);
});

describe.skipIf(skip)("Redis Cluster: not up when the instance starts", () => {
  afterAll(async () => {
    await clusterScript("stop", LATE_BASE);
  }, 60_000);

  it("answers every call from upstream meanwhile, and caches once the cluster is up", async () => {
    await clusterScript("stop", LATE_BASE);
    const redis = redisRecall({ cluster: { rootNodes: clusterNodes(LATE_BASE) }, storeNamespace: "late" });
    const cache = createCache({ store: redis.store, lock: redis.lock, bus: redis.bus });
    try {
      await cache.ready(); // never rejects
      let calls = 0;
      const upstream = async () => {
        calls++;
        return answer("from upstream");
      };
      for (let i = 0; i < 3; i++) {
        const outcome = await cache.run(request("asked before the cluster exists"), upstream);
        expect(outcome.status).toBe("miss");
        expect(outcome.response.text).toBe("from upstream");
      }
      expect(calls).toBe(3);

      await clusterScript("start", LATE_BASE);
      let status = "";
      const end = Date.now() + 15_000;
      while (status !== "hit" && Date.now() < end) {
        status = (await cache.run(request("asked before the cluster exists"), upstream)).status;
        if (status !== "hit") await sleep(100);
      }
      expect(status).toBe("hit");
    } finally {
      await cache.close();
      await redis.close();
    }
  }, 60_000);
});
