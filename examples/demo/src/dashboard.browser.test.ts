/**
 * The demo's workload through a cache, then its dashboard (`--dashboard`) in a real browser:
 * Debian's Chromium driven by playwright-core. Skipped when /usr/bin/chromium is missing, except
 * under CI=true, where it must run (.ci/run installs it).
 */
import { existsSync } from "node:fs";
import { createCache, type RecallCache } from "@recall/core";
import { createLocalEmbedder } from "@recall/transformers";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDashboard } from "./dashboard.js";
import { buildWorkload } from "./workload.js";

const CHROMIUM = "/usr/bin/chromium";
const present = existsSync(CHROMIUM);
const inCI = process.env.CI === "true";
if (!present && !inCI)
  console.warn(`dashboard.browser.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.runIf(present || inCI)("the demo's dashboard after the demo's workload", () => {
  let cache: RecallCache;
  let board: Awaited<ReturnType<typeof startDashboard>>;
  let browser: Browser;

  beforeAll(async () => {
    if (!present) throw new Error(`CI=true needs ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`);
    cache = createCache({ semantic: { embedder: createLocalEmbedder(), budgetMs: 60_000 } });
    await cache.ready();
    // The demo's questions, its intents split between two tenants by the first letter.
    for (const item of buildWorkload({ size: 80 })) {
      const namespace = item.intent < "m" ? "tenant-a" : "tenant-b";
      await cache.run(
        {
          model: { provider: "openai", id: "gpt-4.1" },
          messages: [{ role: "user", content: item.question }],
        },
        async () => ({ body: item.intent, text: `answer for ${item.intent}`, finishReason: "stop" }),
        { namespace },
      );
    }
    board = await startDashboard(cache, 0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await board?.close();
    await cache?.close();
  });

  it("shows each tenant's counts as the cache counted them", async () => {
    const page = await browser.newPage();
    await page.goto(board.url);
    await page.waitForSelector("body[data-loaded=true]");
    const { namespaces } = cache.stats.snapshot();
    expect(Object.keys(namespaces).sort()).toEqual(["tenant-a", "tenant-b"]);
    for (const [namespace, stats] of Object.entries(namespaces)) {
      const cell = (name: string) => page.textContent(`tr[data-namespace="${namespace}"] td.${name}`);
      expect([await cell("exact"), await cell("semantic"), await cell("misses")], namespace).toEqual([
        String(stats.hits),
        String(stats.semanticHits),
        String(stats.misses),
      ]);
      expect(stats.hits + stats.semanticHits, `${namespace} answered some from cache`).toBeGreaterThan(0);
    }
    await page.close();
  });
});
