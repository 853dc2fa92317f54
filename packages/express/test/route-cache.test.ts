import { type CacheRequest, createCache } from "@recall/core";
import { startMockOpenAI } from "@recall/mock-openai";
import express, { type Express } from "express";
import OpenAI from "openai";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { routeCache } from "../src/index.js";
import { until } from "./helpers.js";

/** A summarizing route of your own: its cache request is built from `req.body.text`. */
function summaryApp(route: (req: express.Request, res: express.Response) => void, extra = {}) {
  const cache = createCache();
  const app: Express = express();
  const calls = { count: 0 };
  const toRequest = (req: express.Request): CacheRequest | undefined =>
    typeof req.body?.text === "string"
      ? {
          model: { provider: "acme", id: "summarizer-1" },
          messages: [{ role: "user", content: `Summarize: ${req.body.text}` }],
        }
      : undefined;
  app.post("/summarize", express.json(), routeCache({ cache, toRequest, ...extra }), (req, res) => {
    calls.count++;
    route(req, res);
  });
  return { app, cache, calls };
}

describe("routeCache", () => {
  it("answers a repeated request itself with the route's status and JSON; the route runs once", async () => {
    const { app, calls } = summaryApp((req, res) => {
      res.status(201).json({ summary: `short: ${req.body.text}`, tokens: 3 });
    });
    const first = await request(app).post("/summarize").send({ text: "a long text" });
    expect(first.status).toBe(201);
    expect(first.headers["x-recall-cache"]).toBe("MISS");
    const second = await request(app).post("/summarize").send({ text: "a long text" });
    expect(second.status).toBe(201);
    expect(second.headers["x-recall-cache"]).toBe("HIT");
    expect(second.body).toEqual({ summary: "short: a long text", tokens: 3 });
    expect(second.headers["content-type"]).toMatch(/application\/json/);
    expect(calls.count).toBe(1);
  });

  it("works with res.send(object) too", async () => {
    const { app, calls } = summaryApp((req, res) => {
      res.send({ summary: req.body.text });
    });
    await request(app).post("/summarize").send({ text: "via send" });
    const again = await request(app).post("/summarize").send({ text: "via send" });
    expect(again.headers["x-recall-cache"]).toBe("HIT");
    expect(again.body).toEqual({ summary: "via send" });
    expect(calls.count).toBe(1);
  });

  it("never stores 4xx or 5xx answers, non-JSON answers, or errors the route passes on", async () => {
    let mode: "400" | "500" | "text" | "throw" | "ok" = "400";
    const { app, calls, cache } = summaryApp((_req, res) => {
      if (mode === "400") res.status(400).json({ error: "bad" });
      else if (mode === "500") res.status(500).json({ error: "down" });
      else if (mode === "text") res.type("text").send("plain text");
      else if (mode === "throw") throw new Error("route failed");
      else res.json({ summary: "fine" });
    });
    for (const m of ["400", "500", "text", "throw", "ok"] as const) {
      mode = m;
      const r = await request(app).post("/summarize").send({ text: "same" });
      expect(r.headers["x-recall-cache"]).toBe("MISS");
    }
    const hit = await request(app).post("/summarize").send({ text: "same" });
    expect(hit.headers["x-recall-cache"]).toBe("HIT");
    expect(hit.body).toEqual({ summary: "fine" });
    expect(calls.count).toBe(5);
    expect(cache.stats.snapshot().total.stores).toBe(1);
  });

  it("does not store an answer the validation refuses (empty text)", async () => {
    const { app, calls, cache } = summaryApp(
      (_req, res) => {
        res.json({ summary: "" });
      },
      { describe: (body: { summary: string }) => ({ text: body.summary, finishReason: "stop" as const }) },
    );
    await request(app).post("/summarize").send({ text: "empty answer" });
    const again = await request(app).post("/summarize").send({ text: "empty answer" });
    expect(again.headers["x-recall-cache"]).toBe("MISS");
    expect(calls.count).toBe(2);
    expect(cache.stats.snapshot().total.rejects).toBe(2);
  });

  it("runs the route once for concurrent identical requests, and releases waiters when it fails", async () => {
    let fail = true;
    let failures = 0;
    const failuresSeen: number[] = [];
    // The route is slow only so the four requests overlap.
    const { app, calls, cache } = summaryApp((_req, res) => {
      failuresSeen.push(failures);
      setTimeout(() => {
        if (!fail) return res.json({ summary: "ok" });
        failures++;
        res.status(503).json({ error: "busy" });
      }, 20);
    });
    const burst = () =>
      Promise.all(Array.from({ length: 4 }, () => request(app).post("/summarize").send({ text: "burst" })));
    const failed = await burst();
    // The leader failed, so the waiters went to the route themselves (no hang, no stored error),
    // each only once the leader had failed.
    expect(failed.every((r) => r.status === 503)).toBe(true);
    expect(calls.count).toBe(4);
    expect(failuresSeen.filter((n) => n === 0)).toHaveLength(1);
    fail = false;
    const ok = await burst();
    expect(ok.every((r) => r.status === 200)).toBe(true);
    expect(ok.map((r) => r.headers["x-recall-cache"]).sort()).toEqual(["HIT", "HIT", "HIT", "MISS"]);
    expect(calls.count).toBe(5);
    expect(cache.stats.snapshot().total.coalesced).toBe(3);
  });

  it("leaves requests it cannot key alone (BYPASS) and honours Cache-Control and namespaces", async () => {
    const { app, calls } = summaryApp(
      (req, res) => {
        res.json({ summary: String(req.body.text) });
      },
      { namespace: (req: express.Request) => req.header("x-tenant") },
    );
    const unkeyed = await request(app).post("/summarize").send({ other: 1 });
    expect(unkeyed.headers["x-recall-cache"]).toBe("BYPASS");
    await request(app).post("/summarize").set("x-tenant", "a").send({ text: "t" });
    expect(
      (await request(app).post("/summarize").set("x-tenant", "b").send({ text: "t" })).headers[
        "x-recall-cache"
      ],
    ).toBe("MISS");
    expect(
      (await request(app).post("/summarize").set("x-tenant", "a").send({ text: "t" })).headers[
        "x-recall-cache"
      ],
    ).toBe("HIT");
    const bypass = await request(app)
      .post("/summarize")
      .set("x-tenant", "a")
      .set("Cache-Control", "no-cache")
      .send({ text: "t" });
    expect(bypass.headers["x-recall-cache"]).toBe("BYPASS");
    expect(calls.count).toBe(4);
  });

  it("caches an LLM-backed route by its OpenAI-style body by default", async () => {
    const mock = await startMockOpenAI();
    try {
      const llm = new OpenAI({ baseURL: mock.url, apiKey: "sk-x", maxRetries: 0 });
      const cache = createCache();
      const app = express();
      app.post("/ask", express.json(), routeCache({ cache }), async (req, res) => {
        res.json(await llm.chat.completions.create(req.body));
      });
      const body = {
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "Why is the sky blue?" }],
        user: "u1",
      };
      const first = await request(app).post("/ask").send(body);
      await until(() => cache.stats.snapshot().total.stores === 1);
      const second = await request(app)
        .post("/ask")
        .send({ ...body, user: "u2" });
      expect(first.headers["x-recall-cache"]).toBe("MISS");
      expect(second.headers["x-recall-cache"]).toBe("HIT");
      expect(second.body).toEqual(first.body);
      const streamed = await request(app)
        .post("/ask")
        .send({ ...body, stream: true });
      expect(streamed.headers["x-recall-cache"]).toBe("BYPASS");
      expect(mock.count("chat")).toBe(2);
      // A truncated completion is refused by the engine's validation.
      const cut = { ...body, max_tokens: 2 };
      await request(app).post("/ask").send(cut);
      expect((await request(app).post("/ask").send(cut)).headers["x-recall-cache"]).toBe("MISS");
    } finally {
      await mock.close();
    }
  });

  it("caches a route whose call is not a chat, keyed on its input exactly", async () => {
    const cache = createCache();
    const app = express();
    let calls = 0;
    const toRequest = (req: express.Request): CacheRequest => ({
      kind: "json",
      model: { provider: "acme", id: "classifier-1" },
      input: req.body,
    });
    app.post("/classify", express.json(), routeCache({ cache, toRequest }), (req, res) => {
      calls++;
      res.json({ label: req.body.text.length > 3 ? "long" : "short" });
    });
    const ask = (text: string) => request(app).post("/classify").send({ text });
    expect((await ask("a  b")).headers["x-recall-cache"]).toBe("MISS");
    expect((await ask("a  b")).headers["x-recall-cache"]).toBe("HIT");
    expect((await ask("a b")).headers["x-recall-cache"]).toBe("MISS");
    expect(calls).toBe(2);
  });

  it("rejects bad configuration at creation with a coded error", () => {
    expect(() => routeCache({} as never)).toThrow(expect.objectContaining({ code: "RECALL_INVALID_OPTION" }));
    expect(() => routeCache({ cache: createCache(), toRequest: "x" as never })).toThrow(/toRequest/);
  });
});
