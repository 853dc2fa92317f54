import { fakeEmbedder } from "@recall/core/testing";
import express from "express";
import fc from "fast-check";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { openAIProxy } from "../src/index.js";
import { chat, dump, listen, type ProxyFixture, proxyFixture, until } from "./helpers.js";

/** The secure defaults as a user of the official `openai` client meets them. */
let fx: ProxyFixture | undefined;
const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  await fx?.close();
  fx = undefined;
});

async function proxyUrl(options: Parameters<typeof proxyFixture>[0] = {}): Promise<string> {
  fx = await proxyFixture(options);
  const server = await listen(fx.app);
  servers.push(server);
  return `${server.url}/v1`;
}
const client = (baseURL: string, apiKey: string) => new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const body = (content: string) => chat(content) as OpenAI.ChatCompletionCreateParamsNonStreaming;
const SECRET = "openai-client-security-secret";

describe("the openai client and the proxy's secure defaults", () => {
  it("a client with a wrong key gets AuthenticationError, not the cached answer of the right key", async () => {
    const key = "sk-right-0123456789";
    const baseURL = await proxyUrl({ mock: { apiKey: key }, proxy: { credentialSecret: SECRET } });
    const right = client(baseURL, key);
    await right.chat.completions.create(body("Secret plans?"));
    await until(() => fx!.map.size === 1);
    const hit = await right.chat.completions.create(body("Secret plans?")).withResponse();
    expect(hit.response.headers.get("x-recall-cache")).toBe("HIT");

    for (const wrong of ["sk-wrong", "sk-right-012345678", `${key}x`]) {
      const error = await client(baseURL, wrong)
        .chat.completions.create(body("Secret plans?"))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      const streamed = await client(baseURL, wrong)
        .chat.completions.create({ ...body("Secret plans?"), stream: true })
        .catch((e: unknown) => e);
      expect(streamed).toBeInstanceOf(OpenAI.AuthenticationError);
    }
    expect(dump(fx!.map)).not.toContain("0123456789");
  });

  it("a client without a key gets a 401 saying the Authorization header is missing; the upstream is not called", async () => {
    const baseURL = await proxyUrl();
    const anonymous = new OpenAI({
      baseURL,
      apiKey: "unused",
      maxRetries: 0,
      defaultHeaders: { Authorization: null },
    });
    for (const call of [
      () => anonymous.chat.completions.create(body("Anyone?")),
      () => anonymous.embeddings.create({ model: "text-embedding-3-small", input: "x" }),
      () => anonymous.models.list(),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe("missing_api_key");
      expect((error as Error).message).toMatch(/Authorization header is missing/);
    }
    expect(fx!.mock.count()).toBe(0);
  });

  it("property: clients with distinct keys each get their own entries, exact and by meaning", async () => {
    const pairs = Array.from({ length: 30 }, (_, i) => [
      `What is rule ${i} of the club?`,
      `what is club rule ${i}`,
    ]);
    const baseURL = await proxyUrl({
      cache: { semantic: { embedder: fakeEmbedder({ synonyms: pairs }) } },
      proxy: { credentialSecret: SECRET },
    });
    let i = 0;
    const token = fc.stringMatching(/^sk-[A-Za-z0-9]{8,24}$/);
    await fc.assert(
      fc.asyncProperty(token, token, async (a, b) => {
        fc.pre(a !== b);
        const [question, paraphrase] = pairs[i++]!;
        const status = async (key: string, q: string) =>
          (await client(baseURL, key).chat.completions.create(body(q!)).withResponse()).response.headers.get(
            "x-recall-cache",
          );
        expect(await status(a, question!)).toBe("MISS");
        await until(() => fx!.cache.stats.snapshot().total.stores === 2 * i - 1);
        expect(await status(b, question!)).toBe("MISS");
        await until(() => fx!.cache.stats.snapshot().total.stores === 2 * i);
        expect(await status(a, question!)).toBe("HIT");
        expect(await status(b, paraphrase!)).toBe("SEMANTIC");
      }),
      { numRuns: 15 },
    );
  });

  it("models can be listed and read; other routes are a NotFoundError and never reach the upstream", async () => {
    const baseURL = await proxyUrl({ proxy: { apiKey: "sk-server" } });
    const c = client(baseURL, "anything");
    const models = await c.models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const model = await c.models.retrieve(models.data[0]!.id);
    expect(model.id).toBe(models.data[0]!.id);
    const before = fx!.mock.count();
    const deleted = await c.files.delete("file-abc123").catch((e: unknown) => e);
    expect(deleted).toBeInstanceOf(OpenAI.NotFoundError);
    expect((deleted as Error).message).toMatch(/DELETE \/v1\/files\/file-abc123 is not served by this proxy/);
    const job = await c.fineTuning.jobs
      .create({ model: "gpt-4o-mini", training_file: "file-abc123" })
      .catch((e: unknown) => e);
    expect(job).toBeInstanceOf(OpenAI.NotFoundError);
    const response = await c.responses.create({ model: "gpt-4o-mini", input: "Hi" }).catch((e: unknown) => e);
    expect(response).toBeInstanceOf(OpenAI.NotFoundError);
    expect(fx!.mock.count()).toBe(before);
  });

  it("the X-Recall-Namespace header a client sends is ignored by default", async () => {
    const baseURL = await proxyUrl();
    const tenant = (ns: string) =>
      new OpenAI({ baseURL, apiKey: "sk-same", maxRetries: 0, defaultHeaders: { "X-Recall-Namespace": ns } });
    await tenant("acme").chat.completions.create(body("Tenant data"));
    await until(() => fx!.map.size === 1);
    const other = await tenant("globex").chat.completions.create(body("Tenant data")).withResponse();
    expect(other.response.headers.get("x-recall-cache")).toBe("HIT");
    expect(Object.keys(fx!.cache.stats.snapshot().namespaces)).toEqual(["default"]);
  });

  it("an unreachable upstream is a 502 APIError whose message names no host or credentials", async () => {
    fx = await proxyFixture();
    const app = express().use(
      "/v1",
      openAIProxy({
        cache: fx.cache,
        upstream: "http://svc-user:svc-pass-999@llm.internal.example:9/v1",
        credentialSecret: SECRET,
        onError: () => {},
      }),
    );
    const server = await listen(app);
    servers.push(server);
    const error = await client(`${server.url}/v1`, "sk-anything")
      .chat.completions.create(body("Hello?"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((error as Error).message).toMatch(/The upstream API could not be reached/);
    expect((error as Error).message).not.toMatch(/internal|svc-|999/);
  });
});
