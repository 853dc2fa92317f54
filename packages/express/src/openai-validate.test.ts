import { describe, expect, it } from "vitest";
import type { ApiError } from "./errors.js";
import { validateChatBody, validateEmbeddingsBody } from "./openai-validate.js";

const errorOf = (validate: (body: unknown) => unknown, body: unknown): ApiError | undefined => {
  try {
    validate(body);
    return undefined;
  } catch (e) {
    return e as ApiError;
  }
};
const chatError = (body: unknown) => errorOf(validateChatBody, body);
const embeddingsError = (body: unknown) => errorOf(validateEmbeddingsBody, body);

const user = { role: "user", content: "Hi" };
const chat = (extra: Record<string, unknown> = {}, messages: unknown[] = [user]) => ({
  model: "gpt-4o-mini",
  messages,
  ...extra,
});
const assistant = (extra: Record<string, unknown>) => ({ role: "assistant", content: null, ...extra });
const call = { id: "c1", type: "function", function: { name: "f", arguments: "{}" } };

describe("validateChatBody", () => {
  it("accepts a full, valid body", () => {
    expect(
      chatError(
        chat(
          {
            temperature: 0.5,
            top_p: 1,
            n: 1,
            seed: 3,
            max_tokens: 10,
            max_completion_tokens: 10,
            stop: ["a"],
            stream: true,
            stream_options: { include_usage: true },
            tools: [
              { type: "function", function: { name: "f", parameters: { type: "object" }, strict: true } },
              { type: "custom", custom: { name: "g" } },
              { type: "web_search" },
            ],
            tool_choice: { type: "function", function: { name: "f" } },
            response_format: { type: "json_schema", json_schema: { name: "s", schema: {}, strict: null } },
            logit_bias: { "50256": -100 },
            metadata: { a: "1" },
            user: "u",
            reasoning_effort: "low",
            modalities: ["text"],
            some_future_field: { anything: [1, "x"] },
          },
          [
            { role: "system", content: "Be brief." },
            { role: "developer", content: [{ type: "text", text: "Really." }] },
            {
              role: "user",
              name: "ann",
              content: [
                { type: "text", text: "What?" },
                { type: "image_url", image_url: { url: "https://x/y.png", detail: "low" } },
                { type: "input_audio", input_audio: { data: "AAAA", format: "wav" } },
                { type: "file", file: { file_id: "file-1" } },
                { type: "future_part", future_part: { x: 1 } },
              ],
            },
            assistant({ tool_calls: [call], refusal: null }),
            { role: "tool", tool_call_id: "c1", content: "42" },
            { role: "assistant", content: [{ type: "refusal", refusal: "no" }] },
            { role: "function", name: "f", content: "1" },
          ],
        ),
      ),
    ).toBeUndefined();
  });

  // [body, the field the error names]
  const cases: Array<[string, unknown, string]> = [
    ["tool_calls: [null]", chat({}, [user, assistant({ tool_calls: [null] })]), "messages[1].tool_calls[0]"],
    ["tool_calls: {}", chat({}, [user, assistant({ tool_calls: {} })]), "messages[1].tool_calls"],
    [
      "a tool call without a function",
      chat({}, [user, assistant({ tool_calls: [{ id: "c1", type: "function" }] })]),
      "messages[1].tool_calls[0].function",
    ],
    [
      "arguments not a string",
      chat({}, [user, assistant({ tool_calls: [{ ...call, function: { name: "f", arguments: {} } }] })]),
      "messages[1].tool_calls[0].function.arguments",
    ],
    [
      "a tool call id not a string",
      chat({}, [user, assistant({ tool_calls: [{ ...call, id: 5 }] })]),
      "messages[1].tool_calls[0].id",
    ],
    ["tools: [{type: function}]", chat({ tools: [{ type: "function" }] }), "tools[0].function"],
    [
      "a tool without a name",
      chat({ tools: [{ type: "function", function: {} }] }),
      "tools[0].function.name",
    ],
    [
      "tool parameters not an object",
      chat({ tools: [{ type: "function", function: { name: "f", parameters: "x" } }] }),
      "tools[0].function.parameters",
    ],
    ["tools: {}", chat({ tools: {} }), "tools"],
    ["a tool not an object", chat({ tools: [7] }), "tools[0]"],
    [
      "image_url: 5",
      chat({}, [{ role: "user", content: [{ type: "image_url", image_url: 5 }] }]),
      "messages[0].content[0].image_url",
    ],
    [
      "an image without a url",
      chat({}, [{ role: "user", content: [{ type: "image_url", image_url: { url: 1 } }] }]),
      "messages[0].content[0].image_url.url",
    ],
    [
      "input_audio data missing",
      chat({}, [{ role: "user", content: [{ type: "input_audio", input_audio: { format: "wav" } }] }]),
      "messages[0].content[0].input_audio.data",
    ],
    [
      "a file without id or data",
      chat({}, [{ role: "user", content: [{ type: "file", file: {} }] }]),
      "messages[0].content[0].file.file_id",
    ],
    [
      "a part type not a string",
      chat({}, [{ role: "user", content: [{ type: 1 }] }]),
      "messages[0].content[0].type",
    ],
    ["a part that is null", chat({}, [{ role: "user", content: [null] }]), "messages[0].content[0]"],
    ["a message name not a string", chat({}, [{ ...user, name: 1 }]), "messages[0].name"],
    [
      "tool_call_id not a string",
      chat({}, [{ role: "tool", tool_call_id: 1, content: "x" }]),
      "messages[0].tool_call_id",
    ],
    ["refusal not a string", chat({}, [assistant({ refusal: 1 })]), "messages[0].refusal"],
    ["audio without an id", chat({}, [assistant({ audio: {} })]), "messages[0].audio.id"],
    ["tool_choice a number", chat({ tool_choice: 1 }), "tool_choice"],
    [
      "tool_choice naming no function",
      chat({ tool_choice: { type: "function", function: {} } }),
      "tool_choice.function.name",
    ],
    ["response_format without a type", chat({ response_format: {} }), "response_format.type"],
    [
      "a json_schema without a name",
      chat({ response_format: { type: "json_schema", json_schema: { schema: {} } } }),
      "response_format.json_schema.name",
    ],
    ["stop: [1]", chat({ stop: [1] }), "stop"],
    ["n: 1.5", chat({ n: 1.5 }), "n"],
    ["seed a string", chat({ seed: "1" }), "seed"],
    ["top_p an array", chat({ top_p: [1] }), "top_p"],
    ["max_completion_tokens a string", chat({ max_completion_tokens: "9" }), "max_completion_tokens"],
    ["stream_options an array", chat({ stream_options: [] }), "stream_options"],
    [
      "include_usage a string",
      chat({ stream_options: { include_usage: "yes" } }),
      "stream_options.include_usage",
    ],
    ["logit_bias values", chat({ logit_bias: { "1": "x" } }), 'logit_bias["1"]'],
    ["user an object", chat({ user: {} }), "user"],
    ["metadata a string", chat({ metadata: "x" }), "metadata"],
    ["reasoning_effort a number", chat({ reasoning_effort: 1 }), "reasoning_effort"],
    ["a deep extra field", chat({ x: JSON.parse(`${"[".repeat(20_000)}${"]".repeat(20_000)}`) }), "x[0]"],
  ];
  for (const [name, body, param] of cases) {
    it(`refuses ${name}, naming ${param}`, () => {
      const err = chatError(body);
      expect(err).toMatchObject({ status: 400, type: "invalid_request_error" });
      expect(err!.param!.startsWith(param)).toBe(true);
      expect(err!.message).toContain(`'${err!.param}'`);
      expect(err!.toJSON().error).toMatchObject({ type: "invalid_request_error", param: err!.param });
    });
  }
});

describe("validateEmbeddingsBody", () => {
  const model = "text-embedding-3-small";
  it("accepts strings, a token array and token arrays", () => {
    for (const input of ["a", ["a", "b"], [1, 2], [[1], [2, 3]]]) {
      expect(embeddingsError({ model, input, dimensions: null, encoding_format: null })).toBeUndefined();
    }
  });

  const cases: Array<[unknown, string]> = [
    [{ model }, "input"],
    [{ model, input: 5 }, "input"],
    [{ model, input: [] }, "input"],
    [{ model, input: [{}] }, "input[0]"],
    [{ model, input: ["a", 1] }, "input[1]"],
    [{ model, input: [1, 1.5] }, "input[1]"],
    [{ model, input: [[1], []] }, "input[1]"],
    [{ model, input: [[1], [1, "x"]] }, "input[1][1]"],
    [{ model, input: [[1], 2] }, "input[1]"],
    [{ model: 1, input: "a" }, "model"],
    [{ model, input: "a", dimensions: 0 }, "dimensions"],
    [{ model, input: "a", encoding_format: "hex" }, "encoding_format"],
    [{ model, input: "a", user: 1 }, "user"],
  ];
  for (const [body, param] of cases) {
    it(`refuses ${JSON.stringify(body)}, naming ${param}`, () => {
      const err = embeddingsError(body);
      expect(err).toMatchObject({ status: 400, param });
      expect(err!.message).toContain(`'${param}'`);
    });
  }
});
