import { Validator as JsonSchemaValidator } from "@cfworker/json-schema";
import { containsSecret, MIN_SECRET_LENGTH } from "./credentials.js";
import type { CacheRequest } from "./request.js";
import type { CacheResponse } from "./response.js";

/** `true` to store; `false` or a reason string to refuse. */
export type ValidatorResult = boolean | string | undefined;

export type ValidatorFn = (
  response: CacheResponse,
  request: CacheRequest,
) => ValidatorResult | Promise<ValidatorResult>;

/** The Standard Schema interface (zod, valibot, arktype, …), as far as Recall uses it. */
export interface StandardSchemaLike {
  "~standard": {
    version: 1;
    validate: (
      value: unknown,
    ) =>
      | { issues?: ReadonlyArray<{ message: string }> }
      | Promise<{ issues?: ReadonlyArray<{ message: string }> }>;
  };
}

export type UserValidator = ValidatorFn | StandardSchemaLike;

export type StoreVerdict = { ok: true } | { ok: false; reason: string };

const OK: StoreVerdict = { ok: true };

/**
 * The built-in rules: never store an error, an empty answer, a truncated or filtered answer, an
 * answer with unfinished tool calls, or JSON output that does not parse or match its schema.
 */
export function builtInVerdict(request: CacheRequest, response: CacheResponse): StoreVerdict {
  if (typeof response.doNotStore === "string") return { ok: false, reason: response.doNotStore };
  if (request.secrets && carriesSecret(response, request.secrets)) {
    return { ok: false, reason: "the answer contains a credential of the call" };
  }
  switch (response.finishReason) {
    case "length":
      return { ok: false, reason: "truncated (finish reason length)" };
    case "content-filter":
      return { ok: false, reason: "content filtered" };
    case "error":
      return { ok: false, reason: "finished with an error" };
  }
  const toolCalls = response.toolCalls ?? [];
  for (const call of toolCalls) {
    if (!call.toolCallId || !call.toolName) return { ok: false, reason: "tool call without id or name" };
    if (typeof call.input === "string" && !parses(call.input)) {
      return { ok: false, reason: `unfinished tool call ${call.toolName}: its input is not complete JSON` };
    }
  }
  if (response.finishReason === "tool-calls" && toolCalls.length === 0) {
    return { ok: false, reason: "finish reason tool-calls without any tool call" };
  }
  // An answer to a chat must say something; other kinds of call (embeddings, JSON APIs) have no text.
  const text = response.text ?? "";
  const chat = Array.isArray(request.messages) && request.messages.length > 0;
  if (chat && text.trim().length === 0 && toolCalls.length === 0)
    return { ok: false, reason: "empty answer" };

  const format = request.params?.responseFormat;
  if (format?.type === "json" && toolCalls.length === 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, reason: "JSON output asked for, but the answer does not parse" };
    }
    if (format.schema !== undefined && format.schema !== null) {
      const result = schemaValidator(format.schema).validate(parsed);
      if (!result.valid) {
        const first = result.errors[0];
        return {
          ok: false,
          reason: `JSON output does not match its schema${first ? `: ${first.error}` : ""}`,
        };
      }
    }
  }
  return OK;
}

/** Runs the user's validators after the built-in rules; the first refusal wins. */
export async function userVerdict(
  validators: readonly UserValidator[],
  request: CacheRequest,
  response: CacheResponse,
): Promise<StoreVerdict> {
  for (const validator of validators) {
    if (typeof validator === "function") {
      const result = await validator(response, request);
      if (result === false) return { ok: false, reason: "refused by a validator" };
      if (typeof result === "string") return { ok: false, reason: result };
      continue;
    }
    const value = request.params?.responseFormat?.type === "json" ? safeParse(response.text) : response.text;
    const outcome = await validator["~standard"].validate(value);
    if (outcome.issues && outcome.issues.length > 0) {
      return { ok: false, reason: `schema: ${outcome.issues.map((i) => i.message).join("; ")}` };
    }
  }
  return OK;
}

function carriesSecret(response: CacheResponse, secrets: Iterable<string>): boolean {
  // Inside JSON text a secret with quotes, backslashes or control characters appears escaped.
  const escaped = [...secrets]
    .filter((secret) => secret.length >= MIN_SECRET_LENGTH)
    .map((secret) => JSON.stringify(secret).slice(1, -1));
  if (escaped.length === 0) return false;
  let stored: string;
  try {
    stored = JSON.stringify(response);
  } catch {
    return true; // what cannot be serialized cannot be checked, nor stored
  }
  return containsSecret(stored, escaped);
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function safeParse(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? "");
  } catch {
    return text;
  }
}

const validators = new WeakMap<object, JsonSchemaValidator>();

function schemaValidator(schema: unknown): JsonSchemaValidator {
  const object = (typeof schema === "object" && schema !== null ? schema : {}) as object;
  let validator = validators.get(object);
  if (!validator) {
    validator = new JsonSchemaValidator(object as never, "2020-12", false);
    validators.set(object, validator);
  }
  return validator;
}
