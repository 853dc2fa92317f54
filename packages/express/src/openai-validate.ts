import { ApiError } from "./errors.js";

/**
 * Checks the shape of OpenAI-style request bodies before anything is cached or forwarded, so a
 * client learns what is wrong with a 400 instead of a confusing upstream or cache error. Only
 * types are checked, not ranges: those differ between OpenAI-compatible providers.
 */

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function missing(param: string): ApiError {
  return new ApiError(400, `Missing required parameter: '${param}'.`, param, "missing_required_parameter");
}

function invalidType(param: string, expected: string): ApiError {
  return new ApiError(400, `Invalid type for '${param}': expected ${expected}.`, param, "invalid_type");
}

function invalidValue(param: string, message: string): ApiError {
  return new ApiError(400, `Invalid value for '${param}': ${message}`, param, "invalid_value");
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
  return body;
}

function requireModel(body: Json): void {
  if (body.model === undefined || body.model === null || body.model === "") throw missing("model");
  if (typeof body.model !== "string") throw invalidType("model", "a string");
}

type FieldType = "number" | "integer" | "boolean" | "object" | "array";

function checkTypes(body: Json, fields: ReadonlyArray<readonly [string, FieldType]>): void {
  for (const [name, type] of fields) {
    const value = body[name];
    if (value === undefined || value === null) continue;
    const ok =
      type === "number"
        ? typeof value === "number" && Number.isFinite(value)
        : type === "integer"
          ? Number.isInteger(value)
          : type === "boolean"
            ? typeof value === "boolean"
            : type === "object"
              ? isObject(value)
              : Array.isArray(value);
    if (!ok)
      throw invalidType(
        name,
        type === "integer" ? "an integer" : `a${type === "object" || type === "array" ? "n" : ""} ${type}`,
      );
  }
}

const CHAT_FIELD_TYPES = Object.entries({
  temperature: "number",
  top_p: "number",
  presence_penalty: "number",
  frequency_penalty: "number",
  max_tokens: "integer",
  max_completion_tokens: "integer",
  n: "integer",
  seed: "integer",
  stream: "boolean",
  stream_options: "object",
  tools: "array",
  response_format: "object",
  logit_bias: "object",
} satisfies Record<string, FieldType>) as ReadonlyArray<readonly [string, FieldType]>;

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
  checkTypes(body, CHAT_FIELD_TYPES);
  if (body.stop !== undefined && body.stop !== null) {
    const ok =
      typeof body.stop === "string" ||
      (Array.isArray(body.stop) && body.stop.every((s) => typeof s === "string"));
    if (!ok) throw invalidType("stop", "a string or an array of strings");
  }
  if (Array.isArray(body.tools)) {
    body.tools.forEach((tool, i) => {
      if (!isObject(tool) || typeof tool.type !== "string")
        throw invalidType(`tools[${i}]`, "an object with a type");
    });
  }
  if (isObject(body.response_format) && typeof body.response_format.type !== "string") {
    throw missing("response_format.type");
  }
  return body;
}

function validateMessage(message: unknown, path: string): void {
  if (!isObject(message)) throw invalidType(path, "an object");
  if (message.role === undefined) throw missing(`${path}.role`);
  if (typeof message.role !== "string" || !ROLES.has(message.role)) {
    throw invalidValue(
      `${path}.role`,
      `${JSON.stringify(message.role)}. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool' and 'function'.`,
    );
  }
  const content = message.content;
  const hasCalls = message.tool_calls !== undefined || message.function_call !== undefined;
  if (content === undefined || content === null) {
    if (
      message.role === "assistant" &&
      (hasCalls || message.refusal !== undefined || message.audio !== undefined)
    )
      return;
    throw missing(`${path}.content`);
  }
  if (typeof content !== "string") {
    if (!Array.isArray(content))
      throw invalidType(`${path}.content`, "a string or an array of content parts");
    content.forEach((part, j) => {
      if (!isObject(part) || typeof part.type !== "string") {
        throw invalidType(`${path}.content[${j}]`, "an object with a type");
      }
      if (part.type === "text" && typeof part.text !== "string")
        throw invalidType(`${path}.content[${j}].text`, "a string");
    });
  }
  if (message.role === "tool" && typeof message.tool_call_id !== "string")
    throw missing(`${path}.tool_call_id`);
  if (message.tool_calls !== undefined && !Array.isArray(message.tool_calls)) {
    throw invalidType(`${path}.tool_calls`, "an array");
  }
}

/** Validates a `POST /embeddings` body; throws an `ApiError` (400) that names the bad field. */
export function validateEmbeddingsBody(raw: unknown): Json {
  const body = requireBodyObject(raw);
  requireModel(body);
  const input = body.input;
  if (input === undefined || input === null) throw missing("input");
  const isTokens = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((t) => Number.isInteger(t));
  const ok =
    typeof input === "string" ||
    (Array.isArray(input) &&
      input.length > 0 &&
      (input.every((s) => typeof s === "string") || isTokens(input) || input.every(isTokens)));
  if (!ok) {
    throw invalidType("input", "a string, a non-empty array of strings, or token arrays");
  }
  if (
    body.dimensions !== undefined &&
    !(Number.isInteger(body.dimensions) && (body.dimensions as number) > 0)
  ) {
    throw invalidType("dimensions", "a positive integer");
  }
  if (
    body.encoding_format !== undefined &&
    body.encoding_format !== "float" &&
    body.encoding_format !== "base64"
  ) {
    throw invalidValue(
      "encoding_format",
      `${JSON.stringify(body.encoding_format)}. Supported values are: 'float' and 'base64'.`,
    );
  }
  return body;
}
