import { randomUUID } from "node:crypto";
import { type CacheResponse, createCache } from "@recall/core";
import { fleetStats, redisRecall } from "@recall/redis";
import { afterAll, describe, expect, it } from "vitest";
import { parseDashboardArgs, type RunningDashboard, redactUrl, startDashboard } from "../src/dashboard.js";
import { main } from "../src/main.js";
import { UsageError } from "../src/usage-error.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) } };
};
/** Parsed arguments (never "help"). */
function args(argv: string[]) {
  const parsed = parseDashboardArgs(argv, {});
  if (parsed === "help") throw new Error("unexpected help");
  return parsed;
}
const reply = (text: string): CacheResponse => ({ body: { text }, text, finishReason: "stop" });
const request = (q: string) => ({
  model: { provider: "openai", id: "gpt-4.1" },
  messages: [{ role: "user" as const, content: q }],
});

describe("recall dashboard: arguments", () => {
  it("needs a Redis URL, and checks the others", () => {
    expect(() => parseDashboardArgs([], {})).toThrow(UsageError);
    expect(() => parseDashboardArgs([], {})).toThrow(/--redis URL is required/);
    expect(() => parseDashboardArgs(["--redis", "http://x"], {})).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => parseDashboardArgs(["--redis", REDIS_URL, "--port", "70000"], {})).toThrow(/--port/);
    expect(() => parseDashboardArgs(["--redis", REDIS_URL, "--host", "0.0.0.0"], {})).toThrow(
      /unknown option "--host"/,
    );
    expect(parseDashboardArgs([], { REDIS_URL: "redis://cache.internal:6380" })).toEqual({
      redis: "redis://cache.internal:6380",
      port: 8790,
      prefix: "recall",
      keyPrefix: "recall",
      statsPrefix: "recall",
      title: "Recall on cache.internal:6380",
    });
    expect(parseDashboardArgs(["--help"], {})).toBe("help");
  });

  it("is a command of recall, with its help", async () => {
    const { out, io: cli } = io();
    expect(await main(["dashboard", "--help"], cli)).toBe(0);
    expect(out.join("\n")).toMatch(/recall dashboard --redis URL/);
    const bad = io();
    expect(await main(["dashboard", "--redis", REDIS_URL, "--port", "x"], bad.io)).toBe(2);
    expect(bad.err.join("\n")).toMatch(/--port/);
  });

  it("never prints a Redis password", () => {
    expect(redactUrl("redis://user:hunter2@host:6379/0")).toBe("redis://user:***@host:6379/0");
  });
});

describe("recall dashboard: a cache on Redis", () => {
  const prefix = `cli-dashboard-${randomUUID().slice(0, 8)}`;
  const writer = redisRecall({ url: REDIS_URL, storeNamespace: prefix });
  const cache = createCache({ store: writer.store });
  // The writer is an app instance that adds its counts to the fleet's stats in Redis.
  const fleet = fleetStats(cache, { redis: writer, prefix: `${prefix}-stats` });
  let running: RunningDashboard | undefined;
  afterAll(async () => {
    await running?.close();
    await fleet.close();
    await cache.purgeNamespace("default").catch(() => 0);
    await cache.purgeNamespace("billing").catch(() => 0);
    await cache.close();
    await writer.close();
  });

  it("lists, inspects and deletes the entries another process stored, and shows the fleet's counts", async () => {
    await cache.run(request("How do I reset my password?"), async () => reply("Settings, then Reset."));
    await cache.run(request("Where is my invoice?"), async () => reply("Billing, then Invoices."), {
      namespace: "billing",
      tags: ["invoices"],
    });
    await cache.run(request("How do I reset my password?"), async () => reply("fresh"));
    await fleet.flush();
    running = await startDashboard(
      args(["--redis", REDIS_URL, "--prefix", prefix, "--stats-prefix", `${prefix}-stats`, "--port", "0"]),
    );
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const page = await fetch(running.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>Recall on 127.0.0.1:6379</title>");

    const state = (await (await fetch(`${running.url}api/state`)).json()) as {
      source: { fleet: boolean; note: string | null };
      stats: { namespaces: Record<string, { hits: number; misses: number }> };
    };
    expect(running.fleet).toBe(true);
    expect(state.source.fleet).toBe(true);
    expect(state.source.note).toMatch(/Only instances running fleetStats/);
    expect(state.stats.namespaces.default).toMatchObject({ hits: 1, misses: 1 });
    expect(state.stats.namespaces.billing).toMatchObject({ hits: 0, misses: 1 });

    const list = (await (await fetch(`${running.url}api/entries`)).json()) as {
      entries: Array<{ key: string; question?: string; preview: string; namespace: string; tags: string[] }>;
    };
    // Without semantic matching an entry holds no question: the list shows its answer.
    expect(list.entries.map((e) => e.preview).sort()).toEqual([
      "Billing, then Invoices.",
      "Settings, then Reset.",
    ]);
    const invoice = list.entries.find((e) => e.namespace === "billing")!;
    expect(invoice.tags).toEqual(["invoices"]);

    const detail = (await (
      await fetch(`${running.url}api/entry?key=${encodeURIComponent(invoice.key)}`)
    ).json()) as {
      entry: { answer: string };
    };
    expect(detail.entry.answer).toBe("Billing, then Invoices.");

    const deleted = await fetch(`${running.url}api/delete`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ key: invoice.key }),
    });
    expect(deleted.status).toBe(200);
    const again = await cache.run(request("Where is my invoice?"), async () => reply("fresh"), {
      namespace: "billing",
    });
    expect(again.status).toBe("miss");
  });

  it("fails with a clear message when Redis cannot be reached", async () => {
    await expect(startDashboard(args(["--redis", "redis://127.0.0.1:1", "--port", "0"]))).rejects.toThrow(
      /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/,
    );
  });
});
