import fc from "fast-check";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type ProxyFixture, proxyFixture } from "../test/helpers.js";

/**
 * Property tests of the proxy's input handling: malformed OpenAI bodies (every field, wrong types,
 * nulls, arrays for objects, nesting up to 20,000 deep, long arrays) always get a 400 that names the
 * bad field and never reach the upstream; valid bodies still work; nothing ever gets a 5xx.
 */

let fx: ProxyFixture;
let server: { url: string; close(): Promise<void> };
beforeAll(async () => {
  fx = await proxyFixture();
  server = await listen(fx.app);
});
afterAll(async () => {
  await server?.close();
  await fx?.close();
});

type Json = Record<string, unknown>;

/**
 * A placeholder for a value nested `depth` levels deep: bodies are serialized by hand around it,
 * since neither `JSON.stringify` nor fast-check could build 20,000 levels without recursion.
 */
const deep = (depth: number, kind: "a" | "o") => `\u0001deep:${depth}:${kind}`;
const DEEP = /"\\u0001deep:(\d+):([ao])"/g;

function serialize(body: unknown): string {
  return JSON.stringify(body).replace(DEEP, (_, n: string, kind: string) => {
    const depth = Number(n);
    return kind === "a"
      ? `${"[".repeat(depth)}${"]".repeat(depth)}`
      : `${'{"k":'.repeat(depth)}0${"}".repeat(depth)}`;
  });
}

async function post(path: string, body: unknown) {
  return request(server.url)
    .post(`/v1${path}`)
    .set("Authorization", "Bearer sk-client")
    .set("Content-Type", "application/json")
    .send(serialize(body));
}

/** Codes of errors about the body as a whole, which name no field (OpenAI's `param: null`). */
const WHOLE_BODY = new Set(["invalid_body", "missing_body", "invalid_json"]);

/** A 4xx in OpenAI's shape that names a field (its `param`, quoted in the message). */
function expectNamedError(r: request.Response): void {
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
  const error = r.body?.error;
  expect(error).toMatchObject({ type: "invalid_request_error", message: expect.any(String) });
  expect(Object.keys(error).sort()).toEqual(["code", "message", "param", "type"]);
  if (error.param === null) {
    expect(WHOLE_BODY.has(error.code)).toBe(true);
    return;
  }
  expect(typeof error.param).toBe("string");
  expect(error.param.length).toBeGreaterThan(0);
  expect(error.message).toContain(`'${error.param}'`);
}

// ---------------------------------------------------------------------------------------------
// Values

/** Field names that collide with `Object.prototype`, and others. */
const oddName = fc.constantFrom(
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
);
const text = fc.string({ maxLength: 20 });
const json = fc.jsonValue({ maxDepth: 3 });
const deepValue = fc
  .tuple(
    fc.oneof(fc.integer({ min: 65, max: 200 }), fc.constantFrom(1_000, 20_000)),
    fc.constantFrom("a", "o"),
  )
  .map(([depth, kind]) => deep(depth, kind as "a" | "o"));

const notNumber = fc.oneof(
  text,
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
const notInteger = fc.oneof(notNumber, fc.constantFrom(1.5, -0.25, 1e-9));
const notBoolean = fc.oneof(
  text,
  fc.integer(),
  fc.array(fc.boolean(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
const notString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.array(text, { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
const notObject = fc.oneof(text, fc.integer(), fc.boolean(), fc.array(json, { maxLength: 2 }));
const notArray = fc.oneof(text, fc.integer(), fc.boolean(), fc.object({ maxDepth: 1 }));
/** A value that is not a (non-null) object: what an element or a message may never be. */
const notObjectOrNull = fc.oneof(notObject, fc.constant(null));

// ---------------------------------------------------------------------------------------------
// Valid chat bodies

const textPart = text.map((t) => ({ type: "text", text: t }));
const userPart = fc.oneof(
  textPart,
  fc
    .record({ url: fc.webUrl(), detail: fc.constantFrom("low", "high", "auto") }, { requiredKeys: ["url"] })
    .map((image_url) => ({ type: "image_url", image_url })),
  fc
    .record({ data: fc.base64String({ maxLength: 40 }), format: fc.constantFrom("wav", "mp3") })
    .map((input_audio) => ({ type: "input_audio", input_audio })),
  fc
    .oneof(
      fc.record({ file_id: text }),
      fc.record(
        { file_data: fc.base64String({ maxLength: 40 }), filename: text },
        { requiredKeys: ["file_data"] },
      ),
    )
    .map((file) => ({ type: "file", file })),
);
const toolCall = fc.record({
  id: text,
  type: fc.constant("function"),
  function: fc.record({ name: text, arguments: text }),
});
const message = fc.oneof(
  fc.record({
    role: fc.constantFrom("system", "developer"),
    content: fc.oneof(text, fc.array(textPart, { minLength: 1, maxLength: 2 })),
  }),
  fc.record(
    {
      role: fc.constant("user"),
      content: fc.oneof(text, fc.array(userPart, { minLength: 1, maxLength: 3 })),
      name: text,
    },
    { requiredKeys: ["role", "content"] },
  ),
  fc.record(
    {
      role: fc.constant("assistant"),
      content: fc.oneof(text, fc.constant(null)),
      tool_calls: fc.array(toolCall, { minLength: 1, maxLength: 2 }),
      refusal: fc.constant(null),
    },
    { requiredKeys: ["role", "content", "tool_calls"] },
  ),
  fc.record({ role: fc.constant("assistant"), content: text }),
  fc.record({ role: fc.constant("tool"), tool_call_id: text, content: text }),
);
const functionTool = fc.record({
  type: fc.constant("function"),
  function: fc.record(
    {
      name: text,
      description: text,
      parameters: fc.constant({ type: "object", properties: { a: { type: "string" } } }),
      strict: fc.boolean(),
    },
    { requiredKeys: ["name"] },
  ),
});
/** Optional fields with valid values, a few unknown ones (odd names among them), nulls for some. */
const chatFields = fc.record(
  {
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    top_p: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(null)),
    presence_penalty: fc.double({ min: -2, max: 2, noNaN: true }),
    max_tokens: fc.integer({ min: 1, max: 4096 }),
    max_completion_tokens: fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.constant(null)),
    n: fc.constantFrom(1, 2),
    seed: fc.integer(),
    stop: fc.oneof(text, fc.array(text, { maxLength: 3 }), fc.constant(null)),
    stream: fc.boolean(),
    stream_options: fc.record({ include_usage: fc.boolean() }),
    tools: fc.array(functionTool, { minLength: 1, maxLength: 2 }),
    tool_choice: fc.constantFrom("auto", "none"),
    response_format: fc.constantFrom(
      { type: "text" },
      { type: "json_object" },
      { type: "json_schema", json_schema: { name: "s", schema: { type: "object" }, strict: true } },
    ),
    logit_bias: fc.dictionary(
      fc.integer({ min: 0, max: 99_999 }).map(String),
      fc.integer({ min: -100, max: 100 }),
    ),
    user: text,
    metadata: fc.dictionary(text, text, { maxKeys: 2 }),
    reasoning_effort: fc.constantFrom("low", "medium", "high"),
    store: fc.boolean(),
  },
  { requiredKeys: [] },
);
/** Fields OpenAI may add later: passed through, and keyed. */
const unknownFields = fc.dictionary(
  fc.oneof(
    oddName,
    text.map((s) => `x_${s}`),
  ),
  json,
  { maxKeys: 2 },
);
const validChat = fc
  .tuple(
    fc.constantFrom("gpt-4o-mini", "gpt-4.1"),
    fc.array(message, { minLength: 0, maxLength: 3 }),
    fc.oneof({ weight: 9, arbitrary: text }, { weight: 1, arbitrary: fc.constant("x".repeat(300_000)) }),
    chatFields,
    unknownFields,
  )
  .map(([model, earlier, question, fields, unknown]) => {
    const body: Json = { ...unknown, model, messages: [...earlier, { role: "user", content: question }] };
    for (const [name, value] of Object.entries(fields)) body[name] = value;
    return body;
  });

// ---------------------------------------------------------------------------------------------
// Malformed chat bodies: a valid body with one thing broken, and the path the error must name

interface Broken {
  body: Json;
  /** The error's `param` starts with this. */
  path: string;
}

const FIELD_WRONG: Record<string, fc.Arbitrary<unknown>> = {
  model: notString,
  messages: notArray,
  temperature: notNumber,
  top_p: notNumber,
  presence_penalty: notNumber,
  frequency_penalty: notNumber,
  max_tokens: notInteger,
  max_completion_tokens: notInteger,
  n: notInteger,
  seed: notInteger,
  top_logprobs: notInteger,
  stream: notBoolean,
  store: notBoolean,
  logprobs: notBoolean,
  parallel_tool_calls: notBoolean,
  stream_options: notObject,
  response_format: notObject,
  logit_bias: notObject,
  metadata: notObject,
  audio: notObject,
  prediction: notObject,
  tools: notArray,
  functions: notArray,
  stop: fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.object({ maxDepth: 1 }),
    fc.constant([1]),
    fc.constant(["a", null]),
  ),
  tool_choice: fc.oneof(fc.integer(), fc.boolean(), fc.array(text, { maxLength: 2 })),
  function_call: fc.oneof(fc.integer(), fc.boolean(), fc.array(text, { maxLength: 2 })),
  user: notString,
  service_tier: notString,
  reasoning_effort: notString,
  verbosity: notString,
  prompt_cache_key: notString,
  safety_identifier: notString,
  modalities: fc.oneof(text, fc.integer(), fc.constant([1]), fc.object({ maxDepth: 1 })),
};

const wrongMessage = fc.oneof(
  notObjectOrNull,
  fc.record({ content: text }),
  fc.record({ role: fc.oneof(notString, fc.constantFrom("robot", "")), content: text }),
  fc.record({
    role: fc.constantFrom("user", "system", "tool"),
    content: fc.oneof(fc.integer(), fc.boolean(), fc.object()),
  }),
  fc.record({ role: fc.constantFrom("user", "system", "developer") }),
  fc.record({ role: fc.constant("user"), content: text, name: notString }),
  fc.record({ role: fc.constant("tool"), content: text }),
  fc.record({ role: fc.constant("tool"), content: text, tool_call_id: notString }),
  fc.record({ role: fc.constant("function"), content: text }),
  fc.record({ role: fc.constant("assistant"), content: fc.constant(null) }),
);

const wrongPart = fc.oneof(
  notObjectOrNull,
  fc.record({ text }),
  fc.record({ type: notString }),
  fc.record({ type: fc.constant("text"), text: notString }),
  fc.record({ type: fc.constant("text") }),
  fc.record({ type: fc.constant("image_url"), image_url: notObjectOrNull }),
  fc.record({ type: fc.constant("image_url") }),
  fc.record({ type: fc.constant("image_url"), image_url: fc.record({ url: notString }) }),
  fc.record({
    type: fc.constant("image_url"),
    image_url: fc.record({ url: fc.webUrl(), detail: notString }),
  }),
  fc.record({ type: fc.constant("input_audio"), input_audio: notObjectOrNull }),
  fc.record({ type: fc.constant("input_audio"), input_audio: fc.record({ data: notString, format: text }) }),
  fc.record({ type: fc.constant("input_audio"), input_audio: fc.record({ data: text }) }),
  fc.record({ type: fc.constant("file"), file: notObjectOrNull }),
  fc.record({ type: fc.constant("file"), file: fc.constant({}) }),
  fc.record({ type: fc.constant("file"), file: fc.record({ file_id: notString }) }),
  fc.record({ type: fc.constant("file"), file: fc.record({ file_data: text, filename: notString }) }),
  fc.record({ type: fc.constant("refusal"), refusal: notString }),
);

const wrongToolCall = fc.oneof(
  notObjectOrNull,
  fc.record({ type: fc.constant("function"), function: fc.record({ name: text, arguments: text }) }),
  fc.record({
    id: notString,
    type: fc.constant("function"),
    function: fc.record({ name: text, arguments: text }),
  }),
  fc.record({ id: text, type: fc.constant("function") }),
  fc.record({ id: text, type: fc.constant("function"), function: notObjectOrNull }),
  fc.record({ id: text, type: notString, function: fc.record({ name: text, arguments: text }) }),
  fc.record({ id: text, function: fc.record({ name: notString, arguments: text }) }),
  fc.record({ id: text, function: fc.record({ name: text, arguments: notString }) }),
  fc.record({ id: text, function: fc.record({ name: text }) }),
  fc.record({ id: text, type: fc.constant("custom"), custom: notObjectOrNull }),
);

const wrongTool = fc.oneof(
  notObjectOrNull,
  fc.constant({}),
  fc.record({ type: notString }),
  fc.constant({ type: "function" }),
  fc.record({ type: fc.constant("function"), function: notObjectOrNull }),
  fc.record({ type: fc.constant("function"), function: fc.record({ name: notString }) }),
  fc.record({ type: fc.constant("function"), function: fc.record({ name: text, parameters: notObject }) }),
  fc.record({ type: fc.constant("function"), function: fc.record({ name: text, description: notString }) }),
  fc.record({ type: fc.constant("function"), function: fc.record({ name: text, strict: notBoolean }) }),
  fc.constant({ type: "custom" }),
  fc.record({ type: fc.constant("custom"), custom: fc.record({ name: notString }) }),
);

const wrongToolChoice = fc.oneof(
  fc.constant({}),
  fc.record({ type: notString }),
  fc.constant({ type: "function" }),
  fc.record({ type: fc.constant("function"), function: notObjectOrNull }),
  fc.record({ type: fc.constant("function"), function: fc.record({ name: notString }) }),
  fc.constant({ type: "allowed_tools", allowed_tools: {} }),
);

const wrongResponseFormat = fc.oneof(
  fc.constant({}),
  fc.record({ type: notString }),
  fc.constant({ type: "json_schema" }),
  fc.record({ type: fc.constant("json_schema"), json_schema: notObjectOrNull }),
  fc.record({ type: fc.constant("json_schema"), json_schema: fc.record({ name: notString }) }),
  fc.record({ type: fc.constant("json_schema"), json_schema: fc.record({ name: text, schema: notObject }) }),
  fc.record({ type: fc.constant("json_schema"), json_schema: fc.record({ name: text, strict: notBoolean }) }),
);

/** Where a too-deep value may be put, and how. */
const DEEP_SITES: Array<[string, (value: unknown) => Json]> = [
  ["extra_field", (v) => ({ extra_field: v })],
  ["temperature", (v) => ({ temperature: v })],
  ["messages", (v) => ({ messages: v })],
  [
    "tools[0].function.parameters",
    (v) => ({ tools: [{ type: "function", function: { name: "f", parameters: v } }] }),
  ],
  [
    "response_format.json_schema.schema",
    (v) => ({ response_format: { type: "json_schema", json_schema: { name: "s", schema: v } } }),
  ],
  ["metadata.k", (v) => ({ metadata: { k: v } })],
];

const brokenChat: fc.Arbitrary<Broken> = fc.oneof(
  // A known field with a wrong type.
  fc
    .constantFrom(...Object.keys(FIELD_WRONG))
    .chain((name) => fc.tuple(validChat, fc.constant(name), FIELD_WRONG[name]!))
    .map(([body, name, value]) => ({ body: { ...body, [name]: value }, path: name })),
  // A required field missing.
  fc.tuple(validChat, fc.constantFrom("model", "messages")).map(([body, name]) => {
    const { [name]: _, ...rest } = body;
    return { body: rest, path: name };
  }),
  // A malformed message appended.
  fc.tuple(validChat, wrongMessage).map(([body, m]) => {
    const messages = [...(body.messages as unknown[]), m];
    return { body: { ...body, messages }, path: `messages[${messages.length - 1}]` };
  }),
  // A malformed content part in a user message.
  fc.tuple(validChat, fc.array(userPart, { maxLength: 2 }), wrongPart).map(([body, good, bad]) => {
    const messages = [...(body.messages as unknown[]), { role: "user", content: [...good, bad] }];
    return { body: { ...body, messages }, path: `messages[${messages.length - 1}].content[${good.length}]` };
  }),
  // Malformed tool calls in an assistant message.
  fc
    .tuple(validChat, fc.oneof(notArray, fc.array(wrongToolCall, { minLength: 1, maxLength: 1 })))
    .map(([body, calls]) => {
      const messages = [
        ...(body.messages as unknown[]),
        { role: "assistant", content: null, tool_calls: calls },
      ];
      return { body: { ...body, messages }, path: `messages[${messages.length - 1}].tool_calls` };
    }),
  // A malformed tool, tool choice or response format.
  fc.tuple(validChat, fc.array(functionTool, { maxLength: 1 }), wrongTool).map(([body, good, bad]) => ({
    body: { ...body, tools: [...good, bad] },
    path: `tools[${good.length}]`,
  })),
  fc
    .tuple(validChat, wrongToolChoice)
    .map(([body, c]) => ({ body: { ...body, tool_choice: c }, path: "tool_choice" })),
  fc
    .tuple(validChat, wrongResponseFormat)
    .map(([body, f]) => ({ body: { ...body, response_format: f }, path: "response_format" })),
  fc.tuple(validChat, notBoolean).map(([body, v]) => ({
    body: { ...body, stream_options: { include_usage: v } },
    path: "stream_options.include_usage",
  })),
  fc.tuple(validChat, text, notNumber).map(([body, token, v]) => ({
    body: { ...body, logit_bias: { [token]: v } },
    path: "logit_bias",
  })),
  // Nested too deeply, anywhere (up to 20,000 levels).
  fc
    .tuple(validChat, fc.constantFrom(...DEEP_SITES), deepValue)
    .map(([body, [path, put], value]) => ({ body: { ...body, ...put(value) }, path })),
  // An array longer than the bound.
  fc.tuple(validChat, fc.constantFrom("stop", "messages", "extra_field")).map(([body, name]) => ({
    body: { ...body, [name]: Array.from({ length: 100_001 }, () => 0) },
    path: name,
  })),
);

// ---------------------------------------------------------------------------------------------
// Embeddings

const tokens = fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 8 });
const validEmbeddings = fc.record(
  {
    model: fc.constantFrom("text-embedding-3-small", "text-embedding-3-large"),
    input: fc.oneof(
      text,
      fc.array(text, { minLength: 1, maxLength: 4 }),
      tokens,
      fc.array(tokens, { minLength: 1, maxLength: 3 }),
    ),
    dimensions: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constant(null)),
    encoding_format: fc.constantFrom("float", "base64", null),
    user: text,
  },
  { requiredKeys: ["model", "input"] },
);

const wrongInput = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.object({ maxDepth: 1 }),
  fc.constant([]),
  fc.array(
    notObjectOrNull.filter((v) => typeof v !== "string" && typeof v !== "number" && !Array.isArray(v)),
    {
      minLength: 1,
      maxLength: 2,
    },
  ),
  fc.tuple(text, fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([1]))),
  fc.tuple(fc.integer(), fc.oneof(text, fc.constant(1.5), fc.constant(null), fc.constant([1]))),
  fc.tuple(tokens, fc.oneof(fc.constant([]), fc.constant([1, "x"]), fc.integer(), text)),
  deepValue,
  fc.constant(Array.from({ length: 100_001 }, () => "a")),
);

const brokenEmbeddings: fc.Arbitrary<Broken> = fc.oneof(
  fc.tuple(validEmbeddings, wrongInput).map(([body, input]) => ({ body: { ...body, input }, path: "input" })),
  fc.tuple(validEmbeddings, fc.constantFrom("model", "input")).map(([body, name]) => {
    const { [name]: _, ...rest } = body as Json;
    return { body: rest, path: name };
  }),
  fc.tuple(validEmbeddings, notString).map(([body, model]) => ({ body: { ...body, model }, path: "model" })),
  fc
    .tuple(validEmbeddings, fc.oneof(notInteger, fc.constantFrom(0, -1, -64)))
    .map(([body, dimensions]) => ({ body: { ...body, dimensions }, path: "dimensions" })),
  fc
    .tuple(
      validEmbeddings,
      fc.oneof(fc.integer(), fc.boolean(), fc.constantFrom("hex", "", "FLOAT"), fc.object()),
    )
    .map(([body, encoding_format]) => ({ body: { ...body, encoding_format }, path: "encoding_format" })),
  fc.tuple(validEmbeddings, notString).map(([body, user]) => ({ body: { ...body, user }, path: "user" })),
  fc
    .tuple(validEmbeddings, deepValue)
    .map(([body, v]) => ({ body: { ...body, extra_field: v }, path: "extra_field" })),
);

// ---------------------------------------------------------------------------------------------

const CHAT_FIELDS = [...Object.keys(FIELD_WRONG), "tool_choice", "n"];
/** Any value: JSON of every kind, the empty containers, `[null]`, or nesting up to 20,000 deep. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(null, [], {}, [null], [{}], ""),
  deepValue,
);
const junkOf = (names: string[]) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...names), oddName, text), anyValue, { maxKeys: 5 });
/** Messages (and their parts) with random members and values, but a real role to get far. */
const junkMessage = fc
  .tuple(
    fc.constantFrom("system", "developer", "user", "assistant", "tool", "function"),
    junkOf(["content", "tool_calls", "tool_call_id", "name", "refusal", "audio", "function_call"]),
    fc.array(junkOf(["type", "text", "image_url", "input_audio", "file", "refusal"]), { maxLength: 2 }),
  )
  .map(([role, members, parts]) => ({ ...members, role, ...(parts.length > 0 ? { content: parts } : {}) }));
/**
 * Anything at all, starting from a valid body (so it gets past the first checks): known field names
 * with arbitrary values, other names, junk messages, deep values.
 */
const junk = fc.oneof(
  fc
    .tuple(validChat, junkOf([...CHAT_FIELDS, "messages", "model"]), fc.array(junkMessage, { maxLength: 2 }))
    .map(([body, fields, messages]) => ({
      body: { ...body, ...fields, messages: [...(body.messages as unknown[]), ...messages] },
      endpoint: "/chat/completions",
    })),
  fc
    .tuple(validEmbeddings, junkOf(["model", "input", "dimensions", "encoding_format", "user"]))
    .map(([body, fields]) => ({ body: { ...body, ...fields }, endpoint: "/embeddings" })),
  fc
    .tuple(
      junkOf([...CHAT_FIELDS, "messages", "model", "input"]),
      fc.constantFrom("/chat/completions", "/embeddings"),
    )
    .map(([body, endpoint]) => ({ body, endpoint })),
);

async function expectRefused({ body, path }: Broken, endpoint: string): Promise<void> {
  const before = fx.mock.count();
  const r = await post(endpoint, body);
  expectNamedError(r);
  expect(r.status).toBe(400);
  expect(r.body.error.param.startsWith(path)).toBe(true);
  expect(fx.mock.count()).toBe(before);
}

describe("openAIProxy fuzzing: malformed bodies get a 400 naming the field, valid ones work", () => {
  it("chat: every malformed body is a 400 naming the broken field, never forwarded", async () => {
    await fc.assert(
      fc.asyncProperty(brokenChat, (broken) => expectRefused(broken, "/chat/completions")),
      { numRuns: 200 },
    );
  });

  it("chat: valid bodies (odd field names, nulls, long prompts, streams) are answered 200", async () => {
    await fc.assert(
      fc.asyncProperty(validChat, async (body) => {
        const r = await post("/chat/completions", body);
        expect(r.status, r.text).toBe(200);
        if (body.stream === true) expect(r.text.endsWith("data: [DONE]\n\n")).toBe(true);
        else expect(r.body.object).toBe("chat.completion");
      }),
      { numRuns: 100 },
    );
  });

  it("embeddings: every malformed body is a 400 naming the broken field, never forwarded", async () => {
    await fc.assert(
      fc.asyncProperty(brokenEmbeddings, (broken) => expectRefused(broken, "/embeddings")),
      { numRuns: 150 },
    );
  });

  it("embeddings: valid bodies are answered 200", async () => {
    await fc.assert(
      fc.asyncProperty(validEmbeddings, async (body) => {
        const r = await post("/embeddings", body);
        expect(r.status, r.text).toBe(200);
        expect(r.body.object).toBe("list");
      }),
      { numRuns: 100 },
    );
  });

  it("anything at all: never a 5xx, and every 4xx names a field", async () => {
    await fc.assert(
      fc.asyncProperty(junk, async ({ body, endpoint }) => {
        const r = await post(endpoint, body);
        expect(r.status, r.text).toBeLessThan(500);
        if (r.status >= 400) expectNamedError(r);
      }),
      { numRuns: 200 },
    );
  });

  it("a body that is not an object, or 20,000 levels deep at the top, is a 400 too", async () => {
    for (const body of [deep(20_000, "a"), [1, 2], deep(20_000, "o")]) {
      const r = await post("/chat/completions", body);
      expectNamedError(r);
    }
  });
});
