/**
 * A primary of a Redis Cluster killed during steady traffic: no call fails, and once a replica has
 * taken over, a burst of identical cold requests over two instances calls upstream once. On a
 * cluster of its own (ports 7120-7125, started and stopped here with test/cluster.sh), so that the
 * other cluster tests never see the failover. Needs `redis-server` and `redis-cli`: skipped with a
 * message without them, except in CI.
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterScript } from "./cluster.js";
import { runFailover } from "./failover.js";

const BASE = 7120;

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
