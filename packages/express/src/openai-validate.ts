import { checkBodyBounds } from "./body-bounds.js";
import { ApiError } from "./errors.js";

/**
 * Checks the shape of OpenAI-style request bodies before anything is cached or forwarded, so a
 * client learns what is wrong with a 400 instead of a confusing upstream or cache error (or a 5xx).
 * Every field the proxy reads or puts into the cache key is checked for its type, and each error
 * names the field's path (`messages[2].tool_calls[0].function`). Only types are checked, not
 * ranges: those differ between OpenAI-compatible providers. Unknown fields pass through (OpenAI
 * keeps adding some); `null` stands for an absent optional field, as OpenAI reads it.
 *
 * First of all the body's depth and sizes are bounded (`checkBodyBounds`), without recursion, so no
 * recursive code later (this validation, key building, `JSON.stringify`) ever sees an over-deep body.
 */

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const present = (value: unknown) => value !== undefined && value !== null;
const join = (path: string, name: string) => (path === "" ? name : `${path}.${name}`);

function missing(param: string): ApiError {
  return new ApiError(400, `Missing required parameter: '${param}'.`, param, "missing_required_parameter");
}

function invalidType(param: string, expected: string): ApiError {
  return new ApiError(400, `Invalid type for '${param}': expected ${expected}.`, param, "invalid_type");
}

function invalidValue(param: string, message: string): ApiError {
  return new ApiError(400, `Invalid value for '${param}': ${message}`, param, "invalid_value");
}

/** A value quoted in an error message, cut short (it may be anything the client sent). */
function quote(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function requireBodyObject(body: unknown): Json {
  if (body === undefined) {
    throw new ApiError(
      400,
      "The request has no JSON body. Send a JSON object with Content-Type: application/json.",
      null,
      "missing_body",
    );
  }
  if (!isObject(body))
    throw new ApiError(400, "The request body must be a JSON object.", null, "invalid_body");
  checkBodyBounds(body);
  return body;
}

function requireModel(body: Json): void {
  if (body.model === undefined || body.model === null || body.model === "") throw missing("model");
  if (typeof body.model !== "string") throw invalidType("model", "a string");
}

type FieldType = "number" | "integer" | "boolean" | "string" | "object" | "array" | "strings";

const EXPECTED: Record<FieldType, string> = {
  number: "a number",
  integer: "an integer",
  boolean: "a boolean",
  string: "a string",
  object: "an object",
  array: "an array",
  strings: "an array of strings",
};

function hasType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "object":
      return isObject(value);
    case "array":
      return Array.isArray(value);
    case "strings":
      return Array.isArray(value) && value.every((s) => typeof s === "string");
  }
}

/** Throws unless `obj[name]` is absent, null, or of `type`. */
function optional(obj: Json, name: string, type: FieldType, path: string): void {
  const value = obj[name];
  if (present(value) && !hasType(value, type)) throw invalidType(join(path, name), EXPECTED[type]);
}

/** Throws unless `obj[name]` is present and of `type`. */
function required(obj: Json, name: string, type: FieldType, path: string): void {
  if (!present(obj[name])) throw missing(join(path, name));
  optional(obj, name, type, path);
}

/** Throws unless `obj[name]` is an object; returns it. */
function requiredObject(obj: Json, name: string, path: string): Json {
  required(obj, name, "object", path);
  return obj[name] as Json;
}

function checkFields(obj: Json, fields: Readonly<Record<string, FieldType>>, path = ""): void {
  for (const name of Object.keys(fields)) optional(obj, name, fields[name]!, path);
}

/** Top-level chat fields with a plain type (the structured ones are checked below). */
const CHAT_FIELD_TYPES: Readonly<Record<string, FieldType>> = {
  temperature: "number",
  top_p: "number",
  presence_penalty: "number",
  frequency_penalty: "number",
  max_tokens: "integer",
  max_completion_tokens: "integer",
  n: "integer",
  seed: "integer",
  top_logprobs: "integer",
  stream: "boolean",
  store: "boolean",
  logprobs: "boolean",
  parallel_tool_calls: "boolean",
  stream_options: "object",
  tools: "array",
  functions: "array",
  response_format: "object",
  logit_bias: "object",
  metadata: "object",
  audio: "object",
  prediction: "object",
  web_search_options: "object",
  modalities: "strings",
  user: "string",
  service_tier: "string",
  reasoning_effort: "string",
  verbosity: "string",
  prompt_cache_key: "string",
  prompt_cache_retention: "string",
  safety_identifier: "string",
};

const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);

/** Validates a `POST /chat/completions` body; throws an `ApiError` (400) that names the bad field. */
export function validateChatBody(raw: unknown): Json {
  const body = requireBodyObject(raw);
  requireModel(body);
  if (body.messages === undefined || body.messages === null) throw missing("messages");
  if (!Array.isArray(body.messages)) throw invalidType("messages", "an array");
  if (body.messages.length === 0) {
    throw new ApiError(
      400,
      "Invalid 'messages': empty array. Expected an array with minimum length 1.",
      "messages",
      "empty_array",
    );
  }
  for (const [i, message] of body.messages.entries()) validateMessage(message, `messages[${i}]`);
  checkFields(body, CHAT_FIELD_TYPES);
  if (present(body.stop) && typeof body.stop !== "string" && !hasType(body.stop, "strings")) {
    throw invalidType("stop", "a string or an array of strings");
  }
  if (isObject(body.stream_options)) {
    checkFields(
      body.stream_options,
      { include_usage: "boolean", include_obfuscation: "boolean" },
      "stream_options",
    );
  }
  if (Array.isArray(body.tools))
    for (const [i, tool] of body.tools.entries()) validateTool(tool, `tools[${i}]`);
  if (present(body.tool_choice)) validateToolChoice(body.tool_choice, "tool_choice");
  if (isObject(body.response_format)) validateResponseFormat(body.response_format, "response_format");
  if (isObject(body.logit_bias)) {
    for (const [token, bias] of Object.entries(body.logit_bias)) {
      if (!hasType(bias, "number")) throw invalidType(`logit_bias[${JSON.stringify(token)}]`, "a number");
    }
  }
  if (Array.isArray(body.functions)) {
    for (const [i, fn] of body.functions.entries()) validateFunctionDefinition(fn, `functions[${i}]`);
  }
  if (present(body.function_call)) {
    const call = body.function_call;
    if (isObject(call)) required(call, "name", "string", "function_call");
    else if (typeof call !== "string") throw invalidType("function_call", "a string or an object");
  }
  return body;
}

function validateMessage(message: unknown, path: string): void {
  if (!isObject(message)) throw invalidType(path, "an object");
  if (message.role === undefined) throw missing(`${path}.role`);
  if (typeof message.role !== "string" || !ROLES.has(message.role)) {
    throw invalidValue(
      `${path}.role`,
      `${quote(message.role)}. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool' and 'function'.`,
    );
  }
  optional(message, "name", "string", path);
  const role = message.role;
  const content = message.content;
  if (!present(content)) {
    const speaksOtherwise =
      role === "assistant" &&
      (present(message.tool_calls) ||
        present(message.function_call) ||
        present(message.refusal) ||
        present(message.audio));
    if (!speaksOtherwise) throw missing(`${path}.content`);
  } else if (typeof content !== "string") {
    if (!Array.isArray(content))
      throw invalidType(`${path}.content`, "a string or an array of content parts");
    for (const [j, part] of content.entries()) validatePart(part, `${path}.content[${j}]`);
  }
  if (role === "tool") required(message, "tool_call_id", "string", path);
  if (role === "function") required(message, "name", "string", path);
  if (role === "assistant") validateAssistantExtras(message, path);
}

function validateAssistantExtras(message: Json, path: string): void {
  optional(message, "refusal", "string", path);
  optional(message, "audio", "object", path);
  if (isObject(message.audio)) required(message.audio, "id", "string", `${path}.audio`);
  optional(message, "function_call", "object", path);
  if (isObject(message.function_call))
    validateCall(message.function_call, `${path}.function_call`, "arguments");
  optional(message, "tool_calls", "array", path);
  if (!Array.isArray(message.tool_calls)) return;
  message.tool_calls.forEach((call, k) => {
    const at = `${path}.tool_calls[${k}]`;
    if (!isObject(call)) throw invalidType(at, "an object");
    required(call, "id", "string", at);
    optional(call, "type", "string", at);
    if (call.type === "custom" || (call.type === undefined && present(call.custom))) {
      validateCall(requiredObject(call, "custom", at), `${at}.custom`, "input");
    } else {
      validateCall(requiredObject(call, "function", at), `${at}.function`, "arguments");
    }
  });
}

/** A function call `{ name, arguments }` (or a custom tool call `{ name, input }`): both strings. */
function validateCall(call: Json, path: string, argsName: "arguments" | "input"): void {
  required(call, "name", "string", path);
  required(call, argsName, "string", path);
}

function validatePart(part: unknown, path: string): void {
  if (!isObject(part)) throw invalidType(path, "an object with a type");
  if (part.type === undefined) throw missing(`${path}.type`);
  if (typeof part.type !== "string") throw invalidType(`${path}.type`, "a string");
  switch (part.type) {
    case "text":
      required(part, "text", "string", path);
      return;
    case "refusal":
      required(part, "refusal", "string", path);
      return;
    case "image_url": {
      const image = requiredObject(part, "image_url", path);
      required(image, "url", "string", `${path}.image_url`);
      optional(image, "detail", "string", `${path}.image_url`);
      return;
    }
    case "input_audio": {
      const audio = requiredObject(part, "input_audio", path);
      required(audio, "data", "string", `${path}.input_audio`);
      required(audio, "format", "string", `${path}.input_audio`);
      return;
    }
    case "file": {
      const file = requiredObject(part, "file", path);
      checkFields(file, { file_id: "string", file_data: "string", filename: "string" }, `${path}.file`);
      if (!present(file.file_id) && !present(file.file_data)) throw missing(`${path}.file.file_id`);
      return;
    }
    default:
      // A part type OpenAI added later passes (the key hashes it whole).
      return;
  }
}

function validateFunctionDefinition(fn: unknown, path: string): void {
  if (!isObject(fn)) throw invalidType(path, "an object");
  required(fn, "name", "string", path);
  checkFields(fn, { description: "string", parameters: "object", strict: "boolean" }, path);
}

function validateTool(tool: unknown, path: string): void {
  if (!isObject(tool)) throw invalidType(path, "an object with a type");
  if (tool.type === undefined) throw missing(`${path}.type`);
  if (typeof tool.type !== "string") throw invalidType(`${path}.type`, "a string");
  if (tool.type === "function")
    validateFunctionDefinition(requiredObject(tool, "function", path), `${path}.function`);
  else if (tool.type === "custom") {
    const custom = requiredObject(tool, "custom", path);
    required(custom, "name", "string", `${path}.custom`);
    checkFields(custom, { description: "string", format: "object" }, `${path}.custom`);
  }
}

function validateToolChoice(choice: unknown, path: string): void {
  if (typeof choice === "string") return;
  if (!isObject(choice)) throw invalidType(path, "a string or an object");
  if (choice.type === undefined) throw missing(`${path}.type`);
  if (typeof choice.type !== "string") throw invalidType(`${path}.type`, "a string");
  if (choice.type === "function")
    required(requiredObject(choice, "function", path), "name", "string", `${path}.function`);
  else if (choice.type === "custom")
    required(requiredObject(choice, "custom", path), "name", "string", `${path}.custom`);
  else if (choice.type === "allowed_tools") {
    const allowed = requiredObject(choice, "allowed_tools", path);
    optional(allowed, "mode", "string", `${path}.allowed_tools`);
    required(allowed, "tools", "array", `${path}.allowed_tools`);
  }
}

function validateResponseFormat(format: Json, path: string): void {
  if (format.type === undefined || format.type === null) throw missing(`${path}.type`);
  if (typeof format.type !== "string") throw invalidType(`${path}.type`, "a string");
  if (format.type !== "json_schema") return;
  const schema = requiredObject(format, "json_schema", path);
  required(schema, "name", "string", `${path}.json_schema`);
  checkFields(schema, { description: "string", schema: "object", strict: "boolean" }, `${path}.json_schema`);
}

/** Validates a `POST /embeddings` body; throws an `ApiError` (400) that names the bad field. */
export function validateEmbeddingsBody(raw: unknown): Json {
  const body = requireBodyObject(raw);
  requireModel(body);
  validateEmbeddingsInput(body.input);
  if (present(body.dimensions) && !(Number.isInteger(body.dimensions) && (body.dimensions as number) > 0)) {
    throw invalidType("dimensions", "a positive integer");
  }
  if (
    present(body.encoding_format) &&
    body.encoding_format !== "float" &&
    body.encoding_format !== "base64"
  ) {
    throw invalidValue(
      "encoding_format",
      `${quote(body.encoding_format)}. Supported values are: 'float' and 'base64'.`,
    );
  }
  optional(body, "user", "string", "");
  return body;
}

const INPUT_EXPECTED = "a string, a non-empty array of strings, a token array or an array of token arrays";

/** `input`: a string, strings, one token array (integers), or token arrays; the arrays non-empty. */
function validateEmbeddingsInput(input: unknown): void {
  if (!present(input)) throw missing("input");
  if (typeof input === "string") return;
  if (!Array.isArray(input)) throw invalidType("input", INPUT_EXPECTED);
  if (input.length === 0) {
    throw new ApiError(
      400,
      "Invalid 'input': empty array. Expected an array with minimum length 1.",
      "input",
      "empty_array",
    );
  }
  const first = input[0];
  const tokens = (list: unknown[], path: string) => {
    list.forEach((t, i) => {
      if (!Number.isInteger(t)) throw invalidType(`${path}[${i}]`, "an integer token");
    });
  };
  if (typeof first === "string") {
    input.forEach((s, i) => {
      if (typeof s !== "string") throw invalidType(`input[${i}]`, "a string, like the first element");
    });
  } else if (typeof first === "number") {
    tokens(input, "input");
  } else if (Array.isArray(first)) {
    input.forEach((list, i) => {
      if (!Array.isArray(list)) throw invalidType(`input[${i}]`, "a token array, like the first element");
      if (list.length === 0) throw invalidValue(`input[${i}]`, "empty token array.");
      tokens(list, `input[${i}]`);
    });
  } else {
    throw invalidType("input[0]", "a string, an integer token or a token array");
  }
}
