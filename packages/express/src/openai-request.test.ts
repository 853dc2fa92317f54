import { canonicalJson, requestKeys } from "@recall/core/adapter";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ApiError } from "./errors.js";
import { chatCallFromBody, openAIChatRequest } from "./openai-request.js";

const keyOf = (body: unknown) =>
  requestKeys(chatCallFromBody(body).request, { prefix: "t", namespace: "n" }).key;
const base = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] };

describe("chatCallFromBody", () => {
  it("maps the parameters that change the answer", () => {
    const call = chatCallFromBody({
      ...base,
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 100,
      stop: "END",
      seed: 7,
      presence_penalty: 0.1,
      frequency_penalty: 0.3,
      reasoning_effort: "low",
      logit_bias: { "50256": -100 },
      tools: [
        {
          type: "function",
          function: { name: "f", description: "d", parameters: { type: "object" }, strict: true },
        },
      ],
      tool_choice: { type: "function", function: { name: "f" } },
      response_format: {
        type: "json_schema",
        json_schema: { name: "s", schema: { type: "object" }, strict: true },
      },
    });
    expect(call.request.model).toEqual({ provider: "openai", id: "gpt-4o-mini" });
    expect(call.request.params).toMatchObject({
      temperature: 0.2,
      topP: 0.9,
      maxOutputTokens: 100,
      stopSequences: ["END"],
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.3,
      reasoning: "low",
      tools: [{ name: "f", description: "d", inputSchema: { type: "object" }, args: { strict: true } }],
      toolChoice: { type: "tool", toolName: "f" },
      responseFormat: { type: "json", name: "s", schema: { type: "object" } },
      extra: { logit_bias: { "50256": -100 }, json_schema_strict: true },
    });
  });

  it("keys ignore user, metadata, store, stream options and n=1, and notice everything else", () => {
    const k = keyOf(base);
    expect(keyOf({ ...base, user: "u", metadata: { x: "1" }, store: true, n: 1, service_tier: "flex" })).toBe(
      k,
    );
    expect(keyOf({ ...base, stream: true, stream_options: { include_usage: true } })).toBe(k);
    expect(keyOf({ ...base, temperature: 0 })).not.toBe(k);
    expect(keyOf({ ...base, some_new_param: true })).not.toBe(k);
    expect(keyOf({ ...base, messages: [{ role: "user", content: "Hello", name: "ann" }] })).not.toBe(k);
    expect(keyOf({ ...base, max_tokens: 10 })).toBe(keyOf({ ...base, max_completion_tokens: 10 }));
  });

  it("keys an inline file by its bytes (core's fileDigest), a URL as itself", () => {
    const pdf = Buffer.from("%PDF-1.7 a small document");
    const b64 = pdf.toString("base64");
    const withPart = (part: unknown) => ({ ...base, messages: [{ role: "user", content: [part] }] });
    const file = (file_data: string) => withPart({ type: "file", file: { file_data, filename: "a.pdf" } });
    // The same file as a data URL, as base64, or line-wrapped base64: one key.
    const k = keyOf(file(`data:application/pdf;base64,${b64}`));
    expect(keyOf(file(b64))).toBe(k);
    expect(keyOf(file(b64.replace(/.{1,8}/g, "$&\n")))).toBe(k);
    expect(keyOf(file(Buffer.from("%PDF-1.7 another document").toString("base64")))).not.toBe(k);
    // Short inline data is hashed too, not kept as it is.
    const audio = chatCallFromBody(
      withPart({ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }),
    );
    expect(canonicalJson(audio.request)).not.toContain('"AAAA"');
    const image = (url: string) => withPart({ type: "image_url", image_url: { url } });
    expect(canonicalJson(chatCallFromBody(image("https://x.test/cat.png")).request)).toContain(
      '"https://x.test/cat.png"',
    );
    // An image in a system message (a compatible provider may take one) is keyed the same way.
    const system = (url: string) => ({
      ...base,
      messages: [{ role: "system", content: [{ type: "image_url", image_url: { url } }] }, ...base.messages],
    });
    const a = `data:image/png;base64,${Buffer.from("png one").toString("base64")}`;
    const b = `data:image/png;base64,${Buffer.from("png two").toString("base64")}`;
    expect(keyOf(system(a))).not.toBe(keyOf(system(b)));
    expect(canonicalJson(chatCallFromBody(system(a)).request)).not.toContain(a);
  });

  it("translates text parts, images, tool calls and tool results", () => {
    const call = chatCallFromBody({
      model: "gpt-4o",
      messages: [
        { role: "developer", content: [{ type: "text", text: "Be brief." }] },
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            {
              type: "image_url",
              image_url: { url: `data:image/png;base64,${"A".repeat(400)}`, detail: "low" },
            },
          ],
        },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "look", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c1", content: "a cat" },
      ],
    });
    const [system, user, assistant, tool] = call.request.messages!;
    expect(system).toEqual({ role: "system", content: "Be brief." });
    expect(user!.content).toEqual([
      { type: "text", text: "What is this?" },
      { type: "file", mediaType: "image/*;detail=low", data: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) },
    ]);
    expect(assistant!.content).toEqual([
      { type: "tool-call", toolCallId: "c1", toolName: "look", input: "{}" },
    ]);
    expect(tool!.content).toEqual([
      { type: "tool-result", toolCallId: "c1", toolName: "look", output: "a cat" },
    ]);
  });

  it("flags what cannot be cached and reads the stream options", () => {
    expect(chatCallFromBody({ ...base, n: 3 }).uncacheable).toBe("n > 1");
    expect(chatCallFromBody({ ...base, audio: { voice: "alloy", format: "mp3" } }).uncacheable).toBe(
      "audio output",
    );
    const s = chatCallFromBody({ ...base, stream: true, stream_options: { include_usage: true } });
    expect(s).toMatchObject({ stream: true, includeUsage: true });
    expect(openAIChatRequest({ ...base, stream: true })).toBeUndefined();
    expect(openAIChatRequest({ nope: 1 })).toBeUndefined();
    expect(openAIChatRequest(base)?.messages).toEqual([{ role: "user", content: "Hello" }]);
  });

  it("throws an ApiError naming the bad field", () => {
    const err = (body: unknown) => {
      try {
        chatCallFromBody(body);
      } catch (e) {
        return e as ApiError;
      }
      throw new Error("no error");
    };
    expect(err(undefined)).toMatchObject({ status: 400, code: "missing_body" });
    expect(err({ ...base, messages: [{ role: "tool", content: "x" }] })).toMatchObject({
      param: "messages[0].tool_call_id",
    });
    expect(err({ ...base, stop: [1] })).toMatchObject({ param: "stop" });
    expect(
      err({ ...base, messages: [{ role: "user", content: [{ type: "text", text: 5 }] }] }),
    ).toMatchObject({
      param: "messages[0].content[0].text",
    });
    expect(err({ ...base, max_tokens: 1.5 }).message).toMatch(/expected an integer/);
  });
});

/** Names that collide with `Object.prototype`'s members (and so with `obj[name] = v` on `{}`). */
const ODD_NAMES = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"];
/** Body fields that never enter the key, or must have a type of their own. */
const KNOWN = new Set([
  ...["model", "messages", "stream", "stream_options", "user", "metadata", "store", "service_tier", "n"],
  ...["safety_identifier", "prompt_cache_key", "prompt_cache_retention", "temperature", "top_p", "seed"],
  ...["max_tokens", "max_completion_tokens", "stop", "presence_penalty", "frequency_penalty", "tools"],
  ...["tool_choice", "response_format", "reasoning_effort", "logit_bias", "audio", "prediction", "logprobs"],
  ...["top_logprobs", "parallel_tool_calls", "modalities", "verbosity", "web_search_options", "functions"],
  ...["function_call"],
]);
const fieldName = fc.oneof(
  fc.constantFrom(...ODD_NAMES, "message_names", "json_schema_strict", "$message_names"),
  fc.string({ maxLength: 8 }).filter((s) => !KNOWN.has(s)),
);
/** A JSON value other than null (null is an absent field). */
const value = fc.jsonValue({ maxDepth: 2 }).filter((v) => v !== null);

/** A body as the proxy gets it: parsed from JSON text, so `__proto__` is an own member. */
const parsed = (body: unknown) => JSON.parse(JSON.stringify(body));
/** An object with one member named `name`, defined as an own property whatever the name. */
const withMember = (name: string, v: unknown) =>
  parsed(Object.defineProperty({}, name, { value: v, enumerable: true }));

describe("keys of bodies with names that collide with Object.prototype", () => {
  it("a `__proto__` body field enters the key like any other", () => {
    const body = JSON.parse(
      `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}],"__proto__":{"x":1}}`,
    );
    expect(Object.keys(body)).toContain("__proto__");
    expect(keyOf(body)).not.toBe(keyOf(base));
    const other = JSON.parse(
      `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}],"__proto__":{"x":2}}`,
    );
    expect(keyOf(body)).not.toBe(keyOf(other));
    const primitive = JSON.parse(
      `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}],"__proto__":1}`,
    );
    expect(keyOf(primitive)).not.toBe(keyOf(base));
  });

  it("a body field named like a derived entry does not pass for it", () => {
    const named = { ...base, messages: [{ role: "user", content: "Hello", name: "ann" }] };
    expect(keyOf({ ...base, message_names: { "0": "ann" } })).not.toBe(keyOf(named));
    expect(keyOf({ ...base, $message_names: 1 })).not.toBe(keyOf({ ...base, $$message_names: 1 }));
  });

  it("two bodies that differ only in one field (any name, at any level) get different keys", () => {
    fc.assert(
      fc.property(fieldName, value, value, (name, a, b) => {
        fc.pre(canonicalJson(a) !== canonicalJson(b));
        const top = (v?: unknown) => ({ ...base, ...(v === undefined ? {} : withMember(name, v)) });
        expect(keyOf(top(a))).not.toBe(keyOf(top(b)));
        expect(keyOf(top(a))).not.toBe(keyOf(top()));
        // Inside a tool's schema, a response format's schema and an unknown field's value.
        const schema = (v: unknown) => ({ type: "object", properties: withMember(name, v) });
        const tool = (v: unknown) =>
          parsed({ ...base, tools: [{ type: "function", function: { name: "f", parameters: schema(v) } }] });
        expect(keyOf(tool(a))).not.toBe(keyOf(tool(b)));
        const format = (v: unknown) =>
          parsed({
            ...base,
            response_format: { type: "json_schema", json_schema: { name: "s", schema: schema(v) } },
          });
        expect(keyOf(format(a))).not.toBe(keyOf(format(b)));
        const nested = (v: unknown) => parsed({ ...base, x_options: withMember(name, v) });
        expect(keyOf(nested(a))).not.toBe(keyOf(nested(b)));
        // A tool call's input and a tool's name.
        const called = (v: unknown) =>
          parsed({
            ...base,
            messages: [
              ...base.messages,
              {
                role: "assistant",
                content: null,
                tool_calls: [
                  { id: name, type: "function", function: { name, arguments: JSON.stringify(v) } },
                ],
              },
            ],
          });
        expect(keyOf(called(a))).not.toBe(keyOf(called(b)));
      }),
      { numRuns: 200 },
    );
  });

  it("keeps a namespace named like an Object.prototype member apart from the others", () => {
    const request = chatCallFromBody(base).request;
    const keys = [...ODD_NAMES, "default"].map(
      (namespace) => requestKeys(request, { prefix: "t", namespace }).key,
    );
    expect(new Set(keys).size).toBe(keys.length);
  });
});
