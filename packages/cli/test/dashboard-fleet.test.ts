import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type CacheResponse, createCache, type StatsSnapshot } from "@recall/core";
import { dashboard } from "@recall/express";
import { fleetStats } from "@recall/redis";
import express from "express";
import { describe, expect, it } from "vitest";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** The fleet-stats fixture of @recall/redis: a child process that drives a cache and prints its stats. */
const fixture = join(dirname(fileURLToPath(import.meta.url)), "../../redis/src/fleet-stats.fixture.ts");
const reply = (text: string): CacheResponse => ({ body: { text }, text, finishReason: "stop" });
const request = (q: string) => ({
  model: { provider: "openai", id: "gpt-4.1" },
  messages: [{ role: "user" as const, content: q }],
});

describe("the dashboard over fleet stats", () => {
  it("served by one of two processes on one Redis, shows the sum of both", async () => {
    const prefix = `dash-fleet-${randomUUID().slice(0, 8)}`;
    // The other process: its own cache and fleet stats, the same Redis and stats prefix.
    const child = promisify(execFile)(process.execPath, ["--import", "tsx", fixture, prefix, "child"], {
      cwd: join(dirname(fixture), ".."),
      env: { ...process.env, REDIS_URL },
    });

    // This process: traffic of its own, and the dashboard, fed by the fleet's stats.
    const cache = createCache();
    const fleet = fleetStats(cache, { redis: REDIS_URL, prefix });
    for (const q of ["How do I reset my password?", "Where is my invoice?"]) {
      await cache.run(request(q), async () => reply(`answer to ${q}`), { namespace: "support" });
      await cache.run(request(q), async () => reply("unused"), { namespace: "support" });
    }
    await fleet.flush();
    const { stdout } = await child;
    const other = JSON.parse(stdout) as { stats: StatsSnapshot; errors: string[] };
    expect(other.errors).toEqual([]);

    const app = express();
    const board = dashboard(cache, { source: fleet });
    app.use("/recall", board);
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const state = (await (await fetch(`http://127.0.0.1:${port}/recall/api/state`)).json()) as {
        source: { fleet: boolean };
        stats: StatsSnapshot;
      };
      const mine = cache.stats.snapshot();
      expect(state.source.fleet).toBe(true);
      for (const counter of ["hits", "misses", "coalesced", "bypasses", "stores", "rejects"] as const)
        expect(state.stats.total[counter], counter).toBe(mine.total[counter] + other.stats.total[counter]);
      // The child's traffic goes to "support" and "sales"; this process's to "support" only.
      expect(state.stats.namespaces.support!.hits).toBe(
        mine.namespaces.support!.hits + other.stats.namespaces.support!.hits,
      );
      expect(state.stats.namespaces.sales!.misses).toBe(other.stats.namespaces.sales!.misses);
    } finally {
      server.close();
      board.close();
      await fleet.close();
      await cache.close();
    }
  });
});
