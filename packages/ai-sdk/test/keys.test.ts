import type { LanguageModelV4CallOptions, LanguageModelV4FilePart } from "@ai-sdk/provider";
import { createCache } from "@recall/core";
import { requestKeys } from "@recall/core/adapter";
import { wrapLanguageModel } from "ai";
import { describe, expect, it } from "vitest";
import { recallMiddleware, toCacheRequest } from "../src/index.js";
import { generated, mockModel, recallOf } from "./mock-model.js";

const model = { provider: "openai.chat", modelId: "gpt-4.1" };
const base: LanguageModelV4CallOptions = {
  prompt: [
    { role: "system", content: "Be brief." },
    { role: "user", content: [{ type: "text", text: "What is the capital of France?" }] },
  ],
  temperature: 0,
};
const keyOf = (params: LanguageModelV4CallOptions, m = model) =>
  requestKeys(toCacheRequest(m, params), { prefix: "recall", namespace: "default" }).key;

describe("the key", () => {
  it("ignores abort signals, headers, raw-chunk requests and providerOptions.recall", () => {
    const same = keyOf({
      ...base,
      abortSignal: new AbortController().signal,
      headers: { authorization: "Bearer sk-secret", "x-trace": "1" },
      includeRawChunks: true,
      providerOptions: { recall: { ttl: 1000, namespace: "ignored-here" } },
    });
    expect(same).toBe(keyOf(base));
    expect(
      JSON.stringify(toCacheRequest(model, { ...base, headers: { authorization: "Bearer sk-secret" } })),
    ).not.toContain("sk-secret");
  });

  it.each<[string, Partial<LanguageModelV4CallOptions>]>([
    ["temperature", { temperature: 0.7 }],
    ["topP", { topP: 0.5 }],
    ["maxOutputTokens", { maxOutputTokens: 10 }],
    ["stopSequences", { stopSequences: ["\n"] }],
    ["seed", { seed: 7 }],
    ["reasoning", { reasoning: "high" }],
    ["a provider option", { providerOptions: { openai: { reasoningEffort: "high" } } }],
    ["JSON output", { responseFormat: { type: "json", schema: { type: "object" } } }],
    ["tools", { tools: [{ type: "function", name: "weather", inputSchema: { type: "object" } }] }],
    ["a tool choice", { toolChoice: { type: "required" } }],
  ])("changes with %s", (_, change) => {
    expect(keyOf({ ...base, ...change })).not.toBe(keyOf(base));
  });

  it("changes with the model's provider and id", () => {
    expect(keyOf(base, { provider: "openai.chat", modelId: "gpt-4.1-mini" })).not.toBe(keyOf(base));
    expect(keyOf(base, { provider: "openai.responses", modelId: "gpt-4.1" })).not.toBe(keyOf(base));
  });

  it("changes with the provider options of a message or part", () => {
    const withPartOptions: LanguageModelV4CallOptions = {
      ...base,
      prompt: [
        base.prompt[0]!,
        {
          role: "user",
          content: [
            {
              type: "text",
              text: "What is the capital of France?",
              providerOptions: { openai: { imageDetail: "low" } },
            },
          ],
        },
      ],
    };
    expect(keyOf(withPartOptions)).not.toBe(keyOf(base));
  });

  it("changes with the content of an attached file, not with its encoding", () => {
    const withFile = (data: Uint8Array | string): LanguageModelV4CallOptions => ({
      prompt: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this picture?" },
            { type: "file", mediaType: "image/png", data: { type: "data", data } },
          ],
        },
      ],
    });
    const bytes = new Uint8Array([1, 2, 3, 4]);
    expect(keyOf(withFile(bytes))).toBe(keyOf(withFile(Buffer.from(bytes).toString("base64"))));
    expect(keyOf(withFile(new Uint8Array([1, 2, 3, 5])))).not.toBe(keyOf(withFile(bytes)));
    // Inline content enters the key as a hash, not as itself.
    expect(JSON.stringify(toCacheRequest(model, withFile(bytes)))).toMatch(/sha256:[0-9a-f]{64}/);
  });

  it("leaves credentials in provider options and provider tools out of the key, as the request's secrets", () => {
    const byok = "sk-ant-byok-0123456789";
    const token = "oauth-access-0123456789";
    const withCredentials: LanguageModelV4CallOptions = {
      ...base,
      providerOptions: { gateway: { byok: { anthropic: [{ apiKey: byok }] } } },
      tools: [{ type: "provider", id: "openai.mcp", name: "mcp", args: { authorization: token } }],
    };
    const request = toCacheRequest(model, withCredentials);
    expect(JSON.stringify(request)).not.toContain(byok);
    expect(JSON.stringify(request)).not.toContain(token);
    expect([...(request.secrets ?? [])].sort()).toEqual([byok, token].sort());
    const otherKeys: LanguageModelV4CallOptions = {
      ...withCredentials,
      providerOptions: { gateway: { byok: { anthropic: [{ apiKey: "sk-ant-byok-other-key" }] } } },
    };
    expect(keyOf(otherKeys)).toBe(keyOf(withCredentials));
    // What is not a credential still enters the key.
    const toolArgs = {
      ...withCredentials.tools![0]!,
      args: { authorization: token, serverUrl: "https://a" },
    };
    expect(keyOf({ ...withCredentials, tools: [toolArgs as never] })).not.toBe(keyOf(withCredentials));
  });

  it("keys a file the same as bytes, as base64 and as a data URL; a URL as itself", () => {
    const withData = (data: LanguageModelV4FilePart["data"]): LanguageModelV4CallOptions => ({
      prompt: [{ role: "user", content: [{ type: "file", mediaType: "image/png", data }] }],
    });
    const bytes = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
    const base64 = Buffer.from(bytes).toString("base64");
    const key = keyOf(withData({ type: "data", data: bytes }));
    expect(keyOf(withData({ type: "data", data: base64 }))).toBe(key);
    expect(keyOf(withData({ type: "url", url: new URL(`data:image/png;base64,${base64}`) }))).toBe(key);
    const url = withData({ type: "url", url: new URL("https://example.com/cat.png") });
    expect(JSON.stringify(toCacheRequest(model, url))).toContain('"https://example.com/cat.png"');
    // Inline text is its own form: a provider may send it as text rather than as a file.
    expect(keyOf(withData({ type: "text", text: "\x89PNG" }))).not.toBe(key);
  });
});

describe("the key through the middleware", () => {
  it("hits across different headers and abort signals, misses on another reasoning effort", async () => {
    const inner = mockModel();
    const wrapped = wrapLanguageModel({
      model: inner,
      middleware: recallMiddleware({ cache: createCache() }),
    });
    const first = await wrapped.doGenerate({ ...base, headers: { "x-a": "1" } });
    const second = await wrapped.doGenerate({
      ...base,
      headers: { "x-a": "2" },
      abortSignal: new AbortController().signal,
    });
    const recallOnly = await wrapped.doGenerate({ ...base, providerOptions: { recall: { tags: ["faq"] } } });
    const effort = await wrapped.doGenerate({
      ...base,
      providerOptions: { openai: { reasoningEffort: "high" } },
    });
    expect(recallOf(first.providerMetadata)?.status).toBe("miss");
    expect(recallOf(second.providerMetadata)?.status).toBe("hit");
    expect(recallOf(recallOnly.providerMetadata)?.status).toBe("hit");
    expect(recallOf(effort.providerMetadata)?.status).toBe("miss");
    expect(inner.doGenerateCalls).toHaveLength(2);
    // The model still receives the headers it was given.
    expect(inner.doGenerateCalls[0]!.headers).toEqual({ "x-a": "1" });
  });

  it("never stores an answer that carries a credential of the call", async () => {
    const key = "sk-ant-byok-0123456789";
    const inner = mockModel({ answer: () => generated(`Your key is ${key}`) });
    const wrapped = wrapLanguageModel({
      model: inner,
      middleware: recallMiddleware({ cache: createCache() }),
    });
    const call = { ...base, providerOptions: { gateway: { byok: { anthropic: [{ apiKey: key }] } } } };
    const first = await wrapped.doGenerate(call);
    expect(recallOf(first.providerMetadata)).toMatchObject({
      status: "miss",
      stored: false,
      rejectedBecause: expect.stringMatching(/credential/),
    });
    expect(recallOf((await wrapped.doGenerate(call)).providerMetadata)?.status).toBe("miss");
  });
});
