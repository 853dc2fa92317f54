import { fakeEmbedder } from "@recall/core/testing";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { chat, dump, listen, type ProxyFixture, proxyFixture, until } from "./helpers.js";

/** The official `openai` client pointed at the proxy, as a user would configure it. */
let fx: ProxyFixture | undefined;
let server: { url: string; close(): Promise<void> } | undefined;
afterEach(async () => {
  await server?.close();
  await fx?.close();
  fx = undefined;
  server = undefined;
});

async function clientFor(options: Parameters<typeof proxyFixture>[0] = {}, apiKey = "sk-client-key") {
  fx = await proxyFixture(options);
  server = await listen(fx.app);
  return new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });
}

const messages = (content: string): OpenAI.ChatCompletionMessageParam[] => [
  { role: "system", content: "You are a helpful assistant." },
  { role: "user", content },
];

describe("the openai client through the proxy", () => {
  it("plain: a repeated and a paraphrased question make one upstream request", async () => {
    const embedder = fakeEmbedder({
      synonyms: [["What is the capital of France?", "Which city is the capital of France?"]],
    });
    const client = await clientFor({ cache: { semantic: { embedder } } });
    const ask = (q: string) =>
      client.chat.completions.create({ model: "gpt-4o-mini", messages: messages(q) }).withResponse();
    const first = await ask("What is the capital of France?");
    expect(first.response.headers.get("x-recall-cache")).toBe("MISS");
    await until(() => fx!.map.size === 1);
    const repeated = await ask("What is the capital of France?");
    const paraphrased = await ask("Which city is the capital of France?");
    expect(repeated.response.headers.get("x-recall-cache")).toBe("HIT");
    expect(paraphrased.response.headers.get("x-recall-cache")).toBe("SEMANTIC");
    expect(Number(paraphrased.response.headers.get("x-recall-similarity"))).toBeGreaterThan(0.9);
    expect(repeated.data).toEqual(first.data);
    expect(paraphrased.data.choices[0]!.message.content).toBe(first.data.choices[0]!.message.content);
    expect(fx!.mock.count("chat")).toBe(1);
    expect(fx!.cache.stats.snapshot().total).toMatchObject({ hits: 1, semanticHits: 1, misses: 1 });
  });

  it("streaming: a miss streams through, the repeat and the paraphrase replay, one upstream request", async () => {
    const embedder = fakeEmbedder({ synonyms: [["Tell me about Paris", "Tell me something about Paris"]] });
    const client = await clientFor({ cache: { semantic: { embedder } } });
    const stream = async (q: string, includeUsage: boolean) => {
      const { data, response } = await client.chat.completions
        .create({
          model: "gpt-4o-mini",
          messages: messages(q),
          stream: true,
          stream_options: { include_usage: includeUsage },
        })
        .withResponse();
      let text = "";
      let usage: OpenAI.CompletionUsage | undefined;
      let finish: string | null | undefined;
      let chunks = 0;
      for await (const chunk of data) {
        chunks++;
        text += chunk.choices[0]?.delta.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usage = chunk.usage;
      }
      return { text, usage, finish, chunks, status: response.headers.get("x-recall-cache") };
    };
    const miss = await stream("Tell me about Paris", false);
    expect(miss.status).toBe("MISS");
    expect(miss.text).toMatch(/^\[ans:[0-9a-f]{8}\]/);
    expect(miss.usage).toBeUndefined(); // the usage the proxy asked for is hidden from a client that did not
    expect(miss.chunks).toBeGreaterThan(3);
    await until(() => fx!.map.size === 1);

    const hit = await stream("Tell me about Paris", true);
    expect(hit).toMatchObject({ status: "HIT", text: miss.text, finish: "stop" });
    expect(hit.usage?.completion_tokens).toBeGreaterThan(0);
    const paraphrase = await stream("Tell me something about Paris", false);
    expect(paraphrase).toMatchObject({ status: "SEMANTIC", text: miss.text, usage: undefined });
    expect(fx!.mock.count("chat")).toBe(1);
    // The usage recorded on the miss lets hits count what they saved.
    expect(fx!.cache.stats.snapshot().total.saved.outputTokens).toBeGreaterThan(0);
  });

  it("streaming and plain requests share entries, tool calls included", async () => {
    const client = await clientFor();
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: {
          name: "get_weather",
          description: "Weather in a city",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      },
    ];
    const request = { model: "gpt-4o-mini", messages: messages("Weather in Oslo?"), tools };
    const streamed = await client.chat.completions.stream(request).finalChatCompletion();
    expect(streamed.choices[0]!.finish_reason).toBe("tool_calls");
    await until(() => fx!.map.size === 1);
    const plain = await client.chat.completions.create(request).withResponse();
    expect(plain.response.headers.get("x-recall-cache")).toBe("HIT");
    expect(plain.data.choices[0]!.message.tool_calls).toEqual(streamed.choices[0]!.message.tool_calls);
    const replayed = await client.chat.completions.stream(request).finalChatCompletion();
    expect(replayed.choices[0]!.message.tool_calls).toEqual(streamed.choices[0]!.message.tool_calls);
    expect(fx!.mock.count("chat")).toBe(1);
  });

  it("embeddings (base64, as the client asks by default) are cached and decode to the same vectors", async () => {
    const client = await clientFor();
    const first = await client.embeddings
      .create({ model: "text-embedding-3-small", input: ["one", "two"] })
      .withResponse();
    const second = await client.embeddings
      .create({ model: "text-embedding-3-small", input: ["one", "two"] })
      .withResponse();
    expect(first.response.headers.get("x-recall-cache")).toBe("MISS");
    expect(second.response.headers.get("x-recall-cache")).toBe("HIT");
    expect(second.data.data.map((d) => d.embedding)).toEqual(first.data.data.map((d) => d.embedding));
    expect(second.data.data[0]!.embedding.length).toBeGreaterThan(0);
    expect(fx!.mock.count("embeddings")).toBe(1);
  });

  it("bad input and upstream errors surface as the client's typed errors; the key is never stored", async () => {
    const key = "sk-proj-client-secret-abcdef";
    const client = await clientFor({ mock: { apiKey: key } }, key);
    const missing = await client.chat.completions
      .create({ model: "gpt-4o-mini" } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    expect((missing as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("messages");
    fx!.mock.failNext(500, "upstream broke");
    const broken = await client.chat.completions
      .create(chat("Anything") as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(OpenAI.InternalServerError);
    expect((broken as Error).message).toContain("upstream broke");
    const ok = await client.chat.completions.create(
      chat("Anything") as OpenAI.ChatCompletionCreateParamsNonStreaming,
    );
    expect(ok.choices[0]!.message.content).toBeTruthy();
    await until(() => fx!.map.size === 1);
    expect(dump(fx!.map)).not.toContain("client-secret");
    expect(fx!.mock.count("chat")).toBe(2);
  });
});
