import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { answerIdFor, answerTextFor, startMockOpenAI } from "./index";
import type { MockOpenAIServer } from "./types";

let server: MockOpenAIServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startMockOpenAI();
  client = new OpenAI({ baseURL: server.url, apiKey: "sk-test", maxRetries: 0 });
});
afterAll(() => server.close());
afterEach(() => server.reset());

const QUESTION = "What is the capital of France?";

describe("chat completions", () => {
  it("answers with the deterministic tagged answer and realistic usage", async () => {
    const r = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: QUESTION },
      ],
    });
    const text = r.choices[0]?.message.content ?? "";
    expect(text).toBe(answerTextFor(QUESTION));
    expect(text.startsWith(`[ans:${answerIdFor(QUESTION)}] `)).toBe(true);
    expect(r.object).toBe("chat.completion");
    expect(r.model).toBe("gpt-4o-mini");
    expect(r.choices[0]?.finish_reason).toBe("stop");
    expect(r.usage?.completion_tokens).toBe(Math.ceil(text.length / 4));
    expect(r.usage?.prompt_tokens).toBeGreaterThan(Math.ceil(QUESTION.length / 4));
    expect(r.usage?.total_tokens).toBe((r.usage?.prompt_tokens ?? 0) + (r.usage?.completion_tokens ?? 0));
  });

  it("gives the same answer for the same normalized question and different ones otherwise", async () => {
    const ask = async (q: string) =>
      (await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: q }] }))
        .choices[0]?.message.content;
    const a = await ask(QUESTION);
    expect(await ask("  what is the CAPITAL of france  ")).toBe(a);
    const other = await ask("What is the capital of Germany?");
    expect(other).not.toBe(a);
    expect(other).toContain(`[ans:${answerIdFor("What is the capital of Germany?")}]`);
  });

  it("streams chunks that join to the same text, then a usage chunk and [DONE]", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: QUESTION }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let deltas = 0;
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe("chat.completion.chunk");
      const choice = chunk.choices[0];
      if (choice?.delta.content) {
        text += choice.delta.content;
        deltas++;
      }
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(answerTextFor(QUESTION));
    expect(deltas).toBeGreaterThan(10);
    expect(finish).toBe("stop");
    expect(usage?.completion_tokens).toBe(Math.ceil(text.length / 4));
    expect(server.requests[0]?.stream).toBe(true);
  });

  it("sends no usage chunk unless include_usage is set", async () => {
    const res = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const raw = await res.text();
    expect(raw.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(raw).not.toContain('"usage"');
  });

  it("calls the offered tool, then answers from the tool result", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: {
          name: "get_weather",
          parameters: {
            type: "object",
            properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
            required: ["city", "unit"],
          },
        },
      },
    ];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather in Paris?" }];
    const first = await client.chat.completions.create({ model: "m", messages, tools });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(first.choices[0]?.message.content).toBeNull();
    expect(call?.type === "function" && call.function.name).toBe("get_weather");
    const args = JSON.parse(call?.type === "function" ? call.function.arguments : "{}");
    expect(args).toEqual({ city: "weather in paris", unit: "c" });

    const second = await client.chat.completions.create({
      model: "m",
      tools,
      messages: [
        ...messages,
        first.choices[0]!.message,
        { role: "tool", tool_call_id: call!.id, content: '{"temp":21}' },
      ],
    });
    expect(second.choices[0]?.finish_reason).toBe("stop");
    expect(second.choices[0]?.message.content).toContain('{"temp":21}');
    expect(second.choices[0]?.message.content).toContain(`[ans:${answerIdFor("Weather in Paris?")}]`);
  });

  it("does not call tools when tool_choice is none, and picks the named tool", async () => {
    const tools: OpenAI.ChatCompletionTool[] = ["a", "b"].map((name) => ({
      type: "function",
      function: { name, parameters: { type: "object", properties: {} } },
    }));
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "hi" }];
    const none = await client.chat.completions.create({ model: "m", messages, tools, tool_choice: "none" });
    expect(none.choices[0]?.message.tool_calls).toBeUndefined();
    const named = await client.chat.completions.create({
      model: "m",
      messages,
      tools,
      tool_choice: { type: "function", function: { name: "b" } },
    });
    const call = named.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function.name).toBe("b");
  });

  it("streams tool calls as deltas the client can reassemble", async () => {
    const stream = await client.chat.completions.create({
      model: "m",
      stream: true,
      messages: [{ role: "user", content: "Find flights to Rome" }],
      tools: [
        {
          type: "function",
          function: {
            name: "search_flights",
            parameters: {
              type: "object",
              properties: { destination: { type: "string" }, passengers: { type: "integer" } },
            },
          },
        },
      ],
    });
    let name = "";
    let args = "";
    let id = "";
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) {
        expect(tc.index).toBe(0);
        if (tc.id) id = tc.id;
        name += tc.function?.name ?? "";
        args += tc.function?.arguments ?? "";
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(id).toMatch(/^call_/);
    expect(name).toBe("search_flights");
    expect(JSON.parse(args)).toEqual({ destination: "find flights to rome", passengers: 3 });
    expect(finish).toBe("tool_calls");
  });

  it("returns JSON text in json_object and json_schema modes", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Describe Paris" }];
    const obj = await client.chat.completions.create({
      model: "m",
      messages,
      response_format: { type: "json_object" },
    });
    expect(JSON.parse(obj.choices[0]?.message.content ?? "")).toEqual({
      answer: answerTextFor("Describe Paris"),
    });

    const schema = await client.chat.completions.create({
      model: "m",
      messages,
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "city",
          strict: true,
          schema: {
            type: "object",
            properties: {
              summary: { type: "string" },
              population: { type: "integer", minimum: 1000 },
              tags: { type: "array", items: { type: "string" }, minItems: 2 },
              country: { $ref: "#/$defs/country" },
              mayor: { type: ["string", "null"] },
            },
            required: ["summary", "population", "tags", "country", "mayor"],
            additionalProperties: false,
            $defs: { country: { type: "object", properties: { code: { type: "string", enum: ["FR"] } } } },
          },
        },
      },
    });
    const value = JSON.parse(schema.choices[0]?.message.content ?? "");
    expect(value.summary).toBe(answerTextFor("Describe Paris"));
    expect(value.population).toBe(1000);
    expect(value.tags).toHaveLength(2);
    expect(value.country).toEqual({ code: "FR" });
    expect(typeof value.mayor).toBe("string");
  });

  it("cuts the answer at max_tokens with finish_reason length", async () => {
    const r = await client.chat.completions.create({
      model: "m",
      max_tokens: 5,
      messages: [{ role: "user", content: QUESTION }],
    });
    expect(r.choices[0]?.finish_reason).toBe("length");
    expect(r.choices[0]?.message.content).toBe(answerTextFor(QUESTION).slice(0, 20));
    expect(r.usage?.completion_tokens).toBe(5);
  });
});

describe("embeddings", () => {
  it("returns base64 (the openai client default) that decodes to unit vectors", async () => {
    const r = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: ["the cat sat on the mat", "a cat sat on a mat", "quarterly tax filing deadline"],
    });
    expect(server.requests[0]?.body.encoding_format).toBe("base64");
    expect(r.data).toHaveLength(3);
    const [a, b, c] = r.data.map((d) => d.embedding);
    const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * (y[i] ?? 0), 0);
    expect(a).toHaveLength(256);
    expect(dot(a!, a!)).toBeCloseTo(1, 5);
    expect(dot(a!, b!)).toBeGreaterThan(0.6);
    expect(dot(a!, c!)).toBeLessThan(0.3);
    expect(r.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("returns the same vectors as float arrays, honouring dimensions", async () => {
    const b64 = await client.embeddings.create({ model: "e", input: "hello world" });
    const float = await client.embeddings.create({
      model: "e",
      input: "hello world",
      encoding_format: "float",
    });
    expect(Array.isArray(float.data[0]?.embedding)).toBe(true);
    const f = float.data[0]!.embedding;
    expect(Array.from(b64.data[0]!.embedding)).toEqual(f.map((v) => Math.fround(v)));
    const small = await client.embeddings.create({ model: "e", input: "hello", dimensions: 64 });
    expect(small.data[0]?.embedding).toHaveLength(64);
  });

  it("uses a custom embed function", async () => {
    const custom = await startMockOpenAI({ embed: (text) => [text.length, 0, 1] });
    try {
      const c = new OpenAI({ baseURL: custom.url, apiKey: "k" });
      const r = await c.embeddings.create({ model: "e", input: ["abcd", "ab"], encoding_format: "float" });
      expect(r.data.map((d) => d.embedding)).toEqual([
        [4, 0, 1],
        [2, 0, 1],
      ]);
    } finally {
      await custom.close();
    }
  });
});

describe("responses API", () => {
  it("answers plainly with output_text and usage", async () => {
    const r = await client.responses.create({
      model: "gpt-4o-mini",
      instructions: "Be brief.",
      input: [{ role: "user", content: [{ type: "input_text", text: QUESTION }] }],
    });
    expect(r.object).toBe("response");
    expect(r.status).toBe("completed");
    expect(r.output_text).toBe(answerTextFor(QUESTION));
    expect(r.usage?.output_tokens).toBe(Math.ceil(r.output_text.length / 4));
    expect(r.usage?.input_tokens).toBeGreaterThan(Math.ceil(QUESTION.length / 4));
    expect(server.count("responses")).toBe(1);
  });

  it("streams the typed events in order, with increasing sequence numbers", async () => {
    const stream = await client.responses.create({ model: "m", input: QUESTION, stream: true });
    const types: string[] = [];
    let text = "";
    let seq = -1;
    let usage: OpenAI.Responses.ResponseUsage | null | undefined;
    for await (const ev of stream) {
      types.push(ev.type);
      expect(ev.sequence_number).toBe(seq + 1);
      seq = ev.sequence_number;
      if (ev.type === "response.output_text.delta") text += ev.delta;
      if (ev.type === "response.completed") usage = ev.response.usage;
    }
    expect(text).toBe(answerTextFor(QUESTION));
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types.slice(-5)).toEqual([
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(usage?.output_tokens).toBe(Math.ceil(text.length / 4));
  });

  it("calls function tools, plain and streaming, and answers a function_call_output", async () => {
    const tools: OpenAI.Responses.Tool[] = [
      {
        type: "function",
        name: "lookup",
        strict: true,
        parameters: { type: "object", properties: { query: { type: "string" } }, required: ["query"] },
      },
    ];
    const r = await client.responses.create({ model: "m", input: "Who wrote Dune?", tools });
    const call = r.output.find((o) => o.type === "function_call");
    expect(call?.type === "function_call" && call.name).toBe("lookup");
    expect(call?.type === "function_call" && JSON.parse(call.arguments)).toEqual({ query: "who wrote dune" });

    const stream = await client.responses.create({
      model: "m",
      input: "Who wrote Dune?",
      tools,
      stream: true,
    });
    let args = "";
    let done: OpenAI.Responses.Response | undefined;
    for await (const ev of stream) {
      if (ev.type === "response.function_call_arguments.delta") args += ev.delta;
      if (ev.type === "response.completed") done = ev.response;
    }
    expect(JSON.parse(args)).toEqual({ query: "who wrote dune" });
    expect(done?.output[0]?.type).toBe("function_call");

    const followUp = await client.responses.create({
      model: "m",
      tools,
      input: [
        { role: "user", content: "Who wrote Dune?" },
        call as OpenAI.Responses.ResponseFunctionToolCall,
        { type: "function_call_output", call_id: (call as any).call_id, output: "Frank Herbert" },
      ],
    });
    expect(followUp.output_text).toContain("Frank Herbert");
    expect(followUp.output_text).toContain(`[ans:${answerIdFor("Who wrote Dune?")}]`);
  });

  it("follows text.format json_schema and reports max_output_tokens as incomplete", async () => {
    const r = await client.responses.create({
      model: "m",
      input: "List a colour",
      text: {
        format: {
          type: "json_schema",
          name: "c",
          schema: { type: "object", properties: { colour: { type: "string" } }, required: ["colour"] },
        },
      },
    });
    expect(JSON.parse(r.output_text)).toEqual({ colour: answerTextFor("List a colour") });

    const cut = await client.responses.create({ model: "m", input: QUESTION, max_output_tokens: 16 });
    expect(cut.status).toBe("incomplete");
    expect(cut.incomplete_details?.reason).toBe("max_output_tokens");
    expect(cut.output_text).toHaveLength(64);
  });
});

describe("errors, auth and recording", () => {
  it("fails the next request with the injected status in OpenAI's error format, then recovers", async () => {
    server.failNext(429);
    const err = await client.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "hi" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.code).toBe("rate_limit_exceeded");
    const ok = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(ok.choices[0]?.message.content).toContain("[ans:");
    expect(server.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("injects custom messages and bodies, several times, on any endpoint", async () => {
    server.failNext(500, "boom", 2);
    const e1 = await client.embeddings.create({ model: "e", input: "x" }).catch((e) => e);
    expect(e1).toBeInstanceOf(OpenAI.InternalServerError);
    expect(e1.message).toContain("boom");
    const e2 = await client.responses.create({ model: "m", input: "x", stream: true }).catch((e) => e);
    expect(e2.status).toBe(500);
    server.failNext(400, {
      error: { message: "bad thing", type: "invalid_request_error", param: "x", code: "c1" },
    });
    const e3 = await client.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(e3).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e3.param).toBe("x");
    expect(e3.code).toBe("c1");
  });

  it("reset clears recorded requests and pending failures", async () => {
    server.failNext(500);
    await expect(client.models.list()).rejects.toThrow(/500/);
    expect(server.count()).toBe(1);
    server.failNext(503);
    server.reset();
    expect(server.count()).toBe(0);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain("gpt-4o-mini");
    expect(server.count("models")).toBe(1);
    expect(server.count("chat")).toBe(0);
  });

  it("records endpoint, model, body, headers and stream flag", async () => {
    await client.chat.completions.create({ model: "gpt-x", messages: [{ role: "user", content: "hi" }] });
    await client.embeddings.create({ model: "emb-x", input: "hi" });
    const [chat, emb] = server.requests;
    expect(chat).toMatchObject({ endpoint: "chat", model: "gpt-x", stream: false, status: 200 });
    expect(chat?.body.messages).toEqual([{ role: "user", content: "hi" }]);
    expect(chat?.headers.authorization).toBe("Bearer sk-test");
    expect(emb).toMatchObject({ endpoint: "embeddings", model: "emb-x" });
    expect(server.count("embeddings")).toBe(1);
  });

  it("rejects unknown routes, bad JSON and missing fields like OpenAI does", async () => {
    const notFound = await fetch(`${server.url}/nope`, { method: "POST", body: "{}" });
    expect(notFound.status).toBe(404);
    expect((await notFound.json()).error.type).toBe("invalid_request_error");
    const badJson = await fetch(`${server.url}/chat/completions`, { method: "POST", body: "{" });
    expect(badJson.status).toBe(400);
    const noModel = await client.chat.completions
      .create({ messages: [{ role: "user", content: "x" }] } as any)
      .catch((e) => e);
    expect(noModel.status).toBe(400);
    expect(noModel.param).toBe("model");
  });

  it("requires the API key when one is configured", async () => {
    const secured = await startMockOpenAI({ apiKey: "sk-right" });
    try {
      const wrong = new OpenAI({ baseURL: secured.url, apiKey: "sk-wrong", maxRetries: 0 });
      const err = await wrong.models.list().catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(err.code).toBe("invalid_api_key");
      const right = new OpenAI({ baseURL: secured.url, apiKey: "sk-right" });
      const r = await right.chat.completions.create({
        model: "m",
        messages: [{ role: "user", content: "x" }],
      });
      expect(r.choices[0]?.message.content).toContain("[ans:");
    } finally {
      await secured.close();
    }
  });

  it("uses a custom answer function and turns its exceptions into 500s", async () => {
    const custom = await startMockOpenAI({
      answer: (req) => {
        if (req.messages.at(-1)?.content === "explode") throw new Error("nope");
        return {
          text: `${req.endpoint}:${req.model}:${req.messages.map((m) => m.role).join(",")}`,
          usage: { promptTokens: 7, completionTokens: 3 },
        };
      },
    });
    try {
      const c = new OpenAI({ baseURL: custom.url, apiKey: "k", maxRetries: 0 });
      const r = await c.responses.create({ model: "m1", instructions: "sys", input: "hi" });
      expect(r.output_text).toBe("responses:m1:system,user");
      expect(r.usage).toMatchObject({ input_tokens: 7, output_tokens: 3, total_tokens: 10 });
      const err = await c.chat.completions
        .create({ model: "m", messages: [{ role: "user", content: "explode" }] })
        .catch((e) => e);
      expect(err.status).toBe(500);
      expect(err.message).toContain("nope");
    } finally {
      await custom.close();
    }
  });
});

describe("stream cuts", () => {
  it("drops the next streamed answer after N pieces, then streams normally again", async () => {
    server.cutNextStream(3);
    const plain = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(plain.choices[0]?.finish_reason).toBe("stop"); // plain requests are not cut

    const stream = await client.chat.completions.create({
      model: "m",
      stream: true,
      messages: [{ role: "user", content: QUESTION }],
    });
    const pieces: string[] = [];
    const err = await (async () => {
      for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? "");
    })().catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(pieces.filter(Boolean)).toHaveLength(3);

    const again = await client.responses.create({ model: "m", input: QUESTION, stream: true });
    let text = "";
    for await (const ev of again) if (ev.type === "response.output_text.delta") text += ev.delta;
    expect(text).toBe(answerTextFor(QUESTION));
  });

  it("cuts Responses API streams too", async () => {
    server.cutNextStream(2);
    const stream = await client.responses.create({ model: "m", input: QUESTION, stream: true });
    const types: string[] = [];
    const err = await (async () => {
      for await (const ev of stream) types.push(ev.type);
    })().catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(types.filter((t) => t === "response.output_text.delta")).toHaveLength(2);
    expect(types).not.toContain("response.completed");
  });
});

describe("recording limits", () => {
  it("keeps only maxRecorded requests but counts all of them", async () => {
    const small = await startMockOpenAI({ maxRecorded: 2 });
    try {
      const c = new OpenAI({ baseURL: small.url, apiKey: "k" });
      for (const input of ["a", "b", "c"]) await c.embeddings.create({ model: "e", input });
      await c.models.list();
      expect(small.requests.map((r) => r.endpoint)).toEqual(["embeddings", "models"]);
      expect(small.requests[0]?.body.input).toBe("c");
      expect(small.count()).toBe(4);
      expect(small.count("embeddings")).toBe(3);
    } finally {
      await small.close();
    }
  });
});

describe("latency and pace", () => {
  it("waits latencyMs before answering, and tokensPerSecond between stream chunks", async () => {
    const slow = await startMockOpenAI({
      latencyMs: (req) => (req.model === "slow" ? 150 : 0),
      tokensPerSecond: 200,
    });
    try {
      const c = new OpenAI({ baseURL: slow.url, apiKey: "k" });
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: QUESTION }];
      let t0 = performance.now();
      await c.chat.completions.create({ model: "fast", messages, max_tokens: 2 });
      const fast = performance.now() - t0;

      t0 = performance.now();
      const stream = await c.chat.completions.create({ model: "slow", messages, stream: true });
      let firstAt = 0;
      let chunks = 0;
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content && !firstAt) firstAt = performance.now() - t0;
        chunks++;
      }
      const total = performance.now() - t0;
      expect(firstAt).toBeGreaterThanOrEqual(145);
      // ~45 content pieces at 200/s take at least ~200 ms after the first one.
      expect(chunks).toBeGreaterThan(40);
      expect(total - firstAt).toBeGreaterThanOrEqual(150);
      expect(fast).toBeLessThan(firstAt);
    } finally {
      await slow.close();
    }
  });

  it("closes promptly even with a stream in flight", async () => {
    const slow = await startMockOpenAI({ tokensPerSecond: 5 });
    const c = new OpenAI({ baseURL: slow.url, apiKey: "k", maxRetries: 0 });
    const stream = await c.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: QUESTION }],
      stream: true,
    });
    const consumed = (async () => {
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      return text;
    })().catch((e) => e);
    // In flight already: create() resolved on the stream's response headers.
    const t0 = performance.now();
    await slow.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    const outcome = await consumed;
    expect(outcome === answerTextFor(QUESTION)).toBe(false);
  });
});
