import { createCache } from "@recall/core";
import express from "express";
import fc from "fast-check";
import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { openAIProxy, type ProxyError } from "../src/index.js";
import { chat, recordingUpstream } from "./helpers.js";

/**
 * Error bodies never name the upstream, its address or a secret: a 502 or 500 carries a generic
 * message, and the detail, without credentials, goes to `onError` only. A body too deep to
 * re-serialize is a 400 that says so, not a crash reported as a 502.
 */

const cache = createCache();
afterAll(() => cache.close());

const GENERIC_502 = {
  error: {
    message: "The upstream API could not be reached.",
    type: "upstream_error",
    param: null,
    code: "upstream_unreachable",
  },
};

const label = fc.stringMatching(/^[a-z][a-z0-9]{3,10}$/);
const secret = fc.stringMatching(/^[A-Za-z0-9_-]{6,24}$/);
const upstreamUrl = fc.record({
  user: secret,
  pass: secret,
  host: fc.oneof(
    fc.tuple(label, label, fc.constantFrom("internal", "corp", "local", "com")).map((p) => p.join(".")),
    fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`),
  ),
  port: fc.integer({ min: 1024, max: 65535 }),
  apiKey: secret.map((s) => `sk-${s}`),
  withUserinfo: fc.boolean(),
});

/** Requests of every route that calls the upstream. */
const calls = [
  (app: express.Express) => request(app).post("/v1/chat/completions").send(chat("Are you there?")),
  (app: express.Express) =>
    request(app)
      .post("/v1/chat/completions")
      .send(chat("Streamed?", { stream: true })),
  (app: express.Express) =>
    request(app).post("/v1/embeddings").send({ model: "text-embedding-3-small", input: "x" }),
  (app: express.Express) => request(app).get("/v1/models"),
];

describe("error bodies name nothing internal", () => {
  it("property: an unreachable upstream is a generic 502, whatever its URL, userinfo and key", async () => {
    await fc.assert(
      fc.asyncProperty(upstreamUrl, fc.constantFrom(...calls), async (u, call) => {
        const userinfo = u.withUserinfo ? `${u.user}:${u.pass}@` : "";
        const base = `http://${userinfo}${u.host}:${u.port}/v1`;
        const reports: ProxyError[] = [];
        // Fails the way undici does, with the address (and the URL as asked) in the error chain.
        const failingFetch = (async (url: string) => {
          throw new TypeError("fetch failed", {
            cause: new Error(`getaddrinfo ENOTFOUND ${u.host} for ${url} (key ${u.apiKey})`),
          });
        }) as unknown as typeof fetch;
        const app = express().use(
          "/v1",
          openAIProxy({
            cache,
            upstream: base,
            apiKey: u.apiKey,
            fetch: failingFetch,
            onError: (e) => reports.push(e),
          }),
        );
        const r = await call(app);
        expect(r.status).toBe(502);
        expect(r.body).toEqual(GENERIC_502);
        for (const text of [u.host, u.user, u.pass, u.apiKey, String(u.port)])
          expect(r.text).not.toContain(text);
        // The detail goes to onError, with the address but without userinfo or key.
        expect(reports).toHaveLength(1);
        expect(reports[0]).toMatchObject({ code: "upstream_unreachable", name: "ProxyError" });
        expect(reports[0]!.message).toContain(u.host);
        if (u.withUserinfo) {
          expect(reports[0]!.message).not.toContain(u.pass);
          expect(reports[0]!.message).not.toContain(`${u.user}:`);
        }
        expect(reports[0]!.message).not.toContain(u.apiKey);
      }),
      { numRuns: 150 },
    );
  });

  it("the real fetch refusing a URL with credentials: a generic 502, the report without them", async () => {
    const reports: ProxyError[] = [];
    const app = express().use(
      "/v1",
      openAIProxy({
        cache,
        upstream: "http://admin:hunter2-secret@10.1.2.3:8080/v1",
        apiKey: "sk-server",
        onError: (e) => reports.push(e),
      }),
    );
    const r = await request(app).post("/v1/chat/completions").send(chat("Credentials in the URL?"));
    expect(r.status).toBe(502);
    expect(r.body).toEqual(GENERIC_502);
    expect(reports[0]!.message).toMatch(/credentials/);
    expect(reports[0]!.message).not.toMatch(/admin|hunter2/);
  });

  it("an unexpected error is a generic 500; its detail goes to onError without secrets", async () => {
    const reports: ProxyError[] = [];
    const app = express().use(
      "/v1",
      openAIProxy({
        cache,
        upstream: "http://127.0.0.1:9/v1",
        apiKey: "sk-server",
        namespace: () => {
          throw new Error("redis://default:pa55word@cache.internal:6379 is down");
        },
        onError: (e) => reports.push(e),
      }),
    );
    const r = await request(app).post("/v1/chat/completions").send(chat("Boom?"));
    expect(r.status).toBe(500);
    expect(r.body).toEqual({
      error: {
        message: "The proxy failed to handle the request.",
        type: "server_error",
        param: null,
        code: "proxy_error",
      },
    });
    expect(reports[0]).toMatchObject({ code: "proxy_error", route: "POST /chat/completions" });
    expect(reports[0]!.message).toContain("cache.internal");
    expect(reports[0]!.message).not.toContain("pa55word");
  });
});

describe("a pre-parsed body too deep to forward", () => {
  it("property: a 400 naming the problem, never a 502, and never forwarded", async () => {
    const upstream = await recordingUpstream();
    try {
      const app = express();
      // A JSON parser mounted before the proxy: pass-through re-serializes what it parsed.
      app.use(express.json({ limit: "10mb" }));
      app.use(
        "/v1",
        openAIProxy({
          cache,
          upstream: upstream.url,
          apiKey: "sk-server",
          passThrough: ["POST /responses"],
          onError: () => {},
        }),
      );
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 65, max: 30_000 }), fc.boolean(), async (depth, arrays) => {
          const inner = arrays
            ? `${"[".repeat(depth)}${"]".repeat(depth)}`
            : `${'{"k":'.repeat(depth)}0${"}".repeat(depth)}`;
          const r = await request(app)
            .post("/v1/responses")
            .set("Content-Type", "application/json")
            .send(`{"model":"gpt-4o-mini","input":${inner}}`);
          expect(r.status).toBe(400);
          expect(r.body.error).toMatchObject({ code: "nested_too_deeply", type: "invalid_request_error" });
          expect(r.body.error.message).toMatch(/nested too deeply/);
        }),
        { numRuns: 30 },
      );
      expect(upstream.hits).toEqual([]);
      const ok = await request(app)
        .post("/v1/responses")
        .send({ model: "gpt-4o-mini", input: [[["shallow"]]] });
      expect(ok.status).toBe(200);
      expect(upstream.hits).toHaveLength(1);
    } finally {
      await upstream.close();
    }
  });
});
