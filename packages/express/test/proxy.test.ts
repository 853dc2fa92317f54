import { fakeClock, fakeEmbedder } from "@recall/core/testing";
import express from "express";
import Keyv from "keyv";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { openAIProxy } from "../src/index.js";
import { chat, dump, type ProxyFixture, proxyFixture, until } from "./helpers.js";

let fx: ProxyFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const post = (app: ProxyFixture["app"], path: string, body: unknown) =>
  request(app)
    .post(path)
    .set("Authorization", "Bearer sk-client")
    .send(body as object);

describe("openAIProxy: chat completions", () => {
  it("answers a repeated question from cache with the upstream's exact bytes, one upstream call", async () => {
    fx = await proxyFixture();
    const first = await post(fx.app, "/v1/chat/completions", chat("What is the capital of France?"));
    expect(first.status).toBe(200);
    expect(first.headers["x-recall-cache"]).toBe("MISS");
    const second = await post(fx.app, "/v1/chat/completions", chat("What is the capital of France?"));
    expect(second.status).toBe(200);
    expect(second.headers["x-recall-cache"]).toBe("HIT");
    expect(second.headers["content-type"]).toMatch(/application\/json/);
    expect(second.headers.age).toMatch(/^\d+$/);
    expect(second.text).toBe(first.text);
    expect(fx.mock.count("chat")).toBe(1);
  });

  it("ignores fields that do not change the answer, separates those that do", async () => {
    fx = await proxyFixture();
    await post(fx.app, "/v1/chat/completions", chat("Hi there", { user: "alice", metadata: { a: "1" } }));
    const sameAnswer = await post(
      fx.app,
      "/v1/chat/completions",
      chat("Hi there", { user: "bob", store: false }),
    );
    expect(sameAnswer.headers["x-recall-cache"]).toBe("HIT");
    const warmer = await post(fx.app, "/v1/chat/completions", chat("Hi there", { temperature: 1.5 }));
    expect(warmer.headers["x-recall-cache"]).toBe("MISS");
    const otherModel = await post(fx.app, "/v1/chat/completions", { ...chat("Hi there"), model: "gpt-4.1" });
    expect(otherModel.headers["x-recall-cache"]).toBe("MISS");
    expect(fx.mock.count("chat")).toBe(3);
  });

  it("matches a paraphrase by meaning and reports its similarity", async () => {
    const embedder = fakeEmbedder({
      synonyms: [["How do I reset my password?", "how can I reset the password"]],
    });
    fx = await proxyFixture({ cache: { semantic: { embedder } } });
    const first = await post(fx.app, "/v1/chat/completions", chat("How do I reset my password?"));
    await until(() => fx!.map.size > 0);
    const second = await post(fx.app, "/v1/chat/completions", chat("how can I reset the password"));
    expect(second.headers["x-recall-cache"]).toBe("SEMANTIC");
    expect(Number(second.headers["x-recall-similarity"])).toBeGreaterThan(0.99);
    expect(second.body.choices[0].message.content).toBe(first.body.choices[0].message.content);
    expect(fx.mock.count("chat")).toBe(1);
  });

  it("coalesces concurrent identical requests into one upstream call", async () => {
    fx = await proxyFixture({ mock: { latencyMs: 150 } });
    const app = fx.app;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(app, "/v1/chat/completions", chat("Same question at once"))),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((a) => a.headers["x-recall-cache"]).sort()).toEqual([
      "HIT",
      "HIT",
      "HIT",
      "HIT",
      "MISS",
    ]);
    expect(new Set(answers.map((a) => a.body.choices[0].message.content)).size).toBe(1);
    expect(fx.mock.count("chat")).toBe(1);
  });

  it("does not store an answer the engine's validation refuses (truncated at max_tokens)", async () => {
    fx = await proxyFixture();
    const body = chat("Explain the theory of relativity in depth", { max_tokens: 3 });
    const first = await post(fx.app, "/v1/chat/completions", body);
    expect(first.body.choices[0].finish_reason).toBe("length");
    const second = await post(fx.app, "/v1/chat/completions", body);
    expect(second.headers["x-recall-cache"]).toBe("MISS");
    expect(fx.mock.count("chat")).toBe(2);
    expect(fx.cache.stats.snapshot().total.rejects).toBe(2);
  });

  it("bypasses the cache for several choices (n > 1)", async () => {
    fx = await proxyFixture();
    for (let i = 0; i < 2; i++) {
      const r = await post(fx.app, "/v1/chat/completions", chat("Give me options", { n: 2 }));
      expect(r.status).toBe(200);
      expect(r.headers["x-recall-cache"]).toBe("BYPASS");
    }
    expect(fx.mock.count("chat")).toBe(2);
    expect(fx.map.size).toBe(0);
  });

  it("replays a stored answer as a server-sent event stream ending in [DONE]", async () => {
    fx = await proxyFixture();
    const plain = await post(fx.app, "/v1/chat/completions", chat("Stream me"));
    const streamed = await post(fx.app, "/v1/chat/completions", chat("Stream me", { stream: true }));
    expect(streamed.headers["x-recall-cache"]).toBe("HIT");
    expect(streamed.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(streamed.text.endsWith("data: [DONE]\n\n")).toBe(true);
    const chunks = streamed.text
      .split("\n\n")
      .filter((e) => e.startsWith("data: {"))
      .map((e) => JSON.parse(e.slice(6)));
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(plain.body.choices[0].message.content);
    expect(fx.mock.count("chat")).toBe(1);
  });

  it("passes a streamed upstream error through and does not store a cut stream", async () => {
    fx = await proxyFixture();
    fx.mock.failNext(503, "overloaded");
    const failed = await post(fx.app, "/v1/chat/completions", chat("Stream fails", { stream: true }));
    expect(failed.status).toBe(503);
    expect(failed.body.error.message).toContain("overloaded");
    fx.mock.cutNextStream(2);
    await post(fx.app, "/v1/chat/completions", chat("Stream fails", { stream: true })).catch(() => undefined);
    const third = await post(fx.app, "/v1/chat/completions", chat("Stream fails", { stream: true }));
    expect(third.headers["x-recall-cache"]).toBe("MISS");
    expect(third.text.endsWith("data: [DONE]\n\n")).toBe(true);
    await until(() => fx!.map.size === 1);
    expect(fx.mock.count("chat")).toBe(3);
  });
});

describe("openAIProxy: Cache-Control and namespaces", () => {
  it("no-cache skips reading but stores the fresh answer", async () => {
    fx = await proxyFixture();
    await post(fx.app, "/v1/chat/completions", chat("Fresh please"));
    const fresh = await post(fx.app, "/v1/chat/completions", chat("Fresh please")).set(
      "Cache-Control",
      "no-cache",
    );
    expect(fresh.headers["x-recall-cache"]).toBe("BYPASS");
    expect(fx.mock.count("chat")).toBe(2);
    const after = await post(fx.app, "/v1/chat/completions", chat("Fresh please"));
    expect(after.headers["x-recall-cache"]).toBe("HIT");
    expect(after.text).toBe(fresh.text);
  });

  it("no-store reads but never writes", async () => {
    fx = await proxyFixture();
    const first = await post(fx.app, "/v1/chat/completions", chat("Keep nothing")).set(
      "Cache-Control",
      "no-store",
    );
    expect(first.headers["x-recall-cache"]).toBe("MISS");
    const second = await post(fx.app, "/v1/chat/completions", chat("Keep nothing"));
    expect(second.headers["x-recall-cache"]).toBe("MISS");
    await until(() => fx!.map.size === 1);
    const third = await post(fx.app, "/v1/chat/completions", chat("Keep nothing")).set(
      "Cache-Control",
      "no-store",
    );
    expect(third.headers["x-recall-cache"]).toBe("HIT");
    expect(fx.mock.count("chat")).toBe(2);
  });

  it("max-age sets the entry's time to live; max-age=0 neither reads nor writes", async () => {
    const clock = fakeClock();
    fx = await proxyFixture({ cache: { clock } });
    await post(fx.app, "/v1/chat/completions", chat("Short lived")).set("Cache-Control", "max-age=1");
    await until(() => fx!.map.size === 1);
    clock.advance(999);
    const hit = await post(fx.app, "/v1/chat/completions", chat("Short lived"));
    expect(hit.headers["x-recall-cache"]).toBe("HIT");
    clock.advance(1);
    const expired = await post(fx.app, "/v1/chat/completions", chat("Short lived"));
    expect(expired.headers["x-recall-cache"]).toBe("MISS");

    const zero = await post(fx.app, "/v1/chat/completions", chat("Short lived")).set(
      "Cache-Control",
      "max-age=0",
    );
    expect(zero.headers["x-recall-cache"]).toBe("BYPASS");
    expect(fx.mock.count("chat")).toBe(3);
    expect(fx.cache.stats.snapshot().total.stores).toBe(2);
  });

  it("ignores the X-Recall-Namespace header unless trusted", async () => {
    fx = await proxyFixture();
    const ask = (ns: string) =>
      post(fx!.app, "/v1/chat/completions", chat("Tenant question")).set("X-Recall-Namespace", ns);
    expect((await ask("acme")).headers["x-recall-cache"]).toBe("MISS");
    expect((await ask("globex")).headers["x-recall-cache"]).toBe("HIT");
    expect(Object.keys(fx.cache.stats.snapshot().namespaces)).toEqual(["default"]);
  });

  it("with trustNamespaceHeader, keeps namespaces from the X-Recall-Namespace header apart, and counts them separately", async () => {
    fx = await proxyFixture({ proxy: { trustNamespaceHeader: true } });
    const ask = (ns: string) =>
      post(fx!.app, "/v1/chat/completions", chat("Tenant question")).set("X-Recall-Namespace", ns);
    expect((await ask("acme")).headers["x-recall-cache"]).toBe("MISS");
    expect((await ask("globex")).headers["x-recall-cache"]).toBe("MISS");
    expect((await ask("acme")).headers["x-recall-cache"]).toBe("HIT");
    const stats = await request(fx.app).get("/stats");
    expect(stats.body.namespaces.acme).toMatchObject({ hits: 1, misses: 1 });
    expect(stats.body.namespaces.globex).toMatchObject({ hits: 0, misses: 1 });
    const long = await ask("x".repeat(201));
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe("invalid_namespace");
  });

  it("takes the namespace from a function of the request (req.user) and then ignores the header", async () => {
    fx = await proxyFixture();
    const app = express();
    app.use((req, _res, next) => {
      (req as typeof req & { user?: { id: string } }).user = { id: String(req.headers["x-user"]) };
      next();
    });
    app.use(
      "/v1",
      openAIProxy({
        cache: fx.cache,
        upstream: fx.mock.url,
        namespace: (req) => `user:${(req as typeof req & { user: { id: string } }).user.id}`,
      }),
    );
    const ask = (user: string, header?: string) => {
      const r = post(app, "/v1/chat/completions", chat("My own question")).set("x-user", user);
      return header ? r.set("X-Recall-Namespace", header) : r;
    };
    expect((await ask("ann")).headers["x-recall-cache"]).toBe("MISS");
    expect((await ask("bob", "user:ann")).headers["x-recall-cache"]).toBe("MISS");
    expect((await ask("ann")).headers["x-recall-cache"]).toBe("HIT");
    expect(Object.keys(fx.cache.stats.snapshot().namespaces).sort()).toEqual(["user:ann", "user:bob"]);
  });
});

describe("openAIProxy: upstream errors, keys and outages", () => {
  it("passes an upstream error through unchanged and does not store it", async () => {
    fx = await proxyFixture();
    fx.mock.failNext(500, {
      error: { message: "upstream exploded", type: "server_error", param: null, code: "boom" },
    });
    const failed = await post(fx.app, "/v1/chat/completions", chat("Will fail once"));
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({
      error: { message: "upstream exploded", type: "server_error", param: null, code: "boom" },
    });
    expect(failed.headers["x-recall-cache"]).toBe("MISS");
    fx.mock.failNext(429, "slow down");
    const limited = await post(fx.app, "/v1/chat/completions", chat("Will fail once"));
    expect(limited.status).toBe(429);
    const ok = await post(fx.app, "/v1/chat/completions", chat("Will fail once"));
    expect(ok.status).toBe(200);
    expect(ok.headers["x-recall-cache"]).toBe("MISS");
    expect(fx.mock.count("chat")).toBe(3);
  });

  it("answers 502 in OpenAI's error shape when the upstream cannot be reached", async () => {
    fx = await proxyFixture({ proxy: { upstream: "http://127.0.0.1:9/v1" } });
    const r = await post(fx.app, "/v1/chat/completions", chat("Anyone there?"));
    expect(r.status).toBe(502);
    expect(r.body.error).toMatchObject({ type: "upstream_error", code: "upstream_unreachable" });
  });

  it("sends the configured key upstream and never stores it", async () => {
    const key = "sk-upstream-secret-0123456789";
    fx = await proxyFixture({ mock: { apiKey: key }, proxy: { apiKey: key } });
    const noClientKey = await request(fx.app).post("/v1/chat/completions").send(chat("Who holds the key?"));
    expect(noClientKey.status).toBe(200);
    await post(fx.app, "/v1/embeddings", { model: "text-embedding-3-small", input: "key test" });
    await until(() => fx!.map.size === 2);
    expect(fx.mock.requests.every((r) => r.headers.authorization === `Bearer ${key}`)).toBe(true);
    expect(dump(fx.map)).not.toContain(key);
    expect(dump(fx.map)).not.toContain("0123456789");
  });

  it("forwards the client's key when none is configured, never stores it, and does not store a 401", async () => {
    const key = "sk-client-own-key-9876543210";
    fx = await proxyFixture({ mock: { apiKey: key } });
    const wrong = await request(fx.app)
      .post("/v1/chat/completions")
      .set("Authorization", "Bearer sk-wrong")
      .send(chat("Whose key?"));
    expect(wrong.status).toBe(401);
    const right = await request(fx.app)
      .post("/v1/chat/completions")
      .set("Authorization", `Bearer ${key}`)
      .send(chat("Whose key?", { stream: true }));
    expect(right.status).toBe(200);
    expect(right.headers["x-recall-cache"]).toBe("MISS");
    await until(() => fx!.map.size === 1);
    expect(dump(fx.map)).not.toContain("9876543210");
  });

  it("keeps answering when the store is down: a MISS, never an error", async () => {
    const broken = new Keyv({
      store: {
        get: () => Promise.reject(new Error("connection refused")),
        set: () => Promise.reject(new Error("connection refused")),
        delete: () => Promise.reject(new Error("connection refused")),
        clear: () => Promise.reject(new Error("connection refused")),
        on: () => undefined,
      } as never,
    });
    fx = await proxyFixture({ cache: { store: broken } });
    for (let i = 0; i < 2; i++) {
      const r = await post(fx.app, "/v1/chat/completions", chat("Store is down"));
      expect(r.status).toBe(200);
      expect(r.headers["x-recall-cache"]).toBe("MISS");
    }
    const streamed = await post(fx.app, "/v1/chat/completions", chat("Store is down", { stream: true }));
    expect(streamed.status).toBe(200);
    expect(streamed.text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(fx.mock.count("chat")).toBe(3);
    expect(fx.cache.stats.snapshot().total.errors).toBeGreaterThan(0);
  });
});

describe("openAIProxy: bad input gets a 4xx that says what is wrong", () => {
  const cases: Array<[string, unknown, number, string | null, RegExp]> = [
    ["no model", { messages: [{ role: "user", content: "hi" }] }, 400, "model", /model/],
    [
      "model not a string",
      { model: 42, messages: [{ role: "user", content: "hi" }] },
      400,
      "model",
      /string/,
    ],
    ["no messages", { model: "gpt-4o-mini" }, 400, "messages", /messages/],
    ["messages not an array", { model: "gpt-4o-mini", messages: "hi" }, 400, "messages", /array/],
    ["empty messages", { model: "gpt-4o-mini", messages: [] }, 400, "messages", /empty/],
    [
      "unknown role",
      { model: "gpt-4o-mini", messages: [{ role: "robot", content: "hi" }] },
      400,
      "messages[0].role",
      /robot/,
    ],
    [
      "content missing",
      { model: "gpt-4o-mini", messages: [{ role: "user" }] },
      400,
      "messages[0].content",
      /content/,
    ],
    ["temperature a string", { ...chat("hi"), temperature: "hot" }, 400, "temperature", /number/],
    ["stream not a boolean", { ...chat("hi"), stream: "yes" }, 400, "stream", /boolean/],
    ["body an array", [1, 2], 400, null, /JSON object/],
  ];
  for (const [name, body, status, param, message] of cases) {
    it(`chat: ${name}`, async () => {
      fx ??= await proxyFixture();
      const r = await post(fx.app, "/v1/chat/completions", body);
      expect(r.status).toBe(status);
      expect(r.body.error.type).toBe("invalid_request_error");
      expect(r.body.error.param).toBe(param);
      expect(r.body.error.message).toMatch(message);
      expect(fx.mock.count()).toBe(0);
    });
  }

  it("malformed JSON: 400 invalid_json", async () => {
    fx = await proxyFixture();
    const r = await request(fx.app)
      .post("/v1/chat/completions")
      .set("Authorization", "Bearer sk-client")
      .set("Content-Type", "application/json")
      .send('{"model": "gpt-4o-mini", "messages": [');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_json" });
    expect(r.body.error.message).toMatch(/could not parse the JSON body/);
  });

  it("a body over the limit: 413 request_too_large", async () => {
    fx = await proxyFixture({ proxy: { bodyLimit: "1kb" } });
    const r = await post(fx.app, "/v1/chat/completions", chat("x".repeat(5_000)));
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe("request_too_large");
    expect(r.body.error.message).toMatch(/limit is 1024 bytes/);
    expect(fx.mock.count()).toBe(0);
  });

  it("embeddings: missing or wrong input, bad encoding_format", async () => {
    fx = await proxyFixture();
    const noInput = await post(fx.app, "/v1/embeddings", { model: "text-embedding-3-small" });
    expect(noInput.status).toBe(400);
    expect(noInput.body.error.param).toBe("input");
    const badInput = await post(fx.app, "/v1/embeddings", { model: "text-embedding-3-small", input: [{}] });
    expect(badInput.status).toBe(400);
    const badFormat = await post(fx.app, "/v1/embeddings", {
      model: "text-embedding-3-small",
      input: "x",
      encoding_format: "hex",
    });
    expect(badFormat.status).toBe(400);
    expect(badFormat.body.error.param).toBe("encoding_format");
    expect(fx.mock.count()).toBe(0);
  });
});

describe("openAIProxy: embeddings, pass-through and metrics", () => {
  it("caches embeddings exactly per model, input, dimensions and encoding", async () => {
    fx = await proxyFixture();
    const body = { model: "text-embedding-3-small", input: ["alpha", "beta"] };
    const first = await post(fx.app, "/v1/embeddings", body);
    expect(first.headers["x-recall-cache"]).toBe("MISS");
    const second = await post(fx.app, "/v1/embeddings", body);
    expect(second.headers["x-recall-cache"]).toBe("HIT");
    expect(second.text).toBe(first.text);
    expect(
      (await post(fx.app, "/v1/embeddings", { ...body, dimensions: 64 })).headers["x-recall-cache"],
    ).toBe("MISS");
    expect(
      (await post(fx.app, "/v1/embeddings", { ...body, encoding_format: "base64" })).headers[
        "x-recall-cache"
      ],
    ).toBe("MISS");
    expect(
      (await post(fx.app, "/v1/embeddings", { ...body, input: ["alpha ", "beta"] })).headers[
        "x-recall-cache"
      ],
    ).toBe("MISS");
    expect(fx.mock.count("embeddings")).toBe(4);
  });

  it("forwards an incomplete embeddings list, never stores it, and says why", async () => {
    // An upstream that drops the last vector of every list.
    const dropLast: typeof fetch = async (url, init) => {
      const upstream = await fetch(url, init);
      const json = (await upstream.json()) as { data: unknown[] };
      json.data.pop();
      return new Response(JSON.stringify(json), { status: upstream.status, headers: upstream.headers });
    };
    fx = await proxyFixture({ proxy: { fetch: dropLast } });
    const reasons: string[] = [];
    fx.cache.on("reject", (e) => reasons.push(e.reason));
    const body = { model: "text-embedding-3-small", input: ["alpha", "beta"] };
    expect((await post(fx.app, "/v1/embeddings", body)).body.data).toHaveLength(1);
    expect((await post(fx.app, "/v1/embeddings", body)).headers["x-recall-cache"]).toBe("MISS");
    expect(reasons).toEqual([expect.stringMatching(/incomplete embeddings list/), expect.anything()]);
    expect(fx.cache.stats.snapshot().total.stores).toBe(0);
  });

  it("forwards the pass-through routes it is given", async () => {
    fx = await proxyFixture({ proxy: { passThrough: ["/models", "POST /responses"] } });
    const models = await request(fx.app).get("/v1/models").set("Authorization", "Bearer sk-client");
    expect(models.status).toBe(200);
    expect(models.body.object).toBe("list");
    expect(models.headers["x-recall-cache"]).toBe("BYPASS");
    const responses = await post(fx.app, "/v1/responses", { model: "gpt-4o-mini", input: "Hello" });
    expect(responses.status).toBe(200);
    expect(responses.body.object).toBe("response");
  });

  it("exposes Prometheus metrics per namespace", async () => {
    fx = await proxyFixture({ proxy: { trustNamespaceHeader: true } });
    await post(fx.app, "/v1/chat/completions", chat("Count me"));
    await post(fx.app, "/v1/chat/completions", chat("Count me"));
    await post(fx.app, "/v1/chat/completions", chat("Count me")).set("X-Recall-Namespace", 'team "a"');
    const r = await request(fx.app).get("/metrics");
    expect(r.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.text).toContain("# TYPE recall_hits_total counter");
    expect(r.text).toContain('recall_hits_total{namespace="default"} 1');
    expect(r.text).toContain('recall_misses_total{namespace="default"} 1');
    expect(r.text).toContain('recall_misses_total{namespace="team \\"a\\""} 1');
    const saved = /recall_saved_output_tokens_total\{namespace="default"\} (\d+)/.exec(r.text);
    expect(Number(saved?.[1])).toBeGreaterThan(0);
    expect(r.text).toMatch(/recall_saved_usd_total\{namespace="default"\} [\d.e-]+/);
  });
});

describe("openAIProxy: configuration", () => {
  it("rejects bad options at creation with a coded error", async () => {
    const { createCache } = await import("@recall/core");
    const cache = createCache();
    expect(() => openAIProxy({ cache, upstream: "api.openai.com" })).toThrow(
      expect.objectContaining({ code: "RECALL_INVALID_OPTION", message: expect.stringMatching(/upstream/) }),
    );
    expect(() => openAIProxy({ upstream: "http://x/v1" } as never)).toThrow(/cache/);
    expect(() => openAIProxy({ cache, upstream: "http://x/v1", apiKey: "" })).toThrow(/apiKey/);
  });
});
