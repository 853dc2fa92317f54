/**
 * The dashboard in a real browser: Debian's Chromium (`apt-get install chromium`) driven by
 * playwright-core (whose own browser download cannot work here). Skipped when /usr/bin/chromium is
 * missing, except under CI=true, where it must run (.ci/run installs it).
 */
import { existsSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { createCache, type RecallCache } from "@recall/core";
import express from "express";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardHandler, dashboard } from "../src/index.js";
import { ask, CLOSE, paraphraseEmbedder, twoNamespaces } from "./dashboard-workload.js";
import { listen } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const present = existsSync(CHROMIUM);
const inCI = process.env.CI === "true";

if (!present && !inCI) {
  console.warn(
    `dashboard.browser.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium). It is required under CI=true.`,
  );
}

describe.runIf(present || inCI)("dashboard in Chromium", () => {
  let cache: RecallCache;
  let handler: DashboardHandler;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const XSS = `<img src=x onerror="window.__pwned=1">"'&`;

  beforeAll(async () => {
    if (!present) throw new Error(`CI=true needs ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`);
    cache = createCache({ semantic: { embedder: paraphraseEmbedder(), budgetMs: 60_000 } });
    await cache.ready();
    handler = dashboard(cache, { intervalMs: 200, title: "Recall <test>" });
    const app = express();
    app.use("/recall", handler);
    server = await listen(app);
    await twoNamespaces(cache);
    await ask(cache, "xss", XSS);
    await handler.recorder.sample();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(message.text());
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    handler?.close();
    await server?.close();
    await cache?.close();
  });

  it("loads fast and shows the right counts for both namespaces", async () => {
    const started = Date.now();
    await page.goto(`${server.url}/recall/`);
    await page.waitForSelector("body[data-loaded=true]");
    expect(Date.now() - started).toBeLessThan(3_000); // a page, a script and two JSON calls
    expect(await page.title()).toBe("Recall <test>");
    const row = (ns: string, cell: string) => page.textContent(`tr[data-namespace="${ns}"] td.${cell}`);
    expect([
      await row("support", "exact"),
      await row("support", "semantic"),
      await row("support", "misses"),
    ]).toEqual(["2", "1", "2"]);
    expect([
      await row("billing", "exact"),
      await row("billing", "semantic"),
      await row("billing", "misses"),
    ]).toEqual(["3", "0", "2"]);
    expect(await row("support", "hit-rate")).toBe("60.0%");
    expect(await page.textContent("[data-testid=total-exact] .value")).toBe("5");
    expect(await page.textContent("#guard")).toContain("dates differ");
    expect(await page.textContent("#latency")).toContain("all hits");
    // The series chart draws once two samples exist.
    await page.waitForSelector("#chart-rate rect");
    expect(pageErrors).toEqual([]);
  });

  it("'wrong hit' reports the semantic hit, and the same question then misses on its next ask", async () => {
    const hitRow = page.locator("tr.semantic-hit", { hasText: CLOSE });
    await expect.poll(() => hitRow.count()).toBe(1);
    expect(await hitRow.locator("td.matched").textContent()).toBe("How do I reset my password?");
    await hitRow.getByRole("button", { name: "wrong hit" }).click();
    await expect.poll(() => hitRow.locator(".reported").textContent()).toBe("reported wrong (unpaired)");
    expect(await ask(cache, "support", CLOSE)).toBe("miss");
    await expect
      .poll(() => page.textContent('tr[data-namespace="support"] td.wrong'), { timeout: 5_000 })
      .toBe("1");
  });

  it("shows a question holding markup as text, and runs none of it", async () => {
    await page.fill("#q", "onerror");
    await page.click("#search button[type=submit]");
    const cell = page.locator("tr.entry td.question");
    await expect.poll(() => cell.count()).toBe(1);
    expect(await cell.textContent()).toBe(XSS);
    expect(await page.locator("main img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.locator("tr.entry button", { hasText: "inspect" }).click();
    await expect.poll(() => page.textContent("#entry pre.answer")).toBe(`answer to ${XSS}`);
    expect(await page.locator("#entry h3").textContent()).toBe(XSS);
    expect(pageErrors).toEqual([]);
  });

  it("refuses a request from another machine without auth", async () => {
    // Bound to a non-loopback interface when this machine has one: a real remote peer address.
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal)?.address;
    const app = express();
    if (!external) {
      // No such interface here: fake the peer address at the HTTP level.
      app.use((req, _res, next) => {
        Object.defineProperty(req.socket, "remoteAddress", { value: "192.0.2.10", configurable: true });
        next();
      });
    }
    const remote = dashboard(cache);
    app.use("/recall", remote);
    const httpServer = app.listen(0, external ?? "127.0.0.1");
    await new Promise((resolve) => httpServer.once("listening", resolve));
    const { port } = httpServer.address() as { port: number };
    try {
      const base = `http://${external ?? "127.0.0.1"}:${port}/recall`;
      const res = await fetch(`${base}/api/state`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /only requests from this machine/,
      );
      const write = await fetch(`${base}/api/purge`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ namespace: "support" }),
      });
      expect(write.status).toBe(403);
      const browserPage = await browser.newPage();
      const response = await browserPage.goto(`${base}/`);
      expect(response?.status()).toBe(403);
      expect(await browserPage.textContent("body")).toContain("only requests from this machine");
      await browserPage.close();
    } finally {
      remote.close();
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
    }
  });
});
