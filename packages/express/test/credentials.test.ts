import { createCache } from "@recall/core";
import { fakeEmbedder } from "@recall/core/testing";
import express from "express";
import fc from "fast-check";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { openAIProxy } from "../src/index.js";
import { chat, dump, type ProxyFixture, proxyFixture, until } from "./helpers.js";

/**
 * Who can read which entries. When client keys are forwarded, an entry belongs to the credential
 * that asked: another key, a wrong key or no key never gets it, not even by meaning; the key itself
 * is never stored. The namespace header is ignored unless trusted.
 */

let fx: ProxyFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const SECRET = "credential-secret-for-tests-0001";
const ask = (
  app: express.Express,
  authorization: string | undefined,
  body: object,
  path = "/v1/chat/completions",
) => {
  const r = request(app).post(path);
  return (authorization === undefined ? r : r.set("Authorization", authorization)).send(body);
};
const token = fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/);

describe("credential scope: forwarded client keys", () => {
  it("a wrong key, a blank key or none never gets another client's cached answer", async () => {
    const key = "sk-the-right-key-0001";
    fx = await proxyFixture({ mock: { apiKey: key }, proxy: { credentialSecret: SECRET } });
    const right = await ask(fx.app, `Bearer ${key}`, chat("Whose answer is it?"));
    expect(right.status).toBe(200);
    await until(() => fx!.map.size === 1);
    expect((await ask(fx.app, `Bearer ${key}`, chat("Whose answer is it?"))).headers["x-recall-cache"]).toBe(
      "HIT",
    );

    const wrong = await ask(fx.app, "Bearer sk-wrong", chat("Whose answer is it?"));
    expect(wrong.status).toBe(401);
    expect(wrong.headers["x-recall-cache"]).toBe("MISS");
    const wrongStream = await ask(fx.app, "Bearer sk-wrong", chat("Whose answer is it?", { stream: true }));
    expect(wrongStream.status).toBe(401);
    const upstreamCalls = fx.mock.count();

    for (const none of [undefined, "", "Bearer", "Bearer   "]) {
      const r = await ask(fx.app, none, chat("Whose answer is it?"));
      expect(r.status).toBe(401);
      expect(r.headers["www-authenticate"]).toBe("Bearer");
      expect(r.body).toEqual({
        error: {
          message: expect.stringMatching(/Authorization header is missing/),
          type: "invalid_request_error",
          param: null,
          code: "missing_api_key",
        },
      });
      const embeddings = await ask(
        fx.app,
        none,
        { model: "text-embedding-3-small", input: "x" },
        "/v1/embeddings",
      );
      expect(embeddings.status).toBe(401);
      expect((await request(fx.app).get("/v1/models")).status).toBe(401);
    }
    expect(fx.mock.count()).toBe(upstreamCalls);
    expect(dump(fx.map)).not.toContain("the-right-key");
  });

  it("property: two distinct credentials never share an entry, each keeps its own (chat and embeddings)", async () => {
    fx = await proxyFixture({ proxy: { credentialSecret: SECRET } });
    const app = fx.app;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(token, token, fc.boolean(), async (a, b, embeddings) => {
        fc.pre(a !== b);
        const question = `Question number ${n++} for ${a.length}`;
        const body = embeddings ? { model: "text-embedding-3-small", input: question } : chat(question);
        const path = embeddings ? "/v1/embeddings" : "/v1/chat/completions";
        const before = fx!.mock.count();
        const status = async (who: string) =>
          (await ask(app, `Bearer ${who}`, body, path)).headers["x-recall-cache"];
        expect(await status(a)).toBe("MISS");
        await until(() => fx!.cache.stats.snapshot().total.stores === n * 2 - 1);
        expect(await status(b)).toBe("MISS");
        await until(() => fx!.cache.stats.snapshot().total.stores === n * 2);
        expect(await status(a)).toBe("HIT");
        expect(await status(b)).toBe("HIT");
        expect(fx!.mock.count() - before).toBe(2);
        const stored = dump(fx!.map);
        expect(stored).not.toContain(a);
        expect(stored).not.toContain(b);
      }),
      { numRuns: 30 },
    );
  });

  it("a paraphrase never matches another credential's entry by meaning; the same credential's does", async () => {
    const embedder = fakeEmbedder({
      synonyms: [["How do I reset my password?", "how can I reset the password"]],
    });
    fx = await proxyFixture({ cache: { semantic: { embedder } }, proxy: { credentialSecret: SECRET } });
    await ask(fx.app, "Bearer sk-alice", chat("How do I reset my password?"));
    await until(() => fx!.map.size > 0);
    const bob = await ask(fx.app, "Bearer sk-bob", chat("how can I reset the password"));
    expect(bob.headers["x-recall-cache"]).toBe("MISS");
    const carol = await ask(fx.app, "Bearer sk-carol", chat("How do I reset my password?"));
    expect(carol.headers["x-recall-cache"]).toBe("MISS");
    const alice = await ask(fx.app, "Bearer sk-alice", chat("how can I reset the password"));
    expect(alice.headers["x-recall-cache"]).toBe("SEMANTIC");
    expect(alice.body.choices[0].message.content).not.toBe(bob.body.choices[0].message.content);
    expect(fx.mock.count("chat")).toBe(3);
  });

  it("property: by meaning too, a credential only ever matches its own questions", async () => {
    const pairs = Array.from({ length: 40 }, (_, i) => [
      `Tell me fact ${i} about owls`,
      `tell me owl fact ${i}`,
    ]);
    const embedder = fakeEmbedder({ synonyms: pairs });
    fx = await proxyFixture({ cache: { semantic: { embedder } }, proxy: { credentialSecret: SECRET } });
    const app = fx.app;
    let i = 0;
    await fc.assert(
      fc.asyncProperty(token, token, async (a, b) => {
        fc.pre(a !== b);
        const [question, paraphrase] = pairs[i++]!;
        await ask(app, `Bearer ${a}`, chat(question!));
        await until(() => fx!.cache.stats.snapshot().total.stores === i);
        const other = await ask(app, `Bearer ${b}`, chat(paraphrase!));
        expect(other.headers["x-recall-cache"]).toBe("MISS");
        expect((await ask(app, `Bearer ${a}`, chat(paraphrase!))).headers["x-recall-cache"]).toBe("SEMANTIC");
        await until(() => fx!.cache.stats.snapshot().total.stores === i + 1);
        i++;
      }),
      { numRuns: 20 },
    );
  });

  it("entries last across proxy instances with the same credentialSecret, not with another one", async () => {
    fx = await proxyFixture({ proxy: { credentialSecret: SECRET } });
    await ask(fx.app, "Bearer sk-carol", chat("Do I survive a restart?"));
    await until(() => fx!.map.size === 1);
    const app = (secret: string) =>
      express().use(
        "/v1",
        openAIProxy({ cache: fx!.cache, upstream: fx!.mock.url, credentialSecret: secret }),
      );
    const same = await ask(app(SECRET), "Bearer sk-carol", chat("Do I survive a restart?"));
    expect(same.headers["x-recall-cache"]).toBe("HIT");
    const other = await ask(app(`${SECRET}-rotated`), "Bearer sk-carol", chat("Do I survive a restart?"));
    expect(other.headers["x-recall-cache"]).toBe("MISS");
  });

  it("refuses a bad credentialSecret at creation", () => {
    const cache = createCache();
    for (const secret of ["short", Buffer.alloc(8), 42, {}]) {
      expect(() =>
        openAIProxy({ cache, upstream: "http://x/v1", credentialSecret: secret as never }),
      ).toThrow(
        expect.objectContaining({
          code: "RECALL_INVALID_OPTION",
          message: expect.stringMatching(/credentialSecret/),
        }),
      );
    }
  });
});

describe("credential scope: the server's own key", () => {
  it("with apiKey, all callers share entries whatever their Authorization (authenticate them in front)", async () => {
    fx = await proxyFixture({ mock: { apiKey: "sk-server" }, proxy: { apiKey: "sk-server" } });
    expect((await ask(fx.app, undefined, chat("Shared question"))).headers["x-recall-cache"]).toBe("MISS");
    await until(() => fx!.map.size === 1);
    for (const who of [undefined, "Bearer sk-a", "Bearer sk-b"]) {
      expect((await ask(fx.app, who, chat("Shared question"))).headers["x-recall-cache"]).toBe("HIT");
    }
    expect(fx.mock.requests.every((r) => r.headers.authorization === "Bearer sk-server")).toBe(true);
  });
});

describe("credentials in answers", () => {
  /** An upstream that echoes the key it was sent in every chat answer. */
  const echoKey: typeof fetch = async (url, init) => {
    const upstream = await fetch(url, init);
    const key = new Headers(init?.headers).get("authorization")?.replace(/^Bearer /, "");
    const json = (await upstream.json()) as { choices: Array<{ message: { content: string } }> };
    json.choices[0]!.message.content = `Your key is ${key}.`;
    return new Response(JSON.stringify(json), { status: upstream.status, headers: upstream.headers });
  };

  it.each([
    ["a forwarded client key", { credentialSecret: SECRET }, "sk-client-key-0001"],
    ["the server's key", { apiKey: "sk-server-key-0001" }, "sk-server-key-0001"],
  ])("an answer that echoes %s is forwarded but never stored", async (_, proxy, key) => {
    fx = await proxyFixture({ proxy: { ...proxy, fetch: echoKey } });
    const reasons: string[] = [];
    fx.cache.on("reject", (e) => reasons.push(e.reason));
    const first = await ask(fx.app, "Bearer sk-client-key-0001", chat("What is my key?"));
    expect(first.body.choices[0].message.content).toBe(`Your key is ${key}.`);
    const again = await ask(fx.app, "Bearer sk-client-key-0001", chat("What is my key?"));
    expect(again.headers["x-recall-cache"]).toBe("MISS");
    expect(reasons).toEqual([expect.stringMatching(/credential/), expect.stringMatching(/credential/)]);
    expect(dump(fx.map)).not.toContain(key);
  });
});

describe("the namespace header", () => {
  it("property: ignored by default, whatever its value; entries stay in the proxy's namespace", async () => {
    fx = await proxyFixture();
    await ask(fx.app, "Bearer sk-dave", chat("One namespace only"));
    await until(() => fx!.map.size === 1);
    const app = fx.app;
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[\x21-\x7e]{1,50}$/), async (namespace) => {
        const r = await ask(app, "Bearer sk-dave", chat("One namespace only")).set(
          "X-Recall-Namespace",
          namespace,
        );
        expect(r.headers["x-recall-cache"]).toBe("HIT");
      }),
      { numRuns: 50 },
    );
    expect(Object.keys(fx.cache.stats.snapshot().namespaces)).toEqual(["default"]);
  });

  it("is read only with trustNamespaceHeader: true, from the named header", async () => {
    fx = await proxyFixture({ proxy: { trustNamespaceHeader: true, namespaceHeader: "X-Tenant" } });
    await ask(fx.app, "Bearer sk-erin", chat("Per tenant")).set("X-Tenant", "acme");
    await ask(fx.app, "Bearer sk-erin", chat("Per tenant")).set("X-Recall-Namespace", "globex");
    expect(Object.keys(fx.cache.stats.snapshot().namespaces).sort()).toEqual(["acme", "default"]);
  });

  it("refuses contradictory or mistyped namespace options at creation", () => {
    const cache = createCache();
    const base = { cache, upstream: "http://x/v1" };
    const bad: Array<[object, RegExp]> = [
      [{ namespaceHeader: "x-tenant" }, /only read with trustNamespaceHeader: true/],
      [{ trustNamespaceHeader: "yes" }, /trustNamespaceHeader must be a boolean/],
      [{ trustNamespaceHeader: true, namespaceHeader: false }, /needs a header/],
      [{ trustNamespaceHeader: true, namespaceHeader: "bad header" }, /HTTP header name/],
      [{ namespace: "" }, /namespace must be/],
      [{ callOptions: {} }, /callOptions must be a function/],
    ];
    for (const [options, message] of bad) {
      expect(() => openAIProxy({ ...base, ...options } as never)).toThrow(
        expect.objectContaining({ code: "RECALL_INVALID_OPTION", message: expect.stringMatching(message) }),
      );
    }
    expect(() => openAIProxy({ ...base, namespaceHeader: false })).not.toThrow();
  });
});
