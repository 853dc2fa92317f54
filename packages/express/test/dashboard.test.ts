import { Script } from "node:vm";
import { createCache, type RecallCache } from "@recall/core";
import express, { type Express } from "express";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DashboardHandler, type DashboardOptions, dashboard, isLoopbackAddress } from "../src/index.js";
import { ask, CLOSE, ON_TUESDAY, ORIGINAL, paraphraseEmbedder, twoNamespaces } from "./dashboard-workload.js";

let cache: RecallCache;
let handler: DashboardHandler;

function appWith(options: DashboardOptions = {}, remoteAddress?: string): Express {
  const app = express();
  if (remoteAddress) {
    // The peer address a request from another machine would have.
    app.use((req, _res, next) => {
      Object.defineProperty(req.socket, "remoteAddress", { value: remoteAddress, configurable: true });
      next();
    });
  }
  handler = dashboard(cache, { intervalMs: 100, ...options });
  app.use("/recall", handler);
  return app;
}

beforeEach(async () => {
  cache = createCache({ semantic: { embedder: paraphraseEmbedder(), budgetMs: 60_000 } });
  await cache.ready();
});
afterEach(async () => {
  handler?.close();
  await cache.close();
});

describe("dashboard: the page", () => {
  it("serves the page, its script and its style from memory, with a strict content security policy", async () => {
    const app = appWith();
    const page = await request(app).get("/recall/").expect(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(page.headers["content-security-policy"]).not.toContain("unsafe-inline");
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
    expect(page.text).toContain('<script src="app.js"></script>');
    expect(page.text).not.toMatch(/https?:\/\//); // nothing from a CDN
    const script = await request(app).get("/recall/app.js").expect(200);
    expect(script.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(() => new Script(script.text)).not.toThrow(); // the client function's source parses as it is
    expect(script.text).not.toContain("innerHTML");
    // Self-contained: the client function refers to nothing of the module it was built in.
    expect(script.text).not.toMatch(/\brequire\(|__vite_ssr|\bimport_\w+|\bimport\s*\(/);
    await request(app)
      .get("/recall/app.css")
      .expect(200)
      .expect("Content-Type", /text\/css/);
  });

  it("redirects the mount path to its trailing slash, so the page's relative links resolve", async () => {
    const res = await request(appWith()).get("/recall").expect(308);
    expect(res.headers.location).toBe("/recall/");
    const query = await request(appWith()).get("/recall?x=//evil.example").expect(308);
    expect(query.headers.location).toBe("/recall/");
  });

  it("escapes the title it renders into the page", async () => {
    const app = appWith({ title: `<script>alert("x")</script> & 'co'` });
    const page = await request(app).get("/recall/").expect(200);
    expect(page.text).not.toContain("<script>alert");
    expect(page.text).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;");
  });

  it("throws on bad options at creation", () => {
    expect(() => dashboard(cache, { auth: "yes" as never })).toThrow(/auth must be a function/);
    expect(() => dashboard(cache, { intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => dashboard({} as never)).toThrow(/needs a Recall cache/);
  });
});

describe("dashboard: the JSON endpoints", () => {
  it("counts hits, semantic hits and misses per namespace, with the latest semantic hit and guard refusals", async () => {
    const app = appWith();
    await twoNamespaces(cache);
    const { body } = await request(app).get("/recall/api/state").expect(200);
    expect(body.source).toEqual({ label: "this process", fleet: false, note: null });
    const { support, billing } = body.stats.namespaces;
    expect([support.hits, support.semanticHits, support.misses]).toEqual([2, 1, 2]);
    expect([billing.hits, billing.semanticHits, billing.misses]).toEqual([3, 0, 2]);
    expect(body.stats.total.saved.usd).toBeGreaterThan(0);
    expect(body.semanticHits).toHaveLength(1);
    expect(body.semanticHits[0]).toMatchObject({
      namespace: "support",
      question: CLOSE,
      matchedQuestion: ORIGINAL,
      decidedBy: "threshold",
    });
    expect(body.semanticHits[0].similarity).toBeGreaterThan(0.97);
    expect(typeof body.semanticHits[0].id).toBe("string");
    expect(body.guard.byRule).toEqual([{ rule: "dates differ", count: 1 }]);
    expect(body.guard.latest[0]).toMatchObject({ namespace: "support", candidate: ORIGINAL });
    expect(body.models.scope).toBe("this process");
    expect(
      body.models.rows.map((m: { namespace: string; model: string }) => `${m.namespace} ${m.model}`),
    ).toEqual(["billing openai:gpt-4.1", "support openai:gpt-4.1"]);
    // Hits are timed by their events' \`ms\`; misses from the lookup's start to the stored answer.
    expect(body.latency.scope).toBe("this process");
    expect(body.latency.hitsTimed).toBe(true);
    expect(body.latency.hits.count).toBe(6);
    expect(body.latency.byKind.semantic.count).toBe(1);
    expect(body.latency.misses.count).toBe(4);
    expect(body.latency.misses.p95).toBeGreaterThanOrEqual(body.latency.misses.p50);
  });

  it("records the stats as a series in a bounded ring, and answers only the points after `since`", async () => {
    const app = appWith({ points: 3 });
    await handler.recorder.sample();
    await ask(cache, "support", ORIGINAL);
    await handler.recorder.sample();
    await ask(cache, "support", ORIGINAL);
    await handler.recorder.sample();
    await handler.recorder.sample();
    const { body } = await request(app).get("/recall/api/series").expect(200);
    expect(body.points).toHaveLength(3);
    const last = body.points[2];
    expect(last.namespaces.support).toMatchObject({ exact: 1, misses: 1 });
    expect(last.total.usd).toBeGreaterThan(0);
    const after = await request(app).get(`/recall/api/series?since=${body.points[1].at}`).expect(200);
    expect(after.body.points.every((p: { at: number }) => p.at > body.points[1].at)).toBe(true);
    await request(app).get("/recall/api/series?since=soon").expect(400);
  });

  it("uses a stats source given to it (a fleet's), and says so", async () => {
    const fleet = {
      label: "fleet: 3 instances",
      fleet: true,
      snapshot: async () => ({
        ...cache.stats.snapshot(),
        total: { ...cache.stats.snapshot().total, hits: 42 },
      }),
    };
    const { body } = await request(appWith({ source: fleet }))
      .get("/recall/api/state")
      .expect(200);
    expect(body.source).toEqual({ label: "fleet: 3 instances", fleet: true, note: null });
    expect(body.stats.total.hits).toBe(42);
  });

  it("shows a source's own latency and per-model counts (a fleet's) instead of this process's", async () => {
    const figure = { count: 10, p50: 1.5, p95: 9 };
    const latency = {
      hits: figure,
      byKind: { exact: figure, semantic: figure, coalesced: figure, stale: figure },
      misses: { count: 4, p50: 900, p95: 1400 },
    };
    const fleet = {
      label: "fleet (Redis)",
      fleet: true,
      snapshot: () => {
        const snapshot = cache.stats.snapshot();
        return {
          ...snapshot,
          latency,
          models: [{ namespace: "support", model: "openai:gpt-4.1", stats: { ...snapshot.total, hits: 7 } }],
        };
      },
    };
    const { body } = await request(appWith({ source: fleet }))
      .get("/recall/api/state")
      .expect(200);
    expect(body.latency).toMatchObject({ scope: "fleet (Redis)", misses: { count: 4, p50: 900 } });
    expect(body.models).toEqual({
      scope: "fleet (Redis)",
      rows: [
        {
          namespace: "support",
          model: "openai:gpt-4.1",
          exact: 7,
          semantic: 0,
          coalesced: 0,
          stale: 0,
          misses: 0,
        },
      ],
    });
    expect(body.stats.latency).toBeUndefined();
  });

  it("a wrong-hit report through the dashboard makes the same question miss on its next ask", async () => {
    const app = appWith();
    await twoNamespaces(cache);
    const { body } = await request(app).get("/recall/api/state").expect(200);
    const hit = body.semanticHits[0];
    const res = await request(app).post("/recall/api/feedback").send({ id: hit.id, wrong: true }).expect(200);
    expect(res.body).toEqual({ action: "unpaired" });
    expect(await ask(cache, "support", CLOSE)).toBe("miss");
    const after = await request(app).get("/recall/api/state").expect(200);
    expect(after.body.semanticHits[0].reported).toBe("wrong (unpaired)");
    expect(after.body.stats.namespaces.support.feedback.wrong).toBe(1);
  });

  it("searches, inspects, deletes and purges entries", async () => {
    const app = appWith();
    await twoNamespaces(cache);
    const all = await request(app).get("/recall/api/entries").expect(200);
    expect(all.body.entries).toHaveLength(4);
    const found = await request(app).get("/recall/api/entries").query({ q: "INVOICE" }).expect(200);
    expect(found.body.entries).toHaveLength(1);
    const invoice = found.body.entries[0];
    expect(invoice).toMatchObject({ namespace: "billing", tags: ["invoices"] });
    expect(invoice.preview).toContain("answer to Where can I download my invoice?");
    const billing = await request(app).get("/recall/api/entries").query({ namespace: "billing" }).expect(200);
    expect(billing.body.entries).toHaveLength(2);

    const detail = await request(app).get("/recall/api/entry").query({ key: invoice.key }).expect(200);
    expect(detail.body.entry).toMatchObject({
      key: invoice.key,
      answer: "answer to Where can I download my invoice?",
      tags: ["invoices"],
      expired: false,
      aliases: [],
    });
    expect(JSON.stringify(detail.body)).not.toContain("vector");

    await request(app).post("/recall/api/delete").send({ key: invoice.key }).expect(200);
    await request(app).get("/recall/api/entry").query({ key: invoice.key }).expect(404);
    expect(await ask(cache, "billing", "Where can I download my invoice?")).toBe("miss");

    const byTag = await request(app).post("/recall/api/purge").send({ tag: "passwords" }).expect(200);
    expect(byTag.body).toEqual({ purged: 1, tag: "passwords" });
    const byNs = await request(app).post("/recall/api/purge").send({ namespace: "billing" }).expect(200);
    expect(byNs.body).toEqual({ purged: 2, namespace: "billing" });
    const left = await request(app).get("/recall/api/entries").expect(200);
    expect(left.body.entries.map((e: { question: string }) => e.question)).toEqual([ON_TUESDAY]);
  });
});

describe("dashboard: bad input is a 4xx that says what is wrong", () => {
  it("actions must be POSTs", async () => {
    const res = await request(appWith()).get("/recall/api/delete?key=x").expect(405);
    expect(res.headers.allow).toBe("POST");
    expect(res.body.error.message).toMatch(/Use POST with a JSON body \{ "key": "…" \}, not GET/);
  });

  it("actions need a JSON body", async () => {
    const app = appWith();
    const text = await request(app)
      .post("/recall/api/delete")
      .set("Content-Type", "text/plain")
      .send("x")
      .expect(415);
    expect(text.body.error.message).toMatch(/Content-Type: application\/json/);
    const form = await request(app)
      .post("/recall/api/feedback")
      .type("form")
      .send({ id: "x", wrong: "true" });
    expect(form.status).toBe(415);
    const broken = await request(app)
      .post("/recall/api/feedback")
      .set("Content-Type", "application/json")
      .send('{"id": ')
      .expect(400);
    expect(broken.body.error.code).toBe("invalid_json");
  });

  it("names the field that is wrong", async () => {
    const app = appWith();
    const post = (path: string, body: unknown) =>
      request(app)
        .post(`/recall/api/${path}`)
        .send(body as object);
    expect((await post("feedback", { id: "x" }).expect(400)).body.error.message).toMatch(
      /"wrong" must be true or false/,
    );
    expect((await post("feedback", { id: 1, wrong: true }).expect(400)).body.error.param).toBe("id");
    expect(
      (await post("feedback", { id: "x", wrong: true, extra: 1 }).expect(400)).body.error.message,
    ).toMatch(/"extra" is not a field here/);
    expect((await post("feedback", [1]).expect(400)).body.error.message).toMatch(/must be a JSON object/);
    expect((await post("feedback", { id: "not-a-hit-id", wrong: true }).expect(400)).body.error.code).toBe(
      "invalid_hit_id",
    );
    expect((await post("delete", { key: "" }).expect(400)).body.error.param).toBe("key");
    expect((await post("purge", {}).expect(400)).body.error.message).toMatch(/one thing at a time/);
    expect((await post("purge", { tag: "a", namespace: "b" }).expect(400)).body.error.message).toMatch(
      /one thing at a time/,
    );
  });

  it("query parameters are checked too, and unknown endpoints are a JSON 404", async () => {
    const app = appWith();
    await request(app).get("/recall/api/entries?limit=0").expect(400);
    await request(app).get("/recall/api/entries?limit=many").expect(400);
    await request(app).get("/recall/api/entries?q=a&q=b").expect(400);
    expect((await request(app).get("/recall/api/entry").expect(400)).body.error.param).toBe("key");
    await request(app).get("/recall/api/entry?key=recall:nothing").expect(404);
    const unknown = await request(app).get("/recall/api/secrets").expect(404);
    expect(unknown.body.error.message).toMatch(/no endpoint GET/);
  });
});

describe("dashboard: who may use it", () => {
  it("refuses a request from another machine without auth, on every route, with a clear message", async () => {
    const app = appWith({}, "203.0.113.7");
    for (const path of ["/recall/", "/recall/app.js", "/recall/api/state", "/recall/api/entries"]) {
      const res = await request(app).get(path).expect(403);
      expect(res.body.error.code).toBe("not_loopback");
      expect(res.body.error.message).toMatch(/only requests from this machine.*give it an auth function/);
    }
    await request(app).post("/recall/api/purge").send({ namespace: "support" }).expect(403);
    // X-Forwarded-For is the client's own word: it never makes a request loopback.
    await request(app).get("/recall/api/state").set("X-Forwarded-For", "127.0.0.1").expect(403);
  });

  it("refuses a loopback request addressed to another host name (DNS rebinding)", async () => {
    const res = await request(appWith())
      .get("/recall/api/state")
      .set("Host", "evil.example:8080")
      .expect(403);
    expect(res.body.error.code).toBe("not_loopback_host");
    await request(appWith()).get("/recall/api/state").set("Host", "localhost:8080").expect(200);
  });

  it("refuses a request from another site's page (its Origin)", async () => {
    const app = appWith();
    await twoNamespaces(cache);
    const res = await request(app)
      .post("/recall/api/purge")
      .set("Origin", "https://evil.example")
      .send({ namespace: "support" })
      .expect(403);
    expect(res.body.error.code).toBe("cross_origin");
    const kept = await request(app).get("/recall/api/entries?namespace=support").expect(200);
    expect(kept.body.entries.length).toBeGreaterThan(0);
  });

  it("with auth, auth decides, for reads and writes, from any address", async () => {
    const auth = (req: express.Request) => req.get("authorization") === "Bearer s3cret";
    const app = appWith({ auth }, "203.0.113.7");
    await request(app).get("/recall/api/state").set("Authorization", "Bearer s3cret").expect(200);
    const refused = await request(app).get("/recall/api/state").expect(401);
    expect(refused.body.error.message).toMatch(/auth function refused/);
    await request(app).post("/recall/api/purge").send({ tag: "x" }).expect(401);
    await request(app)
      .post("/recall/api/purge")
      .set("Authorization", "Bearer s3cret")
      .send({ tag: "x" })
      .expect(200);
  });

  it("an auth function that throws or answers anything but true refuses", async () => {
    const throwing = appWith({
      auth: () => {
        throw new Error("boom");
      },
    });
    await request(throwing).get("/recall/api/state").expect(401);
    handler.close();
    const truthy = appWith({ auth: async () => "yes" as never });
    await request(truthy).get("/recall/api/state").expect(401);
  });

  it("knows loopback addresses", () => {
    for (const a of ["127.0.0.1", "127.8.0.1", "::1", "::ffff:127.0.0.1"])
      expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ["10.0.0.1", "::ffff:10.0.0.1", "0.0.0.0", "::", "fe80::1", undefined, "128.0.0.1"])
      expect(isLoopbackAddress(a)).toBe(false);
  });
});

describe("dashboard: user text is data, never markup", () => {
  it("serves questions as JSON, and the page holds none of them", async () => {
    const app = appWith();
    const evil = `<img src=x onerror="alert(1)"> </script><script>alert(2)</script>`;
    await ask(cache, "support", evil);
    const state = await request(app).get("/recall/api/entries").expect(200);
    expect(state.headers["content-type"]).toMatch(/^application\/json/);
    expect(state.body.entries[0].question).toContain("<img");
    const page = await request(app).get("/recall/").expect(200);
    expect(page.text).not.toContain("onerror");
    const script = await request(app).get("/recall/app.js").expect(200);
    expect(script.text).toContain("textContent");
    expect(script.text).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });
});
