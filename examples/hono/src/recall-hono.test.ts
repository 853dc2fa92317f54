import { createCache } from "@recall/core";
import { fakeEmbedder } from "@recall/core/testing";
import { Hono } from "hono";
import Keyv from "keyv";
import { describe, expect, it } from "vitest";
import { type RecallHonoOptions, recallHono } from "./recall-hono.js";

/** An app whose one route answers slowly and counts its calls. */
function app(options: RecallHonoOptions, answer: (body: any) => Response | object = (b) => ({ echo: b })) {
  const calls = { n: 0 };
  const hono = new Hono();
  hono.post("/answer", recallHono(options), async (c) => {
    calls.n++;
    await new Promise((r) => setTimeout(r, 5)); // a slow upstream, so identical requests overlap
    const out = answer(await c.req.json().catch(() => null));
    return out instanceof Response ? out : c.json(out);
  });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    hono.request("/answer", {
      method: "POST",
      body: typeof body === "string" ? body : JSON.stringify(body),
      headers: { "Content-Type": "application/json", ...headers },
    });
  return { calls, post };
}

describe("recallHono", () => {
  it("answers a repeat from the cache, byte for byte", async () => {
    const { calls, post } = app({ cache: createCache() });
    const first = await post({ q: "hours?" });
    expect(first.headers.get("X-Recall-Cache")).toBe("MISS");
    const again = await post({ q: "hours?" });
    expect(again.headers.get("X-Recall-Cache")).toBe("HIT");
    expect(await again.text()).toBe(await first.text());
    expect(calls.n).toBe(1);
    expect((await post({ q: "other" })).headers.get("X-Recall-Cache")).toBe("MISS");
  });

  it("runs the route once for 50 identical requests in flight", async () => {
    const { calls, post } = app({ cache: createCache() });
    const all = await Promise.all(Array.from({ length: 50 }, () => post({ q: "cold" })));
    expect(calls.n).toBe(1);
    const statuses = all.map((r) => r.headers.get("X-Recall-Cache"));
    expect(statuses.filter((s) => s === "MISS")).toHaveLength(1);
    expect(statuses.filter((s) => s === "COALESCED")).toHaveLength(49);
  });

  it("stores no error answer, and lets waiting requests run the route themselves", async () => {
    let fail = true;
    const { calls, post } = app({ cache: createCache() }, (b) =>
      fail ? new Response(JSON.stringify({ error: "down" }), { status: 503 }) : { ok: b },
    );
    const burst = await Promise.all([post({ q: 1 }), post({ q: 1 })]);
    expect(burst.map((r) => r.status)).toEqual([503, 503]);
    fail = false;
    expect((await post({ q: 1 })).headers.get("X-Recall-Cache")).toBe("MISS");
    expect((await post({ q: 1 })).headers.get("X-Recall-Cache")).toBe("HIT");
    expect(calls.n).toBe(3);
  });

  it("leaves what it cannot key alone: a body that is not JSON", async () => {
    const { calls, post } = app({ cache: createCache() }, () => ({ fine: true }));
    const r = await post("not json");
    expect(r.headers.get("X-Recall-Cache")).toBe("BYPASS");
    await post("not json");
    expect(calls.n).toBe(2);
  });

  it("fails open: a broken store is a miss, never a failed request", async () => {
    const broken = new Keyv({
      store: {
        get: async () => {
          throw new Error("down");
        },
        set: async () => {
          throw new Error("down");
        },
        delete: async () => false,
        clear: async () => {},
      } as never,
    });
    const cache = createCache({ store: broken, breaker: false });
    const errors: string[] = [];
    cache.on("error", (e) => errors.push(e.error.code));
    const { calls, post } = app({ cache });
    for (let i = 0; i < 3; i++) expect((await post({ q: "x" })).status).toBe(200);
    expect(calls.n).toBe(3);
    expect(errors.length).toBeGreaterThan(0);
  });

  it("matches paraphrases when toRequest maps the body to a chat", async () => {
    const synonyms = [["How do I reset my password?", "How can I reset my password?"]];
    const cache = createCache({ semantic: { embedder: fakeEmbedder({ synonyms }) } });
    const { calls, post } = app({
      cache,
      toRequest: (_c, body: any) => ({
        model: { provider: "faq", id: "v1" },
        messages: [{ role: "user", content: String(body.question) }],
      }),
    });
    await post({ question: "How do I reset my password?" });
    const paraphrase = await post({ question: "How can I reset my password?" });
    expect(paraphrase.headers.get("X-Recall-Cache")).toBe("SEMANTIC");
    expect(Number(paraphrase.headers.get("X-Recall-Similarity"))).toBeGreaterThan(0.97);
    expect(calls.n).toBe(1);
  });

  it("keeps tenants apart through callOptions", async () => {
    const { calls, post } = app({
      cache: createCache(),
      callOptions: (c) => ({ namespace: c.req.header("X-Tenant") }),
    });
    await post({ q: "plan?" }, { "X-Tenant": "a" });
    expect((await post({ q: "plan?" }, { "X-Tenant": "b" })).headers.get("X-Recall-Cache")).toBe("MISS");
    expect((await post({ q: "plan?" }, { "X-Tenant": "a" })).headers.get("X-Recall-Cache")).toBe("HIT");
    expect(calls.n).toBe(2);
  });

  it("throws at once on a bad configuration", () => {
    expect(() => recallHono({} as never)).toThrow(/needs \{ cache \}/);
    expect(() => recallHono({ cache: createCache(), toRequest: 5 as never })).toThrow(/toRequest/);
  });
});
