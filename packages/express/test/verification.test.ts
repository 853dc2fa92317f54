import { type CacheOptions, createCache, type VerifierFunction, type VerifyRequest } from "@recall/core";
import { IN_BAND, CLOSE as NEAR, ORIGINAL, paraphraseEmbedder as tableEmbedder } from "@recall/core/testing";
import express from "express";
import OpenAI from "openai";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { feedbackHandler, type OpenAIProxyOptions, routeCache } from "../src/index.js";
import { listen, type ProxyFixture, proxyFixture, until } from "./helpers.js";

/**
 * Verified matching through the proxy, with real `openai` clients against the local mock upstream
 * and a verifier function as the judge. The embedder gives each question a vector at a chosen
 * cosine to the seeded one: at the threshold (0.97) or in the verifier's band [0.8, 0.97).
 */

let fx: ProxyFixture | undefined;
let server: { url: string; close(): Promise<void> } | undefined;
afterEach(async () => {
  await server?.close();
  await fx?.close();
  fx = undefined;
  server = undefined;
});

interface Setup {
  mode?: "sync" | "async";
  semantic?: Partial<NonNullable<CacheOptions["semantic"]>>;
  proxy?: Partial<OpenAIProxyOptions>;
}

async function setup(options: Setup = {}) {
  const calls: VerifyRequest[] = [];
  const verifier: VerifierFunction = async (req) => {
    calls.push(req);
    return { decision: "same", reason: "test" };
  };
  fx = await proxyFixture({
    cache: {
      semantic: {
        embedder: tableEmbedder(),
        budgetMs: 60_000,
        guard: false,
        verify: { verifier, budgetMs: 60_000, ...(options.mode ? { mode: options.mode } : {}) },
        ...options.semantic,
      },
    },
    ...(options.proxy ? { proxy: options.proxy } : {}),
  });
  server = await listen(fx.app);
  const url = server.url;
  const client = (apiKey = "sk-client-a") => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 });
  const a = client();
  /** Asks through client `c`; `headers` are request headers (Cache-Control, X-Recall-Verify). */
  const ask = async (q: string, headers: Record<string, string> = {}, c = a) => {
    const { data, response } = await c.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: q }] }, { headers })
      .withResponse();
    return {
      text: data.choices[0]!.message.content,
      cache: response.headers.get("x-recall-cache"),
      id: response.headers.get("x-recall-id"),
      decidedBy: response.headers.get("x-recall-decided-by"),
    };
  };
  /** Posts to the proxy's feedback endpoint as the caller with `apiKey`. */
  const feedback = async (body: unknown, apiKey: string | null = "sk-client-a") => {
    const res = await fetch(`${url}/v1/recall/feedback`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  /** Seeds ORIGINAL and waits until its answer is stored (the proxy stores after answering). */
  const seed = async () => {
    const first = await ask(ORIGINAL);
    await until(() => fx!.map.size === 1);
    return first;
  };
  return { cache: fx.cache, mock: fx.mock, calls, client, ask, feedback, seed };
}

describe("the proxy: verified matching, with X-Recall-Id and X-Recall-Decided-By", () => {
  it("sync: a paraphrase in the band is served once the verifier says same", async () => {
    const { mock, calls, ask, seed } = await setup({ mode: "sync" });
    const original = await seed();
    expect(original).toMatchObject({ cache: "MISS", id: null, decidedBy: null });
    const paraphrase = await ask(IN_BAND);
    expect(paraphrase).toMatchObject({ cache: "SEMANTIC", decidedBy: "verifier", text: original.text });
    expect(paraphrase.id).toMatch(/^rh1\./);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.candidate.question).toBe(ORIGINAL);
    expect(mock.count("chat")).toBe(1);
    const exact = await ask(ORIGINAL);
    expect(exact).toMatchObject({ cache: "HIT", decidedBy: null });
    expect(exact.id).toMatch(/^rh1\./);
  });

  it("async: a paraphrase in the band misses, and once verified the same wording hits through its alias", async () => {
    const { cache, mock, calls, ask, seed } = await setup({ mode: "async" });
    const original = await seed();
    // no-store: the paraphrase's own answer would otherwise make the next ask an exact hit.
    const first = await ask(IN_BAND, { "Cache-Control": "no-store" });
    expect(first).toMatchObject({ cache: "MISS", id: null });
    // The proxy commits after it answers; the verification starts then.
    await until(() => calls.length === 1);
    await cache.drain();
    const again = await ask(IN_BAND);
    expect(again).toMatchObject({ cache: "SEMANTIC", decidedBy: "alias", text: original.text });
    expect(calls).toHaveLength(1);
    expect(mock.count("chat")).toBe(2);
  });

  it("shadow: nothing is served by meaning, and stats.shadow counts what would have been", async () => {
    const { cache, mock, ask, seed } = await setup({ semantic: { mode: "shadow" } });
    await seed();
    expect((await ask(NEAR)).cache).toBe("MISS");
    expect((await ask(IN_BAND)).cache).toBe("MISS");
    await until(() => cache.stats.snapshot().total.shadow.candidates === 2);
    await cache.drain();
    const total = cache.stats.snapshot().total;
    expect(total.shadow).toMatchObject({ candidates: 2, wouldHit: 2, judgedSame: 2 });
    expect(total.semanticHits).toBe(0);
    expect(mock.count("chat")).toBe(3);
  });

  it("a streamed hit carries the headers too", async () => {
    const { client, seed } = await setup({ mode: "sync" });
    await seed();
    const { data, response } = await client()
      .chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: IN_BAND }],
        stream: true,
      })
      .withResponse();
    let text = "";
    for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toMatch(/^\[ans:/);
    expect(response.headers.get("x-recall-cache")).toBe("SEMANTIC");
    expect(response.headers.get("x-recall-decided-by")).toBe("verifier");
    expect(response.headers.get("x-recall-id")).toMatch(/^rh1\./);
  });
});

describe("X-Recall-Verify", () => {
  it("picks the mode per request: off never asks the verifier, sync serves over the cache's async", async () => {
    const { cache, calls, ask, seed } = await setup({ mode: "async" });
    await seed();
    const off = await ask(IN_BAND, { "X-Recall-Verify": "off", "Cache-Control": "no-store" });
    expect(off.cache).toBe("MISS");
    await new Promise((r) => setTimeout(r, 20));
    await cache.drain();
    expect(calls).toHaveLength(0);
    const now = await ask(IN_BAND, { "X-Recall-Verify": "sync" });
    expect(now).toMatchObject({ cache: "SEMANTIC", decidedBy: "verifier" });
    expect(calls).toHaveLength(1);
  });

  it("is refused with a 400 that names it on a bad value", async () => {
    const { ask, mock } = await setup();
    const error = await ask(ORIGINAL, { "X-Recall-Verify": "always" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toMatch(
      /X-Recall-Verify header must be sync, async or off, got "always"/,
    );
    expect(mock.count("chat")).toBe(0);
  });
});

describe("POST /v1/recall/feedback", () => {
  it("a hit reported wrong by its X-Recall-Id makes the next ask miss; another key's id is a 400", async () => {
    const { cache, mock, calls, ask, feedback, seed } = await setup({ mode: "sync" });
    await seed();
    const served = await ask(IN_BAND);
    expect(served.cache).toBe("SEMANTIC");
    // The alias the verdict writes in the background lands first (drain, and a moment more:
    // core's drain did not always wait for that write).
    await cache.drain();
    await new Promise((r) => setTimeout(r, 20));

    // Another client (another API key, so another credential scope) cannot report it.
    const other = await feedback({ id: served.id, wrong: true }, "sk-client-b");
    expect(other.status).toBe(400);
    expect(other.body.error).toMatchObject({ code: "invalid_hit_id", param: "id" });
    expect(other.body.error.message).toMatch(/not one this proxy issued to your API key/);
    // Nor can a caller without a key.
    expect((await feedback({ id: served.id, wrong: true }, null)).status).toBe(401);
    // Core's id without the proxy's tag is refused too.
    expect(
      (await feedback({ id: served.id!.slice(0, served.id!.lastIndexOf(".")), wrong: true })).status,
    ).toBe(400);

    const reported = await feedback({ id: served.id, wrong: true });
    expect(reported).toEqual({ status: 200, body: { action: "unpaired" } });
    const next = await ask(IN_BAND, { "Cache-Control": "no-store" });
    expect(next.cache).toBe("MISS");
    expect(calls).toHaveLength(1);
    expect(mock.count("chat")).toBe(2);
    expect(cache.stats.snapshot().total.feedback.wrong).toBe(1);
  });

  it("answers 400 saying what is wrong with a bad body", async () => {
    const { ask, feedback, seed } = await setup();
    await seed();
    const { id } = await ask(ORIGINAL);
    const cases: Array<[unknown, RegExp]> = [
      ["{not json", /could not parse the JSON body/],
      [[1, 2], /must be a JSON object/],
      [{ wrong: true }, /"id" must be the X-Recall-Id header of a cached answer .*got nothing/],
      [{ id: 42, wrong: true }, /"id" must be .*got 42/],
      [{ id, wrong: "yes" }, /"wrong" must be true .* or false .*got "yes"/],
      [{ id, wrong: true, wrnog: true }, /"wrnog" is not a feedback field \(known: id, wrong\)/],
      [{ id: "rh1.nonsense.tag", wrong: true }, /not one this proxy issued to your API key/],
    ];
    for (const [body, message] of cases) {
      const answer = await feedback(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.message).toMatch(message);
    }
    expect((await ask(ORIGINAL)).cache).toBe("HIT");
  });

  it("with the server's key, scopes feedback to the caller's namespace", async () => {
    const { ask, seed } = await setup({
      proxy: { apiKey: "sk-server", namespace: (req) => req.headers["x-tenant"] as string | undefined },
    });
    const tenant = (name: string) => ({ "x-tenant": name });
    await seed(); // the default namespace
    await ask(ORIGINAL, tenant("a"));
    await until(() => fx!.map.size === 2);
    const hit = await ask(ORIGINAL, tenant("a"));
    expect(hit.cache).toBe("HIT");
    const post = (body: unknown, name: string) =>
      request(server!.url)
        .post("/v1/recall/feedback")
        .set("x-tenant", name)
        .send(body as object);
    const other = await post({ id: hit.id, wrong: true }, "b");
    expect(other.status).toBe(400);
    expect(other.body.error.message).toMatch(/the hit id is of another namespace/);
    const nonsense = await post({ id: "nonsense", wrong: true }, "a");
    expect(nonsense.status).toBe(400);
    expect(nonsense.body.error.message).toMatch(/not a Recall hit id/);
    const mine = await post({ id: hit.id, wrong: true }, "a");
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({ action: "deleted" });
    expect((await ask(ORIGINAL, tenant("a"))).cache).toBe("MISS");
    expect((await ask(ORIGINAL)).cache).toBe("HIT"); // the default namespace's entry is untouched
  });

  it("is not mounted with feedback: false", async () => {
    const { feedback } = await setup({ proxy: { feedback: false } });
    expect((await feedback({ id: "rh1.x", wrong: true })).status).toBe(404);
  });
});

describe("feedbackHandler beside routeCache", () => {
  it("reports a route's cached answer wrong by its X-Recall-Id, in the caller's namespace only", async () => {
    const cache = createCache();
    const namespace = (req: express.Request) => req.get("x-tenant");
    let n = 0;
    const app = express();
    app.post("/ask", express.json(), routeCache({ cache, namespace }), (req, res) => {
      res.json({ answer: `answer ${++n} to ${req.body.q}` });
    });
    app.post("/recall/feedback", feedbackHandler(cache, { namespace }));
    const ask = () =>
      request(app)
        .post("/ask")
        .set("x-tenant", "a")
        .send({
          model: "gpt-4o-mini",
          messages: [{ role: "user", content: "q" }],
        });
    await ask();
    await until(() => cache.stats.snapshot().total.stores === 1);
    const hit = await ask();
    expect(hit.headers["x-recall-cache"]).toBe("HIT");
    const id = hit.headers["x-recall-id"];
    expect(id).toMatch(/^rh1\./);
    const other = await request(app).post("/recall/feedback").set("x-tenant", "b").send({ id, wrong: true });
    expect(other.status).toBe(400);
    const badJson = await request(app)
      .post("/recall/feedback")
      .set("content-type", "application/json")
      .send("{oops");
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe("invalid_json");
    const mine = await request(app).post("/recall/feedback").set("x-tenant", "a").send({ id, wrong: true });
    expect(mine.body).toEqual({ action: "deleted" });
    expect((await ask()).headers["x-recall-cache"]).toBe("MISS");
    await cache.close();
  });
});
